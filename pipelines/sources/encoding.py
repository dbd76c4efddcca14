"""Strict encoding decisions for departments' text files.

UTF-8 first (a byte-order mark is allowed), then GB18030 (GB2312 and GBK are subsets). A file is
accepted only when exactly one reading is clean: a file that is valid under neither, or whose lines
switch between encodings, is refused whole with a reason, so accepted data never holds mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

CHUNK = 1 << 20
BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class Decision:
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; None when refused
    reason: str | None  # refusal code: binary_content, undecodable, mixed_encoding, invalid_utf8_after_bom
    size: int
    quotes: int  # number of '"' bytes: zero means one record per line
    detail: str = ""
    lines: int = 0  # newline-terminated lines, plus an unterminated last one
    delimiters: int = 0  # occurrences of the delimiter's bytes (exact for an ASCII delimiter in either encoding)


def _utf8_line(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@dataclass
class _Tally:
    """What one pass over the bytes counts for `decide` and `presume_utf8` alike."""

    delimiter: bytes
    size: int = 0
    quotes: int = 0
    newlines: int = 0
    delimiters: int = 0
    last: bytes = b"\n"
    binary: bool = False

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.quotes += chunk.count(b'"')
        self.newlines += chunk.count(b"\n")
        self.delimiters += chunk.count(self.delimiter)
        self.last = chunk[-1:]
        self.binary = self.binary or b"\x00" in chunk

    @property
    def counts(self) -> dict[str, int]:
        return {"lines": self.newlines + (self.last != b"\n"), "delimiters": self.delimiters}


def decide(path: Path, utf8_copy: Path | None = None, delimiter: str = ",") -> Decision:
    """Read the file once in chunks: count quotes, lines and delimiters, try UTF-8 then GB18030 (the
    delivery is hashed when it is listed, so not here). The counts let a reader prove it saw every
    line. A GB18030 file is written to `utf8_copy` (when given) during the same pass that checks it."""
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    tally = _Tally(delimiter.encode("utf-8"))
    utf8_ok, has_bom, has_utf16_bom = True, False, False
    with path.open("rb") as f:
        first = True
        while chunk := f.read(CHUNK):
            if first:
                has_bom = chunk.startswith(BOM)
                has_utf16_bom = chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
                first = False
            tally.add(chunk)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
        if utf8_ok:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    size, quotes = tally.size, tally.quotes
    if has_utf16_bom:
        return Decision(None, "unsupported_encoding", size, quotes, "UTF-16 (byte-order mark FF FE / FE FF)")
    if tally.binary:
        return Decision(None, "binary_content", size, quotes, "the file contains NUL bytes")
    if utf8_ok:
        return Decision("utf-8-sig" if has_bom else "utf-8", None, size, quotes, **tally.counts)
    if has_bom:
        return Decision(
            None,
            "invalid_utf8_after_bom",
            size,
            quotes,
            "starts with a UTF-8 byte-order mark but is not UTF-8 throughout",
        )
    decision = _gb18030(path, size, quotes, utf8_copy)
    return replace(decision, **tally.counts) if decision.encoding else decision


def _gb18030(path: Path, size: int, quotes: int, utf8_copy: Path | None) -> Decision:
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    out = utf8_copy.open("w", encoding="utf-8", newline="") if utf8_copy else None
    try:
        return _gb18030_pass(path, size, quotes, decoder, out)
    finally:
        if out:
            out.close()


def _gb18030_pass(
    path: Path, size: int, quotes: int, decoder: codecs.IncrementalDecoder, out: TextIO | None
) -> Decision:
    carry = b""
    line_no = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            try:
                text = decoder.decode(chunk)
                if out:
                    out.write(text)
            except UnicodeDecodeError:
                if _has_utf8_and_gb18030_lines(path):
                    return Decision(None, "mixed_encoding", size, quotes, "lines in UTF-8 and in GB18030")
                return Decision(None, "undecodable", size, quotes, "neither UTF-8 nor GB18030")
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            for line in lines:
                line_no += 1
                if not line.isascii() and _utf8_line(line):
                    return Decision(None, "mixed_encoding", size, quotes, f"line {line_no} is UTF-8 in a GB18030 file")
        if carry and not carry.isascii() and _utf8_line(carry):
            return Decision(None, "mixed_encoding", size, quotes, f"line {line_no + 1} is UTF-8 in a GB18030 file")
        try:
            tail = decoder.decode(b"", final=True)
            if out:
                out.write(tail)
        except UnicodeDecodeError:
            return Decision(None, "undecodable", size, quotes, "the file ends inside a character")
    return Decision("gb18030", None, size, quotes)


def _has_utf8_and_gb18030_lines(path: Path) -> bool:
    """True when some non-ASCII lines are UTF-8 and others GB18030 only: a mixed file, not a broken one."""
    utf8 = gb = False
    with path.open("rb") as f:
        for line in f:
            if line.isascii():
                continue
            if _utf8_line(line):
                utf8 = True
            else:
                try:
                    line.decode("gb18030")
                    gb = True
                except UnicodeDecodeError:
                    return False
            if utf8 and gb:
                return True
    return False


def presume_utf8(path: Path, delimiter: str = ",") -> Decision | None:
    """The counts of `decide` without decoding the whole file: a file with no quotes and no NUL
    byte whose first chunk is UTF-8 (no UTF-16 mark) is presumed UTF-8, for a reader that validates
    UTF-8 itself (DuckDB's strict CSV reader rejects invalid bytes) and falls back to `decide` otherwise."""
    tally = _Tally(delimiter.encode("utf-8"))
    with path.open("rb") as f:
        first = f.read(CHUNK)
        if not first or first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        try:
            codecs.getincrementaldecoder("utf-8")("strict").decode(first)
        except UnicodeDecodeError:
            return None
        chunk = first
        while chunk:
            tally.add(chunk)
            chunk = f.read(CHUNK)
    if tally.quotes or tally.binary:
        return None  # quoted records or NUL bytes: `decide` and the careful reader handle those
    return Decision("utf-8-sig" if first.startswith(BOM) else "utf-8", None, tally.size, 0, **tally.counts)

"""CSV file drops: strict encoding, header checked against the catalogue, records to Parquet.

Fast path: DuckDB's CSV reader (strict mode, rejects table) writes the Parquet directly. The audit
compares its accepted + rejected records with an independent count; if they differ (blank lines,
odd quoting), the careful path re-reads the file with Python's csv module record by record.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipelines.lake.batch import StagedBatch
from pipelines.sources.base import Delivery, Extracted, FileDropSource
from pipelines.sources.encoding import Decision, decide, presume_utf8
from pipelines.sources.formula import FORMULA_SQL, looks_like_formula
from pipelines.sources.schema import check_header

MAX_FIELD = 1 << 20  # no field of a government record is longer than 1 MiB: longer ones are quarantined
OTHER_DELIMITERS = [";", "\t", "|", "，"]
DUCK_REASONS = {
    "MISSING COLUMNS": "field_count_mismatch",
    "TOO MANY COLUMNS": "field_count_mismatch",
    "UNQUOTED VALUE": "unbalanced_quotes",
    "LINE SIZE OVER MAXIMUM": "line_too_long",
    "INVALID UNICODE": "invalid_unicode",
    "CAST": "cast_error",
}


class CsvFileSource(FileDropSource):
    def extract(self, delivery: Delivery, batch: StagedBatch) -> Extracted:
        assert delivery.path is not None and delivery.content_hash is not None
        presumed = presume_utf8(delivery.path, self.spec.delimiter)
        if presumed is not None and self._declared_ok(presumed):
            extracted = self._extract(delivery, batch, presumed, delivery.path, careful=False)
            if extracted is not None:
                return extracted  # DuckDB validated the UTF-8 and the counts proved every line landed
        decision = decide(delivery.path, utf8_copy=batch.dir / "delivery.utf8.csv", delimiter=self.spec.delimiter)
        if decision.encoding is None:
            return _refuse_whole_file(delivery, batch, decision)
        if not self._declared_ok(decision):
            found = Decision(
                None,
                "unexpected_encoding",
                decision.size,
                0,
                f"declared {self.spec.encoding}, found {decision.encoding}",
            )
            return _refuse_whole_file(delivery, batch, found)
        utf8 = batch.dir / "delivery.utf8.csv" if decision.encoding == "gb18030" else delivery.path
        extracted = self._extract(delivery, batch, decision, utf8, careful=True)
        assert extracted is not None
        return extracted

    def _declared_ok(self, decision: Decision) -> bool:
        assert decision.encoding is not None
        return self.spec.encoding in ("auto", decision.encoding.removesuffix("-sig")) or (
            self.spec.encoding == "utf-8-sig" and decision.encoding.startswith("utf-8")
        )

    def _extract(
        self, delivery: Delivery, batch: StagedBatch, decision: Decision, utf8: Path, careful: bool
    ) -> Extracted | None:
        """Header check, then DuckDB; with `careful`, the Python reader when DuckDB's counts are not
        confirmed. Without it (encoding only presumed), None instead of any fallback."""
        try:
            header = _header(utf8, self.spec.delimiter)
        except UnicodeDecodeError:
            return None  # only possible when the encoding was presumed: decide properly
        if header is None:
            return Extracted(0, [], delivery.content_hash, rejected="empty_file")
        check = check_header(header, self.expected_columns, self.required_columns)
        reject = None
        if check.duplicates:
            reject = f"duplicate_column:{','.join(check.duplicates)}"
        elif check.missing_required:
            reject = (
                _delimiter_hint(header, self.expected_columns)
                or f"missing_required_column:{','.join(check.missing_required)}"
            )
        if not careful and reject:
            return None
        rows_in = _fast(
            utf8, header, self.spec.delimiter, decision, batch, delivery.ref, reject, proof_only=not careful
        )
        if rows_in is None:
            if not careful:
                return None
            batch.set_columns(header)
            rows_in = _careful(utf8, header, self.spec.delimiter, batch, delivery.ref, reject)
        return Extracted(rows_in, header, delivery.content_hash, rejected=reject, header_check=check)


def _refuse_whole_file(delivery: Delivery, batch: StagedBatch, decision: Decision) -> Extracted:
    """Quarantine a delivery refused whole, keeping its original bytes next to the reason.

    A text file counts its records as rows in, one quarantine row each (each line decoded as well as it
    can be, so a department sees which ones broke it); a binary file is one record."""
    assert delivery.path is not None and decision.reason is not None
    shutil.copyfile(delivery.path, batch.quarantine_dir / "delivery.bin")
    records = [] if decision.reason == "binary_content" else _record_lines(delivery.path.read_bytes())
    if not records:
        batch.quarantine(0, decision.reason, f"<whole file, {decision.size} bytes: {decision.detail}>", delivery.ref)
        return Extracted(1, [], delivery.content_hash, rejected=decision.reason)
    for number, line in enumerate(records, start=2):
        batch.quarantine(number, decision.reason, line, delivery.ref)
    return Extracted(len(records), [], delivery.content_hash, rejected=decision.reason)


def _record_lines(data: bytes) -> list[str]:
    """The non-blank lines after the header, each decoded as well as it can be."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        lines = data.decode("utf-16", errors="replace").splitlines()
    else:
        lines = [_decoded_as_well_as_can_be(line) for line in data.splitlines()]
    return [line for line in lines[1:] if line.strip()]


def _decoded_as_well_as_can_be(line: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("utf-8", errors="replace")


def _header(path: Path, delimiter: str) -> list[str] | None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line in f:
            if line.strip():
                return next(csv.reader(io.StringIO(line), delimiter=delimiter))
    return None


def _delimiter_hint(header: list[str], expected: list[str]) -> str | None:
    if len(header) == 1:
        for d in OTHER_DELIMITERS:
            if len(set(header[0].split(d)) & set(expected)) >= 2:
                return f"wrong_delimiter:{d!r}"
    return None


def _fast(
    path: Path,
    header: list[str],
    delimiter: str,
    decision: Decision,
    batch: StagedBatch,
    ref: str,
    reject: str | None,
    proof_only: bool = False,
) -> int | None:
    """DuckDB path; returns rows_in, or None when its counts cannot be confirmed independently.

    One read writes the accepted, formula-free records straight to Parquet. The audit is arithmetic
    on the encoding pass's counts: every line after the header landed and the file holds exactly
    (width - 1) delimiters per line, so nothing was skipped or silently trimmed. Only a file that
    fails that proof is read again to find its formula cells and count its records one by one."""
    if decision.quotes or len(delimiter) != 1:
        return None  # quoted fields may hold newlines: count records the careful way
    cols = [f'"{_dq(c)}"' for c in header]
    formula = " or ".join(f"regexp_matches(coalesce({c}, ''), '{FORMULA_SQL}')" for c in cols)
    columns = "{" + ", ".join(f"'{_sql(c)}': 'VARCHAR'" for c in header) + "}"
    numbered = (
        f"select *, row_number() over () as _n from read_csv('{_sql(str(path))}', header=true, auto_detect=false, "
        f"columns={columns}, delim='{_sql(delimiter)}', quote='\"', escape='\"', strict_mode=true, "
        f"store_rejects=true, max_line_size={MAX_FIELD}, null_padding=false)"
    )
    part = batch.raw_dir / "part-00000.parquet"
    con = _scratch_duckdb().cursor()  # its own session: reject_errors is a temp table of this cursor
    try:
        try:
            (landed,) = con.execute(
                f"copy (select {', '.join(cols)}, '{_sql(batch.load_id)}' as _load_id, '{_sql(ref)}' as _source_ref, "
                f"_n as _row_number, '{_sql(batch.semantics)}' as _semantics, '{_sql(batch.delivered_at)}' as _delivered_at "
                f"from ({numbered}) where {'false' if reject else f'not ({formula})'}) "
                f"to '{_sql(str(part))}' (format parquet)"
            ).fetchone()
            flagged = []
            proved = (
                not reject
                and landed == decision.lines - 1
                and decision.delimiters == (len(header) - 1) * decision.lines
                and not con.execute("select count(*) from reject_errors").fetchone()[0]
            )
            if not proved and proof_only:
                part.unlink(missing_ok=True)
                return None  # the encoding was only presumed: anything short of the proof is decided properly
            if not proved:
                values = ", ".join(f"coalesce({c}, '')" for c in cols)
                flagged = con.execute(
                    f"select _n, concat_ws('{_sql(delimiter)}', {values}) from ({numbered}) "
                    f"where {'true' if reject else formula} order by _n"
                ).fetchall()
        except duckdb.Error:
            part.unlink(missing_ok=True)
            return None  # DuckDB gave up on this file: let the careful path account for every record
        rejects = con.execute(
            "select line, any_value(error_type)::varchar, any_value(csv_line) from reject_errors group by line order by line"
        ).fetchall()
        expected = decision.lines - 1 if proved else _count_records(path, delimiter.encode("utf-8"), len(header))
        if expected is None or landed + len(flagged) + len(rejects) != expected:
            part.unlink(missing_ok=True)
            return None
        batch.rows_landed = landed
        for number, text in flagged:
            batch.quarantine(int(number), reject or "formula_injection", text, ref)
        for line, error_type, raw in rejects:
            batch.quarantine(int(line), DUCK_REASONS.get(error_type, "malformed_csv"), raw, ref)
        return expected
    finally:
        con.close()


@functools.cache
def _scratch_duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process, reused by every file (a connection costs ~10 ms, a cursor
    nothing); bounded in memory, spilling to a private temp folder."""
    spill = Path(tempfile.gettempdir()) / f"govlake-duckdb-{os.getpid()}"
    return duckdb.connect(config={"memory_limit": "128MB", "temp_directory": str(spill), "threads": 2})


def _count_records(path: Path, delimiter: bytes, width: int) -> int | None:
    """Non-blank lines after the header (the file has no quotes, so a line is a record); None when a
    line has surplus empty fields, which DuckDB would drop silently: the careful path decides those."""
    n = -1
    with path.open("rb") as f:
        for line in f:
            if line.strip():
                n += 1
                if line.count(delimiter) > width:
                    return None
    return max(n, 0)


class _Capture:
    """Feeds lines to csv.reader and remembers the raw text of the record being parsed."""

    def __init__(self, f: io.TextIOBase):
        self.f, self.lines = f, []

    def __iter__(self) -> _Capture:
        return self

    def __next__(self) -> str:
        line = next(self.f)
        self.lines.append(line)
        return line

    def take(self) -> str:
        text, self.lines = "".join(self.lines), []
        return text


def _careful(path: Path, header: list[str], delimiter: str, batch: StagedBatch, ref: str, reject: str | None) -> int:
    csv.field_size_limit(MAX_FIELD)
    rows_in = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = _Capture(f)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        next(reader)
        lines.take()
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows_in += 1
                text = str(exc)
                reason = (
                    "unbalanced_quotes"
                    if ("EOF" in text or "quote" in text or "end of data" in text)
                    else "malformed_csv"
                )
                if "field larger" in str(exc):
                    reason = "field_too_large"
                batch.quarantine(start, reason, lines.take(), ref)
                continue
            raw = lines.take()
            if not row or not any(v.strip() for v in row):
                continue  # blank line: not a record
            rows_in += 1
            if reject:
                batch.quarantine(start, reject, raw, ref)
            elif len(row) != len(header) and not (len(row) == len(header) + 1 and row[-1] == ""):
                batch.quarantine(start, "field_count_mismatch", raw, ref)  # (one trailing delimiter is tolerated)
            elif any(looks_like_formula(v) for v in row):
                batch.quarantine(start, "formula_injection", raw, ref)
            else:
                batch.add_row([v if v != "" else None for v in row[: len(header)]], ref)
    return rows_in


def _sql(text: str) -> str:
    return text.replace("'", "''")


def _dq(text: str) -> str:
    return text.replace('"', '""')

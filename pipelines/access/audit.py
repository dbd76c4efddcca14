"""The audit log: append-only, hash-chained, keyed — who read what, when, and how many rows.

Each entry carries the MAC of the one before it, under a key derived from the platform secret
(held outside the lake), so an entry cannot be altered, removed or moved without breaking every
MAC after it — and the chain cannot be recomputed by whoever edited the file. The chain's head (its
last sequence number and MAC, signed) is also kept in an anchor outside the data dir, so cutting
entries off the end, emptying the log or deleting it is detected too. Writers serialise on an exclusive
lock, and an entry is on disk (fsync) before the caller gets what it describes: if the entry cannot
be written, the caller gets nothing. A line that is not an entry is reported by `verify`; appending
goes on from the last good entry, never crashes on it.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.files import write_text_atomically
from pipelines.privacy.keys import derived_key
from pipelines.settings import Settings, get_settings
from pipelines.standards.scrub import scrub_sql, scrub_text

GENESIS = "0" * 64


class AuditUnavailable(RuntimeError):
    """The audit log cannot be written: whatever was to be audited is refused."""


def audit_log_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "audit" / "audit.jsonl"


def anchor_path(log: Path, anchors: Path) -> Path:
    return anchors / f"{hashlib.sha256(str(log.resolve()).encode()).hexdigest()[:24]}.json"


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _entry(line: bytes | str) -> dict | None:
    """The line's entry, or None if it is not one (junk, a torn write, another JSON value)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and isinstance(entry.get("seq"), int) and "mac" in entry else None


@dataclass
class Verification:
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    head: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, path: Path, key: bytes, anchor: Path | None = None):
        self.path = path
        self.anchor = anchor
        self._key = key

    @classmethod
    def open(cls, settings: Settings | None = None) -> AuditLog:
        settings = settings or get_settings()
        path = audit_log_path(settings)
        return cls(path, derived_key("audit", settings), anchor_path(path, settings.audit_anchors))

    def _mac(self, body: dict) -> str:
        return hmac.new(self._key, _canonical(body), hashlib.sha256).hexdigest()

    def check_writable(self) -> None:
        """Raise `AuditUnavailable` unless an entry could be appended now."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise AuditUnavailable(f"the audit log {self.path} cannot be written ({exc.strerror}); refused") from None

    def append(self, actor: str, action: str, **details) -> dict:
        """Write one entry (durably) and return it; `AuditUnavailable` if it cannot be written."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                last, ends_with_newline = _last_entry(f)
                body = {
                    "seq": (last["seq"] + 1) if last else 1,
                    "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                    "actor": actor,
                    "action": action,
                    **details,
                    "prev": last["mac"] if last else GENESIS,
                }
                entry = {**body, "mac": self._mac(body)}
                f.seek(0, os.SEEK_END)
                line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
                f.write(("" if ends_with_newline else "\n").encode() + line.encode())
                f.flush()
                os.fsync(f.fileno())
                self._write_anchor(entry)
                return entry
        except OSError as exc:
            raise AuditUnavailable(f"the audit log {self.path} cannot be written ({exc.strerror}); refused") from None

    def _anchor_mac(self, seq: int, mac: str) -> str:
        return self._mac({"anchor": str(self.path.resolve()), "seq": seq, "mac": mac})

    def _write_anchor(self, entry: dict) -> None:
        if self.anchor is None:
            return
        self.anchor.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        head = {"log": str(self.path.resolve()), "seq": entry["seq"], "mac": entry["mac"]}
        signature = self._anchor_mac(entry["seq"], entry["mac"])
        write_text_atomically(self.anchor, json.dumps({**head, "signature": signature}))

    def verify(self) -> Verification:
        """Walk the chain (every entry's MAC, its link to the one before, its sequence number), then hold
        its head against the anchor."""
        result = Verification()
        macs: dict[int, str] = {}
        if self.path.exists():
            prev, expected_seq = GENESIS, 1
            with self.path.open(encoding="utf-8", errors="replace") as f:
                for line_no, line in enumerate(f, start=1):
                    result.entries += 1
                    entry = _entry(line)
                    if entry is None:
                        result.problems.append(f"line {line_no}: not an audit entry")
                        continue
                    mac = entry.pop("mac")
                    if not hmac.compare_digest(str(mac), self._mac(entry)):
                        result.problems.append(f"line {line_no} (seq {entry['seq']}): altered (MAC does not match)")
                    if entry.get("prev") != prev:
                        result.problems.append(
                            f"line {line_no} (seq {entry['seq']}): chain broken (an entry before it was "
                            "altered, removed or moved)"
                        )
                    if entry["seq"] != expected_seq:
                        result.problems.append(f"line {line_no}: sequence {entry['seq']}, expected {expected_seq}")
                    prev, expected_seq = mac, entry["seq"] + 1
                    macs[entry["seq"]] = mac
            result.head = prev
        result.problems += self._anchor_problems(macs)
        return result

    def _anchor_problems(self, macs: dict[int, str]) -> list[str]:
        if self.anchor is None or not self.anchor.exists():
            return []
        try:
            head = json.loads(self.anchor.read_text(encoding="utf-8"))
            seq, mac = int(head["seq"]), str(head["mac"])
            signed = hmac.compare_digest(str(head["signature"]), self._anchor_mac(seq, mac))
        except (ValueError, KeyError, TypeError):
            return [f"the anchor {self.anchor} is unreadable"]
        if not signed:
            return [f"the anchor {self.anchor} is altered (its signature does not match)"]
        if not self.path.exists():
            return [f"the log is gone: its anchor says it held {seq} entries"]
        if macs.get(seq) != mac:
            last = max(macs, default=0)
            return [f"the log ends at seq {last} but its anchor says seq {seq}: entries were cut off or replaced"]
        return []


def _last_entry(f) -> tuple[dict | None, bool]:
    """The last good entry of the open log (None if there is none) and whether the file ends a line."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size == 0:
        return None, True
    f.seek(size - 1)
    ends_with_newline = f.read(1) == b"\n"
    step, pos, tail = 4096, size, b""
    while pos > 0:
        pos = max(0, pos - step)
        f.seek(pos)
        tail = f.read(size - pos)
        lines = tail.split(b"\n")
        for line in reversed(lines[1:] if pos > 0 else lines):  # the first piece may be a cut line
            entry = _entry(line) if line.strip() else None
            if entry is not None:
                return entry, ends_with_newline
        step *= 2
    return None, ends_with_newline


__all__ = ["AuditLog", "AuditUnavailable", "Verification", "audit_log_path", "scrub_sql", "scrub_text"]

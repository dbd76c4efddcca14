"""The audit log: append-only, hash-chained, keyed — who read what, when, and how many rows.

Each entry carries the MAC of the one before it, under a key derived from the platform secret
(held outside the lake), so an entry cannot be altered, removed or moved without breaking every
MAC after it — and the chain cannot be recomputed by whoever edited the file. Writers serialise on
an exclusive lock, and an entry is on disk (fsync) before the caller gets the rows it describes:
if the entry cannot be written, the caller gets nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.privacy.keys import derived_key
from pipelines.settings import Settings, get_settings
from pipelines.standards.masking import mask

GENESIS = "0" * 64
ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
CJK_LITERAL = re.compile(r"'([^']*[\u3400-\u9fff][^']*)'")


class AuditUnavailable(RuntimeError):
    """The audit log cannot be written: whatever was to be audited is refused."""


def scrub(text: str) -> str:
    """Text as the audit log may hold it: ID and mobile numbers masked, Chinese literals (names,
    addresses) masked like names. The log records what was asked, never the personal data in it."""
    text = ID_NUMBER.sub(lambda m: mask("citizen_id", m.group(1)) or "", text)
    text = MOBILE.sub(lambda m: mask("mobile_phone", m.group(1)) or "", text)
    return CJK_LITERAL.sub(lambda m: "'" + (mask("person_name", m.group(1)) or "") + "'", text)


def audit_log_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "audit" / "audit.jsonl"


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Verification:
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    head: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, path: Path, key: bytes):
        self.path = path
        self._key = key

    @classmethod
    def open(cls, settings: Settings | None = None) -> AuditLog:
        return cls(audit_log_path(settings), derived_key("audit", settings))

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
                last = _last_entry(f)
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
                f.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode())
                f.flush()
                os.fsync(f.fileno())
                return entry
        except OSError as exc:
            raise AuditUnavailable(f"the audit log {self.path} cannot be written ({exc.strerror}); refused") from None

    def verify(self) -> Verification:
        """Walk the chain: every entry's MAC, its link to the one before, and its sequence number."""
        result = Verification()
        if not self.path.exists():
            return result
        prev, expected_seq = GENESIS, 1
        with self.path.open(encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                result.entries += 1
                try:
                    entry = json.loads(line)
                    mac = entry.pop("mac")
                except (ValueError, KeyError):
                    result.problems.append(f"line {line_no}: not an audit entry")
                    continue
                if not hmac.compare_digest(mac, self._mac(entry)):
                    result.problems.append(f"line {line_no} (seq {entry.get('seq')}): altered (MAC does not match)")
                if entry.get("prev") != prev:
                    result.problems.append(
                        f"line {line_no} (seq {entry.get('seq')}): chain broken (an entry before it was "
                        "altered, removed or moved)"
                    )
                if entry.get("seq") != expected_seq:
                    result.problems.append(f"line {line_no}: sequence {entry.get('seq')}, expected {expected_seq}")
                prev, expected_seq = mac, (entry.get("seq") or expected_seq) + 1
        result.head = prev
        return result


def _last_entry(f) -> dict | None:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size == 0:
        return None
    step = 4096  # an entry is well under this; read further back only if it is not
    pos = size
    while pos > 0:
        pos = max(0, pos - step)
        f.seek(pos)
        tail = f.read(size - pos)
        lines = tail.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or pos == 0:
            return json.loads(lines[-1])
    return None

"""Disputes: each value a department gives that disagrees with the authoritative source
(`quality.conflicts`), routed to the department that is authoritative for it (`catalog/subjects/`).

A dispute is one attribute of one source record (subject, attribute, resource, record). Its life is kept
beside the lake as events (one JSON line each, validated on reading, never rewritten), like the linkage
decisions:
- `open`: routed by a build that found the conflict (or found it again after it was corrected);
- `confirmed`: the authority agrees the department's value is right. From the next build on, the golden
  record takes that value and the department's consistency no longer counts it against it;
- `rejected`: the authority's value stands; the department's value still counts against it;
- `corrected`: a later build found the values agree (one side corrected its record) or the record gone.

Only the authority resolves (`confirmed` or `rejected`), with a reason, audited before it takes effect;
`open` and `corrected` come from the builds. An event names the record by its key, no values; the
dispute's id is keyed (HMAC) so it says nothing of the record key it stands for.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from pipelines.files import append_json_lines
from pipelines.settings import Settings

ROUTER = "govlake"  # who the builds' events are by


class Status(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CORRECTED = "corrected"


RESOLUTIONS = (Status.CONFIRMED, Status.REJECTED)  # what an authority may decide
STANDING = (Status.OPEN, Status.CONFIRMED, Status.REJECTED)  # a conflict still there


class DisputeKey(BaseModel):
    """What a dispute is about: one attribute of one source record, and whom it is routed to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str
    attribute: str
    department: str
    resource: str
    source_record_id: str
    authority_department: str


class DisputeEvent(DisputeKey):
    dispute_id: str
    status: Status
    on: date = Field(description="the business date: the build's as-of date, or the resolution's")
    by: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    recorded_at: datetime


@dataclass(frozen=True)
class Dispute:
    key: DisputeKey
    dispute_id: str
    status: Status
    opened_on: date
    resolved_on: date | None


def disputes_path(settings: Settings) -> Path:
    return settings.data_root / "quality" / "disputes.jsonl"


def disputes_snapshot_path(settings: Settings) -> Path:
    """What dbt reads (source `stewardship.disputes`): each dispute's current state, no reasons or names."""
    return settings.lake_root / "stewardship" / "disputes.parquet"


def dispute_ids(settings: Settings) -> Callable[[DisputeKey | dict], str]:
    """The id of a dispute by its key (or a row with its fields), under the disputes' key (derived once: a
    build names every conflict)."""
    from pipelines.privacy.keys import derived_key

    secret = derived_key("disputes", settings)

    def dispute_id(key: DisputeKey | dict) -> str:
        fields = key if isinstance(key, dict) else key.__dict__
        message = "\x1f".join(fields[f] for f in ID_FIELDS).encode()
        return "D" + hmac.digest(secret, message, "sha256").hex()[:15]

    return dispute_id


ID_FIELDS = ("subject", "attribute", "resource", "source_record_id")
SNAPSHOT_SCHEMA = pa.schema(
    [
        ("dispute_id", pa.string()),
        *((f, pa.string()) for f in DisputeKey.model_fields),
        ("status", pa.string()),
        ("opened_on", pa.date32()),
        ("resolved_on", pa.date32()),
    ]
)
# in the snapshot's metadata: how many bytes of the register it was made from, and their digest
SNAPSHOT_BYTES, SNAPSHOT_DIGEST = b"govlake.register_bytes", b"govlake.register_sha256"


def load_disputes(settings: Settings, ids: Collection[str] | None = None) -> dict[str, Dispute]:
    """Every dispute ever routed (or those of `ids`), by id, as its events leave it."""
    return _disputes(settings, _register(settings), ids)


def _disputes(settings: Settings, register: bytes, ids: Collection[str] | None = None) -> dict[str, Dispute]:
    table, start = _snapshot(settings, register)
    if ids is not None:
        table = table.filter(pc.is_in(table["dispute_id"], pa.array(sorted(ids), pa.string())))
    fields = list(DisputeKey.model_fields)
    out = {
        r["dispute_id"]: Dispute(
            DisputeKey.model_construct(**{f: r[f] for f in fields}),  # validated when its events were read
            r["dispute_id"],
            Status(r["status"]),
            r["opened_on"],
            r["resolved_on"],
        )
        for r in table.to_pylist()
    }
    for e in _events(register, start):
        if ids is not None and e.dispute_id not in ids:
            continue
        key = DisputeKey(**e.model_dump(include=set(fields)))
        before = out.get(e.dispute_id)
        if e.status is Status.OPEN:
            out[e.dispute_id] = Dispute(key, e.dispute_id, e.status, e.on, None)
        elif before is not None:
            out[e.dispute_id] = Dispute(key, e.dispute_id, e.status, before.opened_on, e.on)
    return out


def _statuses(settings: Settings) -> dict[str, Status]:
    """Every dispute's status, by id (what routing needs of the tens of thousands a big city has)."""
    register = _register(settings)
    table, start = _snapshot(settings, register)
    out = dict(zip(table["dispute_id"].to_pylist(), map(Status, table["status"].to_pylist()), strict=True))
    for e in _events(register, start):
        if e.status is Status.OPEN or e.dispute_id in out:
            out[e.dispute_id] = e.status
    return out


def _register(settings: Settings) -> bytes:
    path = disputes_path(settings)
    return path.read_bytes() if path.exists() else b""


def _events(register: bytes, start: int) -> Iterator[DisputeEvent]:
    """The register's events from byte `start` on, validated."""
    for line in register[start:].decode("utf-8").splitlines():
        if line.strip():
            yield DisputeEvent.model_validate_json(line)


def _snapshot(settings: Settings, register: bytes) -> tuple[pa.Table, int]:
    """The disputes the snapshot holds and how many bytes of `register` it was made from: the events there
    are not read again. It holds every dispute as they left them, and the register only grows (the digest
    of its bytes up to where the snapshot stopped shows it is the same register). At a million people a
    build routes about 70,000 conflicts: reading all their events again cost 2.3 s each time, three times
    a build. None of it and 0 if the snapshot was made from another register (or there is none)."""
    path = disputes_snapshot_path(settings)
    size = _made_from(path, register)
    if size is None:
        return SNAPSHOT_SCHEMA.empty_table(), 0
    return pq.read_table(path), size


def _made_from(path: Path, register: bytes) -> int | None:
    """How many bytes of `register` the snapshot at `path` was made from, read from its footer once; None if
    there is no snapshot or it was made from another register."""
    if not path.exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    size = int(meta.get(SNAPSHOT_BYTES, b"-1"))
    made_from_these = 0 <= size <= len(register) and meta.get(SNAPSHOT_DIGEST) == _digest(register[:size])
    return size if made_from_these else None


def _digest(register: bytes) -> bytes:
    return hashlib.sha256(register).hexdigest().encode()


def _append(settings: Settings, events: Iterable[DisputeEvent]) -> None:
    append_json_lines(disputes_path(settings), events)


def _event(key: DisputeKey, dispute_id_: str, status: Status, on: date, by: str, reason: str) -> DisputeEvent:
    return DisputeEvent(
        **key.model_dump(),
        dispute_id=dispute_id_,
        status=status,
        on=on,
        by=by,
        reason=reason,
        recorded_at=datetime.now(UTC),
    )


@dataclass(frozen=True)
class Routing:
    opened: int
    corrected: int
    standing: int  # disputes whose conflict is still there, after this build


def route(settings: Settings, conflicts: Iterable[dict], on: date) -> Routing:
    """Route a build's conflicts (rows with DisputeKey's fields): a conflict without a standing dispute
    opens one; a standing dispute whose conflict is gone is corrected."""
    known, dispute_id = _statuses(settings), dispute_ids(settings)
    found = {dispute_id(row): row for row in conflicts}
    events = [
        _event(
            DisputeKey(**{f: row[f] for f in DisputeKey.model_fields}),
            i,
            Status.OPEN,
            on,
            ROUTER,
            "routed: the value disagrees with the authority's",
        )
        for i, row in sorted(found.items())
        if i not in known or known[i] is Status.CORRECTED
    ]
    opened = len(events)
    gone = load_disputes(settings, {i for i, status in known.items() if status in STANDING and i not in found})
    events += [
        _event(d.key, i, Status.CORRECTED, on, ROUTER, "the values agree now, or the record is gone")
        for i, d in sorted(gone.items())
    ]
    _append(settings, events)
    return Routing(opened=opened, corrected=len(events) - opened, standing=len(found))


class DisputeRefused(ValueError):
    """A resolution the register cannot take: unknown dispute, not the authority, not standing."""


def resolve(
    settings: Settings,
    dispute: str,
    department: str,
    status: Status,
    reason: str,
    by: str,
    on: date,
    audit: Callable[[DisputeEvent], None],
) -> DisputeEvent:
    """The authority `department` decides dispute `dispute`; `audit` gets the decision before it is kept."""
    if status not in RESOLUTIONS:
        raise DisputeRefused(f"a department resolves a dispute as {' or '.join(RESOLUTIONS)}, not {status}")
    known = load_disputes(settings, {dispute}).get(dispute)
    if known is None:
        raise DisputeRefused(f"no dispute {dispute}")
    if known.key.authority_department != department:
        raise DisputeRefused(f"{dispute} is routed to {known.key.authority_department}, not to {department}")
    if known.status not in STANDING:
        raise DisputeRefused(f"{dispute} is {known.status}: nothing is left to resolve")
    event = _event(known.key, dispute, status, on, by, reason)
    audit(event)  # before it takes effect: a resolution the log cannot hold is not made
    _append(settings, [event])
    return event


def export_disputes(settings: Settings) -> Path:
    """Write the snapshot dbt reads (an empty one before the first dispute), unless it holds the register as
    it is; returns its path."""
    from pipelines.lake.layout import write_parquet_atomically

    path, register = disputes_snapshot_path(settings), _register(settings)
    if _made_from(path, register) == len(register):
        return path
    disputes = sorted(_disputes(settings, register).values(), key=lambda d: d.dispute_id)  # what the metadata says
    rows = [
        {
            "dispute_id": d.dispute_id,
            **d.key.model_dump(),
            "status": d.status.value,
            "opened_on": d.opened_on,
            "resolved_on": d.resolved_on,
        }
        for d in disputes
    ]
    made_from = {SNAPSHOT_BYTES: str(len(register)).encode(), SNAPSHOT_DIGEST: _digest(register)}
    return write_parquet_atomically(pa.Table.from_pylist(rows, SNAPSHOT_SCHEMA.with_metadata(made_from)), path)

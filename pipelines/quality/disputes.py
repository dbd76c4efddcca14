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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

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


def dispute_ids(settings: Settings) -> Callable[[DisputeKey], str]:
    """The id of a dispute by its key, under the disputes' key (derived once: a build names every conflict)."""
    from pipelines.privacy.keys import derived_key

    secret = derived_key("disputes", settings)

    def dispute_id(key: DisputeKey) -> str:
        message = "\x1f".join((key.subject, key.attribute, key.resource, key.source_record_id)).encode()
        return "D" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:15]

    return dispute_id


def load_disputes(settings: Settings) -> dict[str, Dispute]:
    """Every dispute ever routed, by id, as its events leave it."""
    path = disputes_path(settings)
    out: dict[str, Dispute] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        e = DisputeEvent.model_validate_json(line)
        key = DisputeKey(**e.model_dump(include=set(DisputeKey.model_fields)))
        before = out.get(e.dispute_id)
        if e.status is Status.OPEN:
            out[e.dispute_id] = Dispute(key, e.dispute_id, e.status, e.on, None)
        elif before is not None:
            out[e.dispute_id] = Dispute(key, e.dispute_id, e.status, before.opened_on, e.on)
    return out


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
    known, dispute_id = load_disputes(settings), dispute_ids(settings)
    found: dict[str, DisputeKey] = {}
    for row in conflicts:
        key = DisputeKey(**{f: row[f] for f in DisputeKey.model_fields})
        found[dispute_id(key)] = key
    events = [
        _event(key, i, Status.OPEN, on, ROUTER, "routed: the value disagrees with the authority's")
        for i, key in sorted(found.items())
        if i not in known or known[i].status is Status.CORRECTED
    ]
    opened = len(events)
    events += [
        _event(d.key, i, Status.CORRECTED, on, ROUTER, "the values agree now, or the record is gone")
        for i, d in sorted(known.items())
        if d.status in STANDING and i not in found
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
    known = load_disputes(settings).get(dispute)
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
    """Write the snapshot dbt reads (an empty one before the first dispute); returns its path."""
    import pyarrow as pa

    from pipelines.lake.layout import write_parquet_atomically

    disputes = sorted(load_disputes(settings).values(), key=lambda d: d.dispute_id)
    keys = [(f, pa.string()) for f in DisputeKey.model_fields]
    dates = [("opened_on", pa.date32()), ("resolved_on", pa.date32())]
    schema = pa.schema([("dispute_id", pa.string()), *keys, ("status", pa.string()), *dates])
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
    return write_parquet_atomically(pa.Table.from_pylist(rows, schema=schema), disputes_snapshot_path(settings))

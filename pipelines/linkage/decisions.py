"""A clerk's decisions on records held for review: which of the candidate people a record is.

A held record (`linkage.<subject>_review`) links to no one until a clerk decides; the decision is kept
beside the lake (one JSON line each, validated on reading, never rewritten) and every later linkage
honours it while the record is still held between the same people. A decision names a record key and a
person id, no personal data. Like a query, a decision is audited before it takes effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipelines.files import append_json_lines
from pipelines.settings import Settings


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str
    record: str = Field(description="source_record_id of the held record")
    person: str = Field(description="the candidate's stable id (person_id or entity_id)")
    reason: str = Field(min_length=3)
    decided_by: str = Field(min_length=1)
    decided_at: datetime


def decisions_path(settings: Settings) -> Path:
    return settings.data_root / "linkage" / "decisions.jsonl"


def load_decisions(settings: Settings, subject: str) -> list[Decision]:
    """The subject's decisions; a later decision on the same record replaces an earlier one."""
    path = decisions_path(settings)
    if not path.exists():
        return []
    latest: dict[str, Decision] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = Decision.model_validate_json(line)
            if d.subject == subject:
                latest[d.record] = d
    return list(latest.values())


def decide(
    settings: Settings,
    subject: str,
    record: str,
    person: str,
    reason: str,
    decided_by: str,
    audit: Callable[[Decision], None],
) -> Decision:
    """Record that the held `record` is `person`, one of its candidates; raises ValueError otherwise.
    `audit` gets the decision before it is kept (the access layer's log, above this one)."""
    from pipelines.linkage.run import SUBJECTS, review_queue

    column = f"candidate_{SUBJECTS[subject].id_column}"
    candidates = {r[column] for r in review_queue(settings, subject) if r["source_record_id"] == record}
    if not candidates:
        raise ValueError(f"{record} is not held for review")
    if person not in candidates:
        raise ValueError(f"{person} is not a candidate of {record}: one of {', '.join(sorted(candidates))}")
    decision = Decision(
        subject=subject,
        record=record,
        person=person,
        reason=reason,
        decided_by=decided_by,
        decided_at=datetime.now(UTC),
    )
    audit(decision)  # before it takes effect: a decision the log cannot hold is not made
    append_json_lines(decisions_path(settings), [decision])
    return decision

"""The quality gate (质量闸门): a broken delivery is held back from the subject databases, not scored and built.

Before a build takes new loads in, each is validated (Great Expectations, the same suites and stored
results the scorecards read) and judged. A load in which any scored check — error severity, not waived —
fails on more of its rows than its resource's ceiling (`delivery.hold_above` in the catalogue) is broken:
a shifted column, a wrong code table, a third of its IDs failing. The ceiling must be passed with 99%
confidence (the Wilson interval's lower bound above it), so a day's one or two changed records with a
typo are not a broken delivery. A broken load is held: the ledger's `holds` names the checks that tripped, its files move
from `raw/` to `held/` (the staging models read `raw/` only), and the subject databases keep their last
good state. Its results still count on the scorecards: the department delivered it.

A hold ends when the department re-delivers — a later load of the same resource passes the gate, being
a whole snapshot or the same delivery again — and the held load is `replaced` (never built), or when an
administrator releases it with a reason (`govlake quality release`, audited): it goes back to `raw/`
and the next build takes it in.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from pipelines.catalog import load_catalog
from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger
from pipelines.settings import Settings
from pipelines.standards.scrub import scrub_text

CONFIDENCE_Z = 2.576  # 99%: a one-row delivery failing (0.13 at least) is not a broken one; two of two failing is
STANDING, RELEASED, REPLACED = None, "released", "replaced"


@dataclass(frozen=True)
class Tripped:
    """One scored check of a load failing above its ceiling."""

    rule: str
    column: str
    failing: int
    checked: int

    def __str__(self) -> str:
        return f"{self.rule} on {self.column}: {self.failing} of {self.checked} rows failing"


def describe(checks: list, first: int | None = None) -> str:
    """A hold's tripped checks (`Tripped`, or the dicts `holds` gives) on one line: the first `first` of them
    and how many more. What the CLI, the demo and the failed gate task print."""
    checks = [c if isinstance(c, Tripped) else Tripped(**c) for c in checks]
    more = len(checks) - len(checks[:first])
    return "; ".join(str(c) for c in checks[:first]) + (f" (+{more} more)" if more else "")


@dataclass(frozen=True)
class GateReport:
    held: list[dict]  # the loads this run held: load id, department, resource, delivery, tripped checks
    replaced: list[str]  # held loads ended because the department re-delivered

    def __bool__(self) -> bool:
        return bool(self.held or self.replaced)


class ReleaseRefused(ValueError):
    """A release the gate cannot take: no standing hold on that load, or no reason given."""


def wilson_lower(failing: int, checked: int, z: float = CONFIDENCE_Z) -> float:
    """The lower bound of the Wilson score interval of a failure rate: what it is at least, with confidence."""
    if checked <= 0:
        return 0.0
    p = failing / checked
    centre = p + z * z / (2 * checked)
    spread = z * math.sqrt(p * (1 - p) / checked + z * z / (4 * checked * checked))
    return max(0.0, (centre - spread) / (1 + z * z / checked))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _ledger(settings: Settings) -> Ledger:
    return Ledger(LakeLayout(settings.lake_root).ledger_path)


def gate(settings: Settings, consumer: str) -> GateReport:
    """Validate the loads `consumer` has still to take in, hold the broken ones, end the holds a passing
    re-delivery replaces. Idempotent: a load judged already is judged the same again."""
    from pipelines.quality.validate import validate

    ledger = _ledger(settings)
    settle_files(settings)
    pending = ledger.pending(consumer)
    if not pending:
        return GateReport([], [])
    validate(settings)
    judged = {h["load_id"] for h in ledger.holds()}  # a released load is not held again
    tripped = _tripped(settings, [i for i in pending if i not in judged])
    loads = {r["load_id"]: r for r in ledger.rows(f"load_id in ({', '.join('?' for _ in pending)})", tuple(pending))}
    held = []
    for load_id, checks in tripped.items():
        ledger.hold(load_id, _now(), json.dumps([c.__dict__ for c in checks], ensure_ascii=False))
        row = loads[load_id]
        held.append({**{k: row[k] for k in ("load_id", "department", "resource", "delivery")}, "tripped": checks})
    settle_files(settings)
    passed = [loads[i] for i in pending if i not in tripped]
    return GateReport(held, _replace(ledger, passed))


def _tripped(settings: Settings, load_ids: list[str]) -> dict[str, list[Tripped]]:
    """The loads (of `load_ids`) with a scored check over their resource's ceiling, from their latest stored
    full validation."""
    import duckdb

    from pipelines.quality.validate import FULL, results_root

    root = results_root(settings)
    if not any(root.glob("run_id=*/*.parquet")):
        return {}
    con = duckdb.connect()
    con.execute("create temp table pending (load_id varchar)")
    con.executemany("insert into pending values (?)", [(i,) for i in load_ids])
    rows = con.execute(
        f"""select department, resource, load_id, rule, column_name, unexpected_count, element_count
            from read_parquet('{root}/run_id=*/*.parquet', union_by_name = true)
            semi join pending using (load_id)
            where coalesce(mode, '{FULL}') = '{FULL}' and severity = 'error' and not waived
              and unexpected_count > 0
            qualify run_id = max(run_id) over (partition by load_id)
            order by load_id, rule, column_name"""
    ).fetchall()
    catalog = load_catalog()
    out: dict[str, list[Tripped]] = {}
    for dept, res, load_id, rule, column, failing, checked in rows:
        ceiling = catalog.resource(dept, res).delivery.hold_above
        if wilson_lower(int(failing), int(checked or 0)) > ceiling:
            out.setdefault(load_id, []).append(Tripped(rule, column, int(failing), int(checked)))
    return out


def _replace(ledger: Ledger, passed: list[dict]) -> list[str]:
    """End the standing holds a passing load re-delivers: a later snapshot of the resource, or a later
    load of the same delivery."""
    ended = []
    for hold in ledger.holds("h.outcome is null"):
        for load in passed:
            same_resource = (load["department"], load["resource"]) == (hold["department"], hold["resource"])
            later = load["load_id"] > hold["load_id"]
            again = load["semantics"] == "snapshot" or load["delivery"] == hold["delivery"]
            if same_resource and later and again:
                why = f"re-delivered as {load['delivery']} ({load['load_id']}), which passed the gate"
                ledger.end_hold(hold["load_id"], REPLACED, _now(), "gate", why)
                ended.append(hold["load_id"])
                break
    return ended


def holds(settings: Settings, department: str | None = None, ended_too: bool = False) -> list[dict]:
    """The holds (standing only, unless `ended_too`), each with its checks tripped as a list."""
    where, params = ("1=1" if ended_too else "h.outcome is null"), ()
    if department:
        where, params = f"{where} and l.department = ?", (department,)
    return [{**h, "tripped": json.loads(h["tripped"])} for h in _ledger(settings).holds(where, params)]


def release(settings: Settings, load_id: str, reason: str, by: str, audit) -> dict:
    """An administrator lets a held load into the next build; `audit(entry)` records it first (and refuses
    it when it cannot be recorded)."""
    if not reason.strip():
        raise ReleaseRefused("a release needs a reason: what was checked, and why the delivery may go in")
    ledger = _ledger(settings)
    standing = ledger.holds("h.load_id = ? and h.outcome is null", (load_id,))
    if not standing:
        raise ReleaseRefused(f"{load_id} is not held (see `govlake quality holds`)")
    reason = scrub_text(reason)  # free text: an ID or a name typed into it is masked before it is kept or shown
    audit({"load_id": load_id, "by": by, "reason": reason})
    ledger.end_hold(load_id, RELEASED, _now(), by, reason)
    settle_files(settings)
    return {**standing[0], "outcome": RELEASED, "ended_by": by, "reason": reason}


def settle_files(settings: Settings) -> None:
    """Put every held batch's files where its hold says: `held/` while held or replaced, `raw/` once
    released. The ledger is written first, the files follow, so a run killed between the two is settled
    by the next one."""
    layout = LakeLayout(settings.lake_root)
    for h in _ledger(settings).holds():
        raw = layout.raw_batch(h["department"], h["resource"], h["load_id"])
        held = layout.held_batch(h["department"], h["resource"], h["load_id"])
        source, target = (held, raw) if h["outcome"] == RELEASED else (raw, held)
        if source.exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)

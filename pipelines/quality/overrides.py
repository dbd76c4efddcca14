"""Per-department thresholds and waivers for the generated suites (`expectations/departments/<dept>.yml`).

A threshold is the share of rows that must pass a rule (GX's `mostly`), passed to the suite as a
`$PARAMETER`, so suites stay generated and identical in shape for every department. A waiver excuses
a rule for a department (optionally one resource) with a reason and an expiry date; after the expiry
it no longer applies, and the scorecard counts the failures again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipelines.paths import DEPARTMENT_OVERRIDES_DIR as OVERRIDES_DIR
from pipelines.yamlio import DeclarationsInvalid, Problem, read


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="`<element>.<check>`, a cross-field rule id, or `required`")
    resource: str | None = None
    reason: str = Field(min_length=8)
    expires: date

    def applies(self, rule: str, resource: str, on: date) -> bool:
        return self.rule == rule and self.resource in (None, resource) and on <= self.expires


class DepartmentOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    department: str
    thresholds: dict[str, float] = Field(default_factory=dict, description="rule -> share that must pass (0-1]")
    waivers: list[Waiver] = Field(default_factory=list)

    def mostly(self, rule: str) -> float:
        return self.thresholds.get(rule, 1.0)

    def waiver(self, rule: str, resource: str, on: date) -> Waiver | None:
        return next((w for w in self.waivers if w.applies(rule, resource, on)), None)


class OverridesInvalid(DeclarationsInvalid):
    what = "expectation overrides are"


def load_overrides(folder: Path = OVERRIDES_DIR) -> dict[str, DepartmentOverrides]:
    """Every department's overrides; a department without a file gets none. All problems at once."""
    out: dict[str, DepartmentOverrides] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        doc, parsed, found = read(path, DepartmentOverrides)
        problems.extend(found)
        if doc is None or parsed is None:
            continue
        if parsed.department != path.stem:
            problems.append(
                Problem(
                    path, doc.line_of(("department",)), f"department {parsed.department!r} does not match the file name"
                )
            )
        problems.extend(
            Problem(path, doc.line_of(("thresholds", r)), f"threshold {r} = {v} is not in (0, 1]")
            for r, v in parsed.thresholds.items()
            if not 0 < v <= 1
        )
        out[parsed.department] = parsed
    if problems:
        raise OverridesInvalid(problems)
    return out


def overrides_for(department: str) -> DepartmentOverrides:
    return load_overrides().get(department, DepartmentOverrides(department=department))

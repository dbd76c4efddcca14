"""One Great Expectations suite per catalogued resource, generated from `standards/` + `catalog/`.

Every field gets the checks of its data element (on its normalised value), every required field a
completeness check (placeholders normalise to NULL, so they count as missing), every party the
cross-field rules whose two standard columns it carries. Each expectation's `mostly` is a
`$PARAMETER` named after its rule, filled from the department's thresholds at run time, and its
`meta` names the department, resource, column, rule, dimension and severity the results are scored by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.catalog.models import SUBJECT_PARTY, Department, FieldSpec, Resource
from pipelines.engines.dialects import HOUSE, Dialect
from pipelines.quality.overrides import DepartmentOverrides
from pipelines.standards.registry import load_rules

REQUIRED = "required"


def parameter(rule: str) -> str:
    """The `$PARAMETER` name of a rule's threshold (GX parameters are identifiers)."""
    return "mostly__" + rule.replace(".", "__")


@dataclass(frozen=True)
class PlannedExpectation:
    """An expectation before it becomes a GX object: what it checks and how it is scored."""

    rule: str
    column: str
    dimension: str
    severity: str
    kind: str  # element check, required or cross-field rule
    element: str | None = None
    check: str | None = None
    other_column: str | None = None


def plan(resource: Resource) -> list[PlannedExpectation]:
    """Every expectation of a resource's suite, in a stable order."""
    from pipelines.standards.registry import load_elements

    elements = load_elements()
    out: list[PlannedExpectation] = []
    for f in resource.fields:
        if f.key:
            continue
        element = elements[f.element]
        if f.required:
            out.append(PlannedExpectation(REQUIRED, f.staging_column, "completeness", "error", REQUIRED))
        for c in element.checks:
            out.append(
                PlannedExpectation(
                    f"{f.element}.{c.id}",
                    f.staging_column,
                    c.dimension.value,
                    c.severity.value,
                    "check",
                    f.element,
                    c.id,
                )
            )
    by_party: dict[str, dict[str, FieldSpec]] = {}
    for f in resource.fields:
        by_party.setdefault(f.party or SUBJECT_PARTY, {})[f.column or f.element] = f
    for rule in load_rules():
        left, right = rule.columns
        for fields in by_party.values():
            if (
                left in fields
                and right in fields
                and (fields[left].element, fields[right].element)
                == (
                    rule.left,
                    rule.right,
                )
            ):
                out.append(
                    PlannedExpectation(
                        rule.id,
                        fields[left].staging_column,
                        rule.dimension.value,
                        rule.severity.value,
                        "rule",
                        other_column=fields[right].staging_column,
                    )
                )
    return out


def build_suite(department: Department, resource: Resource, dialect: Dialect = HOUSE):
    """The resource's GX suite (thresholds are parameters: see `suite_parameters`); the standards' own
    checks are SQL in `dialect`, the engine's that validates."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from pipelines.standards.expectations import element_expectations, rule_expectation

    expectations = []
    for p in plan(resource):
        if p.kind == REQUIRED:
            exp = gxe.ExpectColumnValuesToNotBeNull(column=p.column, meta={"dimension": p.dimension})
        elif p.kind == "check":
            exp = next(e for e in element_expectations(p.column, p.element, dialect) if e.meta["check"] == p.check)
        else:
            exp = rule_expectation(p.rule, p.column, p.other_column, dialect)
        if "mostly" in type(exp).__fields__:  # GX 1.x models are pydantic v1
            exp.mostly = {"$PARAMETER": parameter(p.rule)}
        exp.meta = {
            **(exp.meta or {}),
            "department": department.code,
            "resource": resource.slug,
            "column": p.column,
            "rule": p.rule,
            "dimension": p.dimension,
            "severity": p.severity,
        }
        expectations.append(exp)
    return gx.ExpectationSuite(name=f"{department.code}__{resource.slug}", expectations=expectations)


def suite_parameters(resource: Resource, overrides: DepartmentOverrides) -> dict[str, Any]:
    """The `$PARAMETER` values of a resource's suite: each rule's threshold (1.0 unless overridden)."""
    return {parameter(p.rule): overrides.mostly(p.rule) for p in plan(resource)}


def snapshot(department: Department, resource: Resource) -> list[dict]:
    """A reviewable digest of a suite: one line per expectation, with a hash of its full arguments
    (the custom expectations carry long generated SQL), so a standards change shows in the diff."""
    import hashlib
    import json

    out = []
    for exp in build_suite(department, resource).expectations:
        config = exp.configuration.to_json_dict()
        kwargs = json.dumps(config["kwargs"], sort_keys=True, ensure_ascii=False)
        out.append(
            {
                "type": config["type"],
                "column": exp.meta["column"],
                "rule": exp.meta["rule"],
                "dimension": exp.meta["dimension"],
                "severity": exp.meta["severity"],
                "kwargs_sha256": hashlib.sha256(kwargs.encode()).hexdigest()[:16],
            }
        )
    return out

"""The standards as Great Expectations 1.x expectations.

Checks GX has a built-in for become that built-in (whole-value regex, membership of a short code
list, length); the rest become custom expectations whose logic is the engine's own SQL: a check on
part of a value, a checksum, a calendar date, membership of a long code list (looked up in the code
table: GX would inline thousands of division codes as literals in every query it plans, which cost
Spark more than the rest of the suite), and the cross-field rules. Every expectation carries in
`meta` the element, check, GB/T 36344 dimension and severity it stands for, so results can be
scored and traced back to `standards/`. Expectations apply to standardised (normalised) columns.
"""

from __future__ import annotations

from typing import ClassVar

import great_expectations.expectations as gxe
from great_expectations.compatibility import pydantic  # GX 1.x models are pydantic v1

from pipelines.engines.dialects import HOUSE, Dialect, dialect_named
from pipelines.standards.python import codelist_codes
from pipelines.standards.registry import load_elements, load_rule
from pipelines.standards.spec import CodelistCheck, MaxLengthCheck, RegexCheck
from pipelines.standards.sql import checks_sql, cross_field_sql

INLINE_CODES = 100  # a code list up to this long is GX's own in-set expectation; a longer one a lookup


class _StandardSqlExpectation(gxe.UnexpectedRowsExpectation):
    """Unexpected rows found by the standards engine's own SQL for `dialect` (a `Dialect`'s name: the
    configuration is stored as data)."""

    dialect: str = HOUSE.name
    description: str | None = None
    library_metadata: ClassVar[dict] = {"tags": ["govlake", "standards"], "contributors": ["govlake"]}
    # the count only: GX would also fetch up to 200 failing rows of every check, failing or not (a second
    # Spark job per check); the validation fetches the failing rows of the checks that found any
    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None) -> dict:
        count = metrics["unexpected_rows_query.row_count"]
        return {"success": count == 0, "result": {"observed_value": count}}


class ExpectColumnValuesToPassStandardCheck(_StandardSqlExpectation):
    """Custom: the values of `column` pass check `check` of data element `element` (checksums,
    embedded dates and codes...). Missing values and values outside the check's scope pass."""

    column: str
    element: str
    check: str

    @pydantic.root_validator(pre=True)
    def _query(cls, data: dict) -> dict:
        d = dialect_named(data.get("dialect", HOUSE.name))
        checks = checks_sql(load_elements()[data["element"]], d.ident(data["column"]), d)
        return {**data, "unexpected_rows_query": _unexpected_rows(checks[data["check"]])}


class ExpectColumnPairToPassStandardRule(_StandardSqlExpectation):
    """Custom: two columns of each row satisfy cross-field rule `rule` (e.g. the ID's birth date
    equals the birth-date column); rows where the rule does not apply pass."""

    column_a: str
    column_b: str
    rule: str

    @pydantic.root_validator(pre=True)
    def _query(cls, data: dict) -> dict:
        d = dialect_named(data.get("dialect", HOUSE.name))
        rule_sql = cross_field_sql(load_rule(data["rule"]), d.ident(data["column_a"]), d.ident(data["column_b"]), d)
        return {**data, "unexpected_rows_query": _unexpected_rows(rule_sql)}


def _unexpected_rows(check_expr: str) -> str:
    """Rows where the check is false; NULL (missing, or outside the check's scope) is not unexpected.
    Ordered by the first column (a validated batch's record key), so the rows GX returns as samples are
    the same on every engine: a check that looks codes up joins, and a join's order is the engine's own.
    GX fills `{batch}` with str.format, so the braces of regex quantifiers are doubled."""
    escaped = check_expr.replace("{", "{{").replace("}", "}}")
    return f"select * from {{batch}} where not coalesce({escaped}, true) order by 1"


def element_expectations(column: str, element_id: str, dialect: Dialect = HOUSE) -> list[gxe.Expectation]:
    """One expectation per check of the element, on a normalised column."""
    element = load_elements()[element_id]
    out: list[gxe.Expectation] = []
    for check in element.checks:
        meta = {
            "element": element_id,
            "check": check.id,
            "dimension": check.dimension.value,
            "severity": check.severity.value,
            "standard": element.standard,
        }
        simple = check.when is None
        if simple and isinstance(check, RegexCheck):
            exp = gxe.ExpectColumnValuesToMatchRegex(column=column, regex=f"^(?:{check.pattern})$", meta=meta)
        elif (
            simple
            and isinstance(check, CodelistCheck)
            and check.start == 1
            and check.length is None
            and len(codes := codelist_codes(check)) <= INLINE_CODES
        ):
            exp = gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(codes), meta=meta)
        elif simple and isinstance(check, MaxLengthCheck):
            exp = gxe.ExpectColumnValueLengthsToBeBetween(column=column, max_value=check.length, meta=meta)
        else:
            exp = ExpectColumnValuesToPassStandardCheck(
                column=column,
                element=element_id,
                check=check.id,
                dialect=dialect.name,
                meta=meta,
                description=check.description,
            )
        out.append(exp)
    return out


def rule_expectation(rule_id: str, column_a: str, column_b: str, dialect: Dialect = HOUSE) -> gxe.Expectation:
    rule = load_rule(rule_id)
    meta = {"rule": rule_id, "dimension": rule.dimension.value, "severity": rule.severity.value}
    return ExpectColumnPairToPassStandardRule(
        column_a=column_a,
        column_b=column_b,
        rule=rule_id,
        dialect=dialect.name,
        meta=meta,
        description=rule.description,
    )

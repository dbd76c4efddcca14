"""Masking of personal data (GB/T 35273 §7.2 display restriction, GB/T 37964 suppression).

The rules are data (`standards/masking.yml`): each is named and versioned, and compiles both to a
Python function (CLI examples, failing samples, error messages) and to a SQL expression (the
shared warehouses), so that a value masked in either place looks the same.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.paths import STANDARDS_DIR
from pipelines.standards.registry import Sensitivity, StandardsInvalid, load_elements
from pipelines.yamlio import load_validated

HIDDEN = "****"


class MaskingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    description: str
    kind: Literal["keep_ends", "name", "prefix", "keep"] = "keep_ends"
    keep_head: int = Field(default=0, ge=0)
    keep_tail: int = Field(default=0, ge=0)
    pattern: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> MaskingRule:
        if self.kind == "prefix" and not self.pattern:
            raise ValueError("a prefix rule needs a pattern")
        if self.kind == "keep_ends" and not (self.keep_head or self.keep_tail):
            raise ValueError("keep_ends keeps nothing: give keep_head or keep_tail")
        return self

    @property
    def masks(self) -> bool:
        return self.kind != "keep"

    def apply(self, value: str) -> str:
        match self.kind:
            case "keep":
                return value
            case "name":
                return value[:1] + "*" if len(value) <= 2 else value[:1] + "*" * (len(value) - 2) + value[-1:]
            case "prefix":
                return re.match(self.pattern or "", value).group(0) + HIDDEN  # type: ignore[union-attr]
        head, tail = self.keep_head, self.keep_tail
        if len(value) <= head + tail:
            return "*" * len(value)
        return value[:head] + "*" * (len(value) - head - tail) + (value[len(value) - tail :] if tail else "")

    def sql(self, expr: str) -> str:
        """The same rule as a DuckDB/Spark SQL expression over `expr` (NULL stays NULL)."""
        v = f"cast({expr} as varchar)"
        match self.kind:
            case "keep":
                return expr
            case "name":
                return (
                    f"case when length({v}) <= 2 then left({v}, 1) || '*' "
                    f"else left({v}, 1) || repeat('*', length({v}) - 2) || right({v}, 1) end"
                )
            case "prefix":
                pattern = (self.pattern or "").replace("'", "''")
                return f"regexp_extract({v}, '{pattern}', 0) || '{HIDDEN}'"
        head, tail = self.keep_head, self.keep_tail
        tail_sql = f" || right({v}, {tail})" if tail else ""
        return (
            f"case when length({v}) <= {head + tail} then repeat('*', length({v})) "
            f"else left({v}, {head}) || repeat('*', length({v}) - {head + tail}){tail_sql} end"
        )


class DisclosureControl(BaseModel):
    """What a role that studies populations sees of people (ARX / sdcMicro's model, kept small): no
    identifier in any form, and quasi-identifiers generalised, then suppressed in small cells, until
    everyone is one of at least `k` on them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str]
    k: int = Field(5, ge=2)
    withheld_rules: list[str] = Field(default_factory=list)  # columns masked by these rules are left out
    withheld_columns: list[str] = Field(default_factory=list)  # and these, by name
    quasi_identifiers: list[str]  # column names, in tables whose rows are people
    person_columns: list[str]  # a table with one of these has a person per row (entities' addresses are no QI)
    year_bands: dict[str, int] = Field(default_factory=dict)  # column -> years per band, of a year-masked value


class MaskingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    rules: dict[str, MaskingRule]
    elements: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict)
    disclosure_control: DisclosureControl | None = None

    @model_validator(mode="after")
    def _known_rules(self) -> MaskingSpec:
        withheld = self.disclosure_control.withheld_rules if self.disclosure_control else []
        unknown = sorted({*self.elements.values(), *self.columns.values(), *withheld} - set(self.rules))
        if unknown:
            raise ValueError(f"unknown masking rules: {', '.join(unknown)}")
        return self

    def rule(self, name: str) -> MaskingRule:
        return self.rules[name].model_copy(update={"name": name})


@lru_cache(maxsize=4)
def load_masking(standards_dir: Path = STANDARDS_DIR) -> MaskingSpec:
    return load_validated(standards_dir / "masking.yml", MaskingSpec, StandardsInvalid)


MASKING_VERSION = load_masking().version


def mask(element_id: str | None, value: str | None) -> str | None:
    """The value as it may be displayed: personal elements masked, others unchanged.

    For display only (samples, messages): an element with no rule is almost entirely hidden rather
    than refused. The shared warehouses resolve rules strictly (`pipelines.access.columns`)."""
    if value is None:
        return None
    spec = load_masking()
    rule_name = spec.elements.get(element_id or "") or spec.columns.get(element_id or "")
    if rule_name is not None:
        return spec.rule(rule_name).apply(value)
    element = load_elements().get(element_id or "")
    if element is None or element.sensitivity in (Sensitivity.PERSONAL, Sensitivity.SENSITIVE_PERSONAL):
        return value[:1] + "*" * max(len(value) - 2, 1) + value[-1:] if len(value) > 2 else "*" * len(value)
    return value

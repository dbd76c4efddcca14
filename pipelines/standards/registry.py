"""The registry of standard data elements and code lists declared in `standards/`.

Catalogue fields name these elements; the registry is what "unknown data element" is checked
against, and where every later compiler (validators, SQL macros, suites, docs) starts.
"""

from __future__ import annotations

import csv
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipelines.paths import CODELISTS_DIR, ELEMENTS_DIR, STANDARDS_DIR
from pipelines.standards.spec import Check, CrossFieldRule, Placeholders, Step
from pipelines.yamlio import DeclarationsInvalid, Problem, load_validated, read


class Sensitivity(StrEnum):
    """GB/T 35273 levels: personal information, and its sensitive part (ID numbers, health...)."""

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE_PERSONAL = "sensitive_personal"


class LocalisedText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str
    en: str


class DataElement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: LocalisedText
    standard: str
    datatype: str
    sensitivity: Sensitivity
    codelist: str | None = None
    description: str | None = None
    normalise: list[Step] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)


class StandardsInvalid(DeclarationsInvalid):
    what = "standards/ is"


@lru_cache(maxsize=4)
def load_elements(elements_dir: Path = ELEMENTS_DIR) -> dict[str, DataElement]:
    """All declared data elements by id; raises `StandardsInvalid` listing every problem with its line."""
    elements: dict[str, DataElement] = {}
    problems: list[Problem] = []
    for path in sorted(elements_dir.glob("*.yml")):
        doc, element, found = read(path, DataElement)
        problems += found
        if doc is None or element is None:
            continue
        if element.id != path.stem:
            problems.append(Problem(path, doc.line_of(("id",)), f"id {element.id!r} differs from file name"))
        elements[element.id] = element
    if problems:
        raise StandardsInvalid(problems)
    return elements


@lru_cache(maxsize=32)
def load_codelist(name: str, codelists_dir: Path = CODELISTS_DIR) -> tuple[dict[str, str], ...]:
    """Rows of one code list CSV (UTF-8), as dicts keyed by the header."""
    with (codelists_dir / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def codes(name: str) -> list[str]:
    return [row["code"] for row in load_codelist(name)]


@lru_cache(maxsize=4)
def load_placeholders(standards_dir: Path = STANDARDS_DIR) -> tuple[str, ...]:
    """The values that count as missing, declared once in `standards/placeholders.yml`."""
    return tuple(load_validated(standards_dir / "placeholders.yml", Placeholders, StandardsInvalid).values)


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: list[CrossFieldRule]


@lru_cache(maxsize=4)
def load_rules(standards_dir: Path = STANDARDS_DIR) -> tuple[CrossFieldRule, ...]:
    """Cross-field rules declared in `standards/rules.yml`."""
    return tuple(load_validated(standards_dir / "rules.yml", _RulesFile, StandardsInvalid).rules)


def load_rule(rule_id: str) -> CrossFieldRule:
    for rule in load_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(f"no cross-field rule {rule_id!r} in standards/rules.yml")

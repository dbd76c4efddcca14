"""What each column becomes when it leaves its owner: kept, masked, pseudonymised — or the build stops.

Resolution fails closed. A column of personal or sensitive personal information shared with anyone
but its owner must resolve to a masking rule (the catalogue field's `masking:`, else
`standards/masking.yml` by column, else by data element); a column nothing classifies at all (a
new mart column, say) is refused too. Every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipelines.catalog.loader import field_sensitivity
from pipelines.catalog.models import SUBJECT_PARTY, Catalog, FieldSpec, Resource
from pipelines.engines.dialects import HOUSE
from pipelines.paths import MARTS_DIR
from pipelines.standards.masking import MaskingSpec, load_masking
from pipelines.standards.registry import Sensitivity

PERSONAL = (Sensitivity.PERSONAL, Sensitivity.SENSITIVE_PERSONAL)
STRICTNESS = [Sensitivity.PUBLIC, Sensitivity.INTERNAL, Sensitivity.PERSONAL, Sensitivity.SENSITIVE_PERSONAL]
STAGING_METADATA = ("department", "resource", "load_id", "source_row_number")
AS_GIVEN = "_as_given"
PSEUDONYM_KINDS = {"citizen_id": "citizen_id"}  # elements whose values also get a linkable pseudonym


class MaskingMissing(ValueError):
    """Sensitive columns without a masking rule: the shared warehouse is not built."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "refusing to build: columns without a masking rule (standards/masking.yml or the field's `masking:`):\n"
            + "\n".join(f"  {p}" for p in problems)
        )
        self.problems = problems


@dataclass(frozen=True)
class OutputColumn:
    """One column of a shared table: its SQL expression over the source and how it was derived."""

    name: str
    sql: str
    treatment: str  # "kept", "mask:<rule>", "pseudonym:<kind>", "withheld"


@dataclass(frozen=True)
class Classification:
    """How a source column is treated when shared: the rule name (None = keep) and a pseudonym kind."""

    rule: str | None
    pseudonym: str | None = None
    replace_with_pseudonym: bool = False
    attribute: str | None = None


def _field_rule(field: FieldSpec, spec: MaskingSpec, column: str) -> str | bool | None:
    """The rule for a personal field (False when none resolves); None for a field shared as is."""
    if field_sensitivity(field) not in PERSONAL:
        return None
    return field.masking or spec.columns.get(column) or spec.elements.get(field.element) or False


def shared_columns(
    resource: Resource, columns: Iterable[str], where: str, problems: list[str], spec: MaskingSpec | None = None
) -> list[OutputColumn]:
    """The columns of `stg_<dept>__<resource>` as another role may see them."""
    spec = spec or load_masking()
    by_column = {f.staging_column: f for f in resource.fields}
    out: list[OutputColumn] = []
    for column in columns:
        base = column.removesuffix(AS_GIVEN)
        field = by_column.get(base)
        if field is None:
            if column in STAGING_METADATA:
                out.append(OutputColumn(column, HOUSE.ident(column), "kept"))
            else:
                problems.append(f"{where}.{column}: not a catalogue field, cannot be classified")
            continue
        rule = _field_rule(field, spec, field.column or field.element)
        if rule is False:
            problems.append(f"{where}.{column}: {field_sensitivity(field).value} (element {field.element})")
            continue
        out.append(_masked(column, HOUSE.ident(column), rule, spec))
        if column == base and field.element in PSEUDONYM_KINDS:
            kind = PSEUDONYM_KINDS[field.element]
            out.append(
                OutputColumn(f"{column}_pseudonym", f"pseudonym('{kind}', {HOUSE.ident(column)})", f"pseudonym:{kind}")
            )
    return out


def _masked(name: str, expr: str, rule: str | None, spec: MaskingSpec) -> OutputColumn:
    if rule is None or not spec.rule(rule).masks:
        return OutputColumn(name, expr, "kept" if rule is None else f"mask:{rule}")
    return OutputColumn(name, spec.rule(rule).sql(expr), f"mask:{rule}")


def _subject_fields(catalog: Catalog, subject: str) -> dict[str, list[FieldSpec]]:
    """Every catalogue field describing a party of `subject`, by its standard column name."""
    out: dict[str, list[FieldSpec]] = {}
    for _, res in catalog.resources():
        parties = res.party_subjects()
        for f in res.fields:
            if parties.get(f.party or SUBJECT_PARTY, res.subject).value == subject:
                out.setdefault(f.column or f.element, []).append(f)
    return out


def mart_column_meta(schema: str, table: str, marts_dir: Path = MARTS_DIR) -> dict[str, dict]:
    """`meta.access` of each column in the mart's dbt YAML (the access classification of columns no
    catalogue field names: keys, flags)."""
    for path in sorted((marts_dir / schema).glob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            if model["name"] == table:
                return {c["name"]: (c.get("meta") or {}).get("access", {}) for c in model.get("columns", [])}
    return {}


def classify_mart_columns(
    catalog: Catalog, subject: str, schema: str, table: str, columns: Iterable[str], problems: list[str]
) -> dict[str, Classification]:
    """How each column of a subject-database mart is shared: by its dbt `meta.access`, else by the
    strictest catalogue field of that subject with the same standard column name (就高从严). A column
    marked `internal` (the platform's bookkeeping, such as a digest of the entity's input) is shared with
    no role: it has no entry."""
    spec = load_masking()
    meta = mart_column_meta(schema, table)
    fields = _subject_fields(catalog, subject)
    out: dict[str, Classification] = {}
    for column in columns:
        access = meta.get(column) or {}
        if access.get("internal") is True:
            continue
        if "pseudonym" in access:
            out[column] = Classification(
                None, access["pseudonym"], replace_with_pseudonym=True, attribute=access.get("attribute")
            )
        elif "masking" in access:
            rule = access["masking"]
            out[column] = Classification(None if rule == "keep" else rule, attribute=access.get("attribute"))
        elif column in fields:
            strictest = max(fields[column], key=lambda f: STRICTNESS.index(field_sensitivity(f)))
            rule = _field_rule(strictest, spec, column)
            if rule is False:
                problems.append(f"{schema}.{table}.{column}: {field_sensitivity(strictest).value}, no masking rule")
                continue
            out[column] = Classification(rule, PSEUDONYM_KINDS.get(strictest.element), attribute=column)
        else:
            problems.append(f"{schema}.{table}.{column}: no catalogue field and no `meta.access` in its dbt YAML")
    return out

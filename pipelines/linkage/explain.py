"""Why a source record joined its cluster: the identifier it shares, or the Splink comparison levels and
their match weights on the edge that linked it. Values are masked: this is shown on a terminal."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pipelines.engines import engine_for
from pipelines.engines.base import Engine
from pipelines.engines.dialects import HOUSE
from pipelines.linkage.run import SCHEMA, SUBJECTS
from pipelines.settings import Settings
from pipelines.standards.masking import mask

# comparison column -> data element, for masking
ELEMENTS = {
    "citizen_id_as_given": "citizen_id",
    "person_name": "person_name",
    "birth_date": "birth_date",
    "mobile_phone": "mobile_phone",
    "address": "address",
    "contexts": "contexts",
    "uscc_as_given": "uscc",
    "entity_name": "org_name",
}
# a context's kind (its prefix, int_person_linkage_features) -> the data element after it, for masking
CONTEXT_ELEMENTS = {"household": "household_number", "entity": "uscc", "with": "citizen_id", "with name": "person_name"}


@dataclass
class Comparison:
    column: str
    left: str | None
    right: str | None
    level: str
    match_weight: float | None


@dataclass
class Explanation:
    subject: str
    source_record_id: str
    cluster_id: str
    match_method: str
    match_probability: float | None
    matched_record_id: str | None
    cluster_size: int
    departments: list[str]
    comparisons: list[Comparison] = field(default_factory=list)
    prior_match_weight: float | None = None


def explain(settings: Settings, record: str) -> list[Explanation]:
    """`record` is department/resource/record_key, optionally #party; every matching party is explained."""
    key, _, party = record.partition("#")
    parts = key.split("/", 2)
    if len(parts) != 3:
        raise ValueError(f"expected department/resource/record_key[#party], got {record!r}")
    department, resource, record_key = (HOUSE.lit(p) for p in parts)
    engine = engine_for(settings)
    out = []
    for subject, tables in SUBJECTS.items():
        id_column = tables.id_column
        rows = engine.query(
            f"""select u.source_record_id, l.{id_column}, l.match_method, l.match_probability, l.matched_record_id
            from intermediate.{tables.union} u join {SCHEMA}.{subject}_links l using (source_record_id)
            where u.department = {department} and u.resource = {resource} and u.record_key = {record_key}
            {f"and u.party = {HOUSE.lit(party)}" if party else ""}
            order by u.source_record_id"""
        ).to_pylist()
        for row in rows:
            cluster_id = row[id_column]
            members = engine.query(
                f"select source_record_id from {SCHEMA}.{subject}_links where {id_column} = {HOUSE.lit(cluster_id)}"
            ).column(0)
            departments = sorted({m.split("/", 1)[0] for m in members.to_pylist()})
            e = Explanation(
                subject,
                row["source_record_id"],
                cluster_id,
                row["match_method"],
                row["match_probability"],
                row["matched_record_id"],
                len(members),
                departments,
            )
            if e.matched_record_id:
                _comparisons(engine, subject, e)
            out.append(e)
    return out


def _comparisons(engine: Engine, subject: str, e: Explanation) -> None:
    pair = HOUSE.lit(e.source_record_id), HOUSE.lit(e.matched_record_id)
    edges = engine.query(
        f"""select * from {SCHEMA}.{subject}_edges
        where (source_record_id_l = {pair[0]} and source_record_id_r = {pair[1]})
           or (source_record_id_l = {pair[1]} and source_record_id_r = {pair[0]})
        limit 1"""
    ).to_pylist()
    if not edges:
        return
    row = edges[0]
    model = json.loads(engine.scalar(f"select settings_json from {SCHEMA}.{subject}_model"))
    prior = model.get("probability_two_random_records_match")
    if prior:
        import math

        e.prior_match_weight = math.log2(prior / (1 - prior))
    for comparison in model["comparisons"]:
        column = comparison["output_column_name"]
        gamma = row.get(f"gamma_{column}")
        weight = row.get(f"mw_{column}")
        if weight is not None:
            weight = float(weight) + float(row.get(f"mw_tf_adj_{column}") or 0)
        element = ELEMENTS.get(column, column)
        e.comparisons.append(
            Comparison(
                column,
                _shown(element, row.get(f"{column}_l")),
                _shown(element, row.get(f"{column}_r")),
                _level_label(comparison["comparison_levels"], None if gamma is None else int(gamma)),
                weight,
            )
        )


def _level_label(levels: list[dict], gamma: int | None) -> str:
    """Splink numbers the levels from the else level (0) upwards; the null level is -1."""
    if gamma is None:
        return "?"
    if gamma == -1:
        return "a value is missing"
    ranked = [lvl for lvl in levels if not lvl.get("is_null_level")]
    level = ranked[len(ranked) - 1 - gamma]
    return level.get("label_for_charts") or level.get("sql_condition", "?")


def _shown(element: str | None, value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if element == "contexts":
        return ", ".join(_context_shown(str(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(mask(element, str(v)) or "" for v in value)
    return mask(element, str(value))


def _context_shown(context: str) -> str:
    kind, _, value = context.partition(":")
    return f"{kind}:{mask(CONTEXT_ELEMENTS.get(kind, 'household_number'), value)}"

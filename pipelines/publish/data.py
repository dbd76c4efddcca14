"""What the site shows, read from the warehouse's quality marts and the lake's failing keys.

Every page is rendered from one of these dicts, and the same dict is written as the page's JSON, so a
number on a page is the number in its JSON is the number in the results store. The site is public and
aggregate: scores, counts and rule tables. Masked samples and failing record keys go to each department
through its own role warehouse (`quality.rule_samples`, `quality.failing_keys`), never here: a masked
value or a record key, put beside what else is public, can still single someone out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.catalog import load_catalog
from pipelines.engines import Engine, engine_for
from pipelines.quality.scoring import load_scoring
from pipelines.quality.validate import current_failing_keys_sql
from pipelines.settings import Settings
from pipelines.standards.codetable import division_names
from pipelines.standards.registry import load_elements, load_rules
from pipelines.standards.spec import Dimension

DIMENSIONS = tuple(d.value for d in Dimension)
COMPUTED_STANDARD = "GB/T 36344-2018"  # completeness, consistency with the authority, timeliness, accessibility


@dataclass(frozen=True)
class SiteData:
    index: dict
    departments: dict[str, dict]
    standards: dict


def _rows(engine: Engine, sql: str) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in engine.query(sql).to_pylist()]


def _plain(value):
    if isinstance(value, datetime):  # an engine may hand timestamps back in UTC, aware
        return (value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value).isoformat()
    return value.isoformat() if isinstance(value, date) else value


def _standard_of(rule: str, element: str | None) -> str:
    elements, rules = load_elements(), {r.id: r for r in load_rules()}
    if element and element in elements:
        return elements[element].standard
    if rule in rules:
        return elements[rules[rule].left].standard
    return COMPUTED_STANDARD


def collect(settings: Settings) -> SiteData:
    catalog = load_catalog()
    scoring = load_scoring()
    names = {code: d.department.name for code, d in catalog.departments.items()}
    engine = engine_for(settings)
    scorecards = _rows(engine, "select * from quality.department_scorecards order by department, period")
    dimension_scores = _rows(engine, "select * from quality.department_dimension_scores")
    rules = _rows(
        engine,
        """select department, resource, column_name, rule, element, dimension, severity,
                  cast(sum(element_count) as bigint) as checked, cast(sum(unexpected_count) as bigint) as failing,
                  bool_and(success) as success, bool_or(waived) as waived
           from quality.fct_quality_results
           group by department, resource, column_name, rule, element, dimension, severity
           order by department, resource, column_name, rule""",
    )
    spot_checks = _rows(
        engine,
        """select * from quality.spot_check_scores
           where run_id = (select max(run_id) from quality.spot_check_scores)
           order by department, period, dimension""",
    )
    dormant = _rows(engine, "select * from quality.dormant_resources order by department, resource")
    failing_keys = _failing_key_counts(engine, settings)
    disputes = _dispute_counts(engine, names)
    rectification = _rectification_counts(engine)
    held = _rows(engine, "select * from quality.held_deliveries order by department, held_at, load_id")
    divisions = _division_rollups(engine)
    for h in held:
        h["checks"] = json.loads(h.pop("hold_checks") or "[]")
        for moment in ("delivered_at", "held_at"):  # to the minute: a department reads when, not the microsecond
            h[moment] = h[moment] and str(h[moment])[:16].replace("T", " ")

    latest = {}
    for card in scorecards:
        latest[card["department"]] = card  # ordered by period: the last one wins
    periods = sorted({c["period"] for c in scorecards}, reverse=True)
    index = {
        "pass_mark": scoring.pass_mark,
        "weights": {d.value: w for d, w in scoring.weights.items()},
        "league_tables": [  # newest period first; departments ranked within a period
            {
                "period": period,
                "departments": sorted(
                    ({**c, "name": names[c["department"]].model_dump()} for c in scorecards if c["period"] == period),
                    key=lambda c: (c["rank_in_period"], c["department"]),
                ),
            }
            for period in periods
        ],
        "divisions": divisions_of(divisions, None),
    }
    departments = {}
    for code in sorted({c["department"] for c in scorecards}):
        card = latest[code]
        own_rules = [r for r in rules if r["department"] == code]
        for r in own_rules:
            r["failing_rate"] = r["failing"] / r["checked"] if r["checked"] else 0.0
            r["standard"] = _standard_of(r["rule"], r["element"])
        departments[code] = {
            "department": code,
            "name": names[code].model_dump(),
            "pass_mark": scoring.pass_mark,
            "latest": card,
            "dimension_scores": [
                d for d in dimension_scores if d["department"] == code and d["period"] == card["period"]
            ],
            "scorecards": [c for c in scorecards if c["department"] == code],
            "rules": own_rules,
            "spot_checks": [s for s in spot_checks if s["department"] == code],
            "dormant": [d for d in dormant if d["department"] == code],
            "failing_key_count": failing_keys.get(code, 0),
            "disputes": disputes.get(code, []),
            "rectification": rectification.get(code, []),
            "held": [h for h in held if h["department"] == code],
            "divisions": divisions_of(divisions, code),
        }
    return SiteData(index, departments, _standards())


def _dispute_counts(engine: Engine, names: dict) -> dict[str, list[dict]]:
    """Per authority: the disputes routed to it by attribute and disputing department, counted by status,
    with the oldest open one's age. Counts only: the records are in the department's own warehouse."""
    from pipelines.quality.disputes import Status

    if not engine.has_mart("quality", "disputes"):
        return {}
    rows = _rows(
        engine,
        """select authority_department, attribute, department, status, count(*) as n,
                  max(case when status = 'open' then age_days end) as oldest_open_days
           from quality.disputes
           group by authority_department, attribute, department, status""",
    )
    out: dict[tuple, dict] = {}
    for r in rows:
        line = out.setdefault(
            (r["authority_department"], r["attribute"], r["department"]),
            {
                "attribute": r["attribute"],
                "disputed_by": r["department"],
                "disputed_by_name": names[r["department"]].model_dump(),
                **{s.value: 0 for s in Status},
            },
        )
        line[r["status"]] = r["n"]
        if r["oldest_open_days"] is not None:
            line["oldest_open_days"] = r["oldest_open_days"]
    by_authority: dict[str, list[dict]] = {}
    for (authority, *_), line in sorted(out.items()):
        by_authority.setdefault(authority, []).append(line)
    return by_authority


def _rectification_counts(engine: Engine) -> dict[str, list[dict]]:
    """Per department: its problems by resource, column and rule, counted by what became of them, with the
    repeats and the oldest open one's age. Counts only: the records are in the department's own warehouse."""
    if not engine.has_mart("quality", "rectification"):
        return {}
    rows = _rows(
        engine,
        """select department, resource, column_name, rule, cast(count(*) as bigint) as flagged,
                  cast(sum(case when status = 'rectified' then 1 else 0 end) as bigint) as rectified,
                  cast(sum(case when status = 'gone' then 1 else 0 end) as bigint) as gone,
                  cast(sum(case when status = 'open' then 1 else 0 end) as bigint) as open,
                  cast(sum(case when is_repeat then 1 else 0 end) as bigint) as repeats,
                  max(case when status = 'open' then age_days end) as oldest_open_days
           from quality.rectification
           group by department, resource, column_name, rule
           order by department, resource, column_name, rule""",
    )
    by_department: dict[str, list[dict]] = {}
    for r in rows:
        by_department.setdefault(r["department"], []).append(r)
    return by_department


def _division_rollups(engine: Engine) -> list[dict]:
    """The newest quarter's records judged and failing by department and division (`quality.division_scores`)."""
    if not engine.has_mart("quality", "division_scores"):
        return []
    return _rows(
        engine,
        """select department, division_level, division_code, parent_division_code, records_judged, records_failing,
                  period
           from quality.division_scores
           where period = (select max(period) from quality.division_scores where period_kind = 'quarter')""",
    )


def divisions_of(rows: list[dict], department: str | None) -> dict:
    """One department's divisions (or every department's, summed): the city and province first, then its
    districts from the worst failure rate; the unknown division last. Counts only."""
    names = division_names()
    out: dict[tuple, dict] = {}
    for r in rows:
        # the unknown division is the same records at every level: shown once, as a district
        if department in (None, r["department"]) and (r["division_code"] or r["division_level"] == "county"):
            line = out.setdefault(
                (r["division_level"], r["division_code"]),
                {
                    "level": r["division_level"],
                    "code": r["division_code"],
                    "name": names.get(r["division_code"]),
                    "parent": r["parent_division_code"],
                    "judged": 0,
                    "failing": 0,
                },
            )
            line["judged"] += r["records_judged"]
            line["failing"] += r["records_failing"]
    for line in out.values():
        line["failure_rate"] = line["failing"] / line["judged"]
    order = {"province": 0, "prefecture": 1, "county": 2}
    lines = sorted(out.values(), key=lambda x: (x["code"] is None, order[x["level"]], -x["failure_rate"], x["code"]))
    return {"period": rows[0]["period"] if rows else None, "rows": lines}


def _failing_key_counts(engine: Engine, settings: Settings) -> dict[str, int]:
    """How many records of each department fail now (a batch's latest validation): a count, not the keys."""
    sql = current_failing_keys_sql(settings)
    if sql is None:
        return {}
    rows = engine.query(
        f"select department, count(distinct (resource, load_id, column_name, rule, record_key)) as n "
        f"from ({sql}) as k group by department"
    ).to_pylist()
    return {r["department"]: r["n"] for r in rows}


def _standards() -> dict:
    return {
        "elements": [
            {
                "id": e.id,
                "name": e.name.model_dump(),
                "standard": e.standard,
                "codelist": e.codelist,
                "checks": [
                    {
                        "id": c.id,
                        "dimension": c.dimension.value,
                        "severity": c.severity.value,
                        "description": c.description,
                    }
                    for c in e.checks
                ],
            }
            for e in load_elements().values()
        ],
        "rules": [
            {
                "id": r.id,
                "columns": list(r.columns),
                "dimension": r.dimension.value,
                "severity": r.severity.value,
                "description": r.description,
            }
            for r in load_rules()
        ],
    }


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")

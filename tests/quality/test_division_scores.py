"""Quality rolled up by division, from the district branches to the city and the province: each level
sums its parts, and a district's counts are those of the lake's own records in that district."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

import duckdb
import pytest

from pipelines.catalog import load_catalog
from pipelines.engines import engine_for
from pipelines.paths import REPO_ROOT
from pipelines.quality.validate import failing_keys_root
from pipelines.standards.python import engine as element_engine

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("quality")]

LEVELS = ("county", "prefecture", "province")


def _scores(settings) -> list[dict]:
    return engine_for(settings).query("select * from quality.division_scores").to_pylist()


def test_each_level_sums_its_parts(quality_city):
    rows = _scores(quality_city[0])
    assert {r["division_level"] for r in rows} == set(LEVELS)
    children: dict[tuple, Counter] = defaultdict(Counter)
    totals: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        key = (r["period"], r["department"])
        totals[key, r["division_level"]].update(judged=r["records_judged"], failing=r["records_failing"])
        if r["parent_division_code"] is not None:
            children[key, r["parent_division_code"]].update(judged=r["records_judged"], failing=r["records_failing"])
        assert r["failure_rate"] == pytest.approx(r["records_failing"] / r["records_judged"])
    parents = [r for r in rows if r["division_level"] != "county" and r["division_code"] is not None]
    assert len({r["division_code"] for r in parents if r["division_level"] == "prefecture"}) >= 1
    for r in parents:
        part = children[(r["period"], r["department"]), r["division_code"]]
        assert (part["judged"], part["failing"]) == (r["records_judged"], r["records_failing"]), r
    for (key, _level), total in totals.items():
        assert total == totals[key, "county"], key  # every level holds every record once, the unknown too
    assert sum(r["records_failing"] for r in rows if r["division_level"] == "province") > 0  # the city has defects


def test_a_districts_counts_are_its_records_in_the_lake(quality_city):
    """The household registry's month by registered division, recounted from the raw batches (normalised in
    Python) and the stored failing keys: a record counts once per delivery, failing if any scored check
    failed it."""
    settings = quality_city[0]
    counties = {
        r["code"]
        for r in csv.DictReader((REPO_ROOT / "standards/codelists/division_code.csv").open(encoding="utf-8"))
        if r["level"] == "county"
    }
    resource = load_catalog().resource("public_security", "household_registry")
    key, division = resource.key_field.name, next(f.name for f in resource.fields if f.element == "division_code")
    scored = engine_for(settings).query(
        "select distinct run_id, load_id, rule, column_name, period from quality.fct_quality_results "
        "where is_scored and department = 'public_security' and resource = 'household_registry'"
    )
    lake = settings.lake_root
    with duckdb.connect() as con:
        con.register("scored", scored)
        held = {
            r[0]
            for r in con.sql(f"select load_id from '{lake}/quality/loads.parquet' where hold is not null").fetchall()
        }
        months = {
            load: month for _, load, _, _, month in con.sql("select * from scored").fetchall() if load not in held
        }
        failing = set(
            con.sql(
                f"""select distinct k.load_id, k.record_key
                from read_parquet('{failing_keys_root(settings)}/run_id=*/*.parquet') as k
                join scored using (run_id, load_id, rule, column_name)"""
            ).fetchall()
        )
        raw = con.sql(
            f"""select load_id, "{key}", "{division}"
            from read_parquet('{lake}/raw/dept=public_security/resource=household_registry/*/*.parquet')"""
        ).fetchall()
    by_record: dict[tuple, str | None] = {}
    for load, record, code in raw:
        if load in months:
            normalised = element_engine("division_code").normalise(code)
            record_key = (load, element_engine("record_key").normalise(record))
            by_record[record_key] = max(filter(None, [by_record.get(record_key), normalised]), default=None)
    expected: Counter = Counter()
    for (load, record), code in by_record.items():
        county = code if code in counties else None
        expected[months[load], county, "judged"] += 1
        expected[months[load], county, "failing"] += (load, record) in failing
    got: Counter = Counter()
    for r in _scores(settings):
        if r["department"] == "public_security" and r["period_kind"] == "month" and r["division_level"] == "county":
            got[r["period"], r["division_code"], "judged"] += r["records_judged"]
            got[r["period"], r["division_code"], "failing"] += r["records_failing"]
    assert sum(v for (_, _, k), v in expected.items() if k == "failing") > 0
    assert len({c for _, c, _ in expected if c}) >= 5  # the city's districts
    assert +got == +expected


def test_the_site_shows_the_newest_quarters_roll_up(quality_city):
    """The league page's table is the mart's newest quarter summed over departments (counts only), the
    unknown division once."""
    settings, site = quality_city[0], quality_city[4]
    shown = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))["divisions"]
    rows = [r for r in _scores(settings) if r["period"] == shown["period"]]
    assert shown["period"] == max(r["period"] for r in _scores(settings) if r["period_kind"] == "quarter")
    expected: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        if r["division_code"] or r["division_level"] == "county":
            expected[r["division_level"], r["division_code"]].update(
                judged=r["records_judged"], failing=r["records_failing"]
            )
    assert {
        (r["level"], r["code"]): Counter(judged=r["judged"], failing=r["failing"]) for r in shown["rows"]
    } == expected
    assert {r["name"] for r in shown["rows"] if r["level"] == "prefecture"} == {"宁波市"}
    for lang in ("zh", "en"):
        page = (site / lang / "index.html").read_text(encoding="utf-8")
        assert page.count("data-level=") == len(shown["rows"])

"""Every published batch of the small city validated through GX on DuckDB: one result row per
expectation and batch, counts equal to the standards engine's and to the city's injected defects,
nothing unmasked stored, history kept; the scorecards recomputed from the stored rows."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.quality.suites import plan
from pipelines.quality.validate import published_batches, results_root
from pipelines.standards.evaluate import with_python

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("quality")]


@pytest.fixture(scope="module")
def validated(quality_city):
    settings, first, second, _, _ = quality_city
    return settings, first, second


@pytest.fixture(scope="module")
def first_month(validated, initial_loads) -> list[dict]:
    """The first run's rows of the first month's deliveries: those hold every record the truth's defects
    name, once (the lived day re-delivers some of them, defects and all)."""
    return [r for r in validated[1] if r["load_id"] in initial_loads]


def test_one_row_per_expectation_and_batch(validated):
    settings, first, _ = validated
    batches = published_batches(settings)
    assert len(batches) >= 9
    assert len(first) == sum(len(plan(b.resource)) for b in batches)
    assert {r["dimension"] for r in first} >= {"conformity", "accuracy", "completeness", "consistency"}


def test_unexpected_counts_equal_the_standards_engine(validated, initial_loads):
    settings, first, _ = validated
    [batch] = [
        b for b in published_batches(settings) if b.resource.slug == "household_registry" and b.load_id in initial_loads
    ]
    [row] = [r for r in first if r["load_id"] == batch.load_id and r["rule"] == "citizen_id.check_char"]
    values = [v for (v,) in duckdb.sql(f"select gmsfhm from read_parquet('{batch.files[0]}')").fetchall()]
    expected = sum(1 for _, checks in with_python("citizen_id", values) if checks["check_char"] is False)
    assert row["unexpected_count"] == expected > 0
    assert row["element_count"] == len(values)


def test_a_second_run_keeps_the_history_and_validates_nothing_twice(validated):
    settings, first, second = validated
    assert second == []
    stored = duckdb.sql(
        f"select count(*) from read_parquet('{results_root(settings)}/run_id=*/*.parquet') where mode = 'full'"
    ).fetchone()
    assert stored == (len(first),)


def test_waivers_mark_their_rows(validated):
    _, first, _ = validated
    waived = [r for r in first if r["waived"]]
    assert waived and {(r["department"], r["rule"]) for r in waived} == {
        ("tax", "industry_code.section_matches_division")
    }
    assert all("GB/T 4754" in r["waiver_reason"] for r in waived)


def test_nothing_stored_is_an_unmasked_id_or_phone(validated):
    settings, first, _ = validated
    text = "\n".join(
        str(v)
        for (v,) in duckdb.sql(
            f"select masked_samples from read_parquet('{results_root(settings)}/run_id=*/*.parquet')"
        ).fetchall()
    )
    from tests.pii import UNMASKED_PERSONAL_NUMBER

    assert any(r["masked_samples"] != "[]" for r in first) and "********" in text
    assert not UNMASKED_PERSONAL_NUMBER.search(text)


def test_every_injected_missing_value_of_a_required_field_is_counted(built_city, first_month):
    """Completeness against the city's truth: missing names, IDs and placeholders in required fields, in
    the first month's deliveries."""
    import csv

    from pipelines.catalog import load_catalog

    city, first = built_city, first_month
    required = {(d.code, r.slug, f.name) for d, r in load_catalog().resources() for f in r.fields if f.required}
    injected: dict[str, int] = {}
    with (city / "truth" / "defects.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["department"], row["resource"], row["field"])
            if key in required and row["defect"] in ("missing_required", "missing_id", "placeholder"):
                injected[row["department"]] = injected.get(row["department"], 0) + 1
    found: dict[str, int] = {}
    for r in first:
        if r["rule"] == "required":
            found[r["department"]] = found.get(r["department"], 0) + (r["unexpected_count"] or 0)
    for department, n in injected.items():
        # health also writes values its own normalisation empties (a newborn's sex as 不详): at least
        exact = department != "health"
        assert (found[department] == n) if exact else (found[department] >= n), (department, found, injected)


def test_scorecards_equal_the_stored_results(validated):
    """The scoring model recomputed here from the stored results and standards/scoring.yml: a rule (check,
    column, resource) is met at or under its threshold; a dimension scores the weighted share of its rules
    met; a department the weighted mean of its dimensions; in every month and in its quarter. Every
    catalogued department has a row in every period, with no score where nothing was judged."""
    from pipelines.catalog import load_catalog
    from pipelines.quality.scoring import load_scoring

    settings, _, _ = validated
    scoring = load_scoring()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stored = _dicts(con, "select * from quality.fct_quality_results")
        got = {
            (d, p): s
            for d, p, s in con.execute(
                "select department, period, overall_score from quality.department_scorecards"
            ).fetchall()
        }
    rules: dict[tuple, list[int]] = {}
    for r in stored:
        if r["severity"] == "error" and not r["waived"]:
            year, month = r["period"].split("-")
            for period in (r["period"], f"{year}Q{(int(month) + 2) // 3}"):
                key = (r["department"], period, r["dimension"], r["resource"], r["column_name"], r["rule"])
                counts = rules.setdefault(key, [0, 0])
                counts[0] += r["element_count"]
                counts[1] += r["unexpected_count"] or 0
    dimensions: dict[tuple, list[float]] = {}
    for (dept, period, dim, _, _, rule), (checked, failing) in rules.items():
        if checked == 0:  # an empty delivery judges nothing
            continue
        weight = scoring.rules.weights.get(rule, 1.0)
        met = failing / checked <= scoring.rules.thresholds.get(rule, scoring.rules.max_failure_rate)
        d = dimensions.setdefault((dept, period, dim), [0.0, 0.0])
        d[0], d[1] = d[0] + weight * met, d[1] + weight
    expected: dict[tuple, list[float]] = {}
    for (dept, period, dim), (met, weight) in dimensions.items():
        e = expected.setdefault((dept, period), [0.0, 0.0])
        e[0], e[1] = e[0] + scoring.weights[dim] * met / weight, e[1] + scoring.weights[dim]
    periods = {p for _, p in got}
    assert {p for _, p in expected} <= periods and any("Q" in p for p in periods)
    assert set(got) == {(d, p) for d in load_catalog().departments for p in periods}
    for key, score in got.items():
        if key in expected:
            assert score == pytest.approx(expected[key][0] / expected[key][1], abs=1e-12), key
        else:
            assert score is None, key


def test_a_veto_fails_a_department_whatever_it_scores(validated):
    """A department passes a period exactly when it scores at or above the pass mark with no single-veto
    item; a scorecard counts and names each of its vetoes. (Which vetoes are found is the dbt unit test
    `each_single_veto_item_is_found_in_its_periods`: this city, one month delivered, trips none.)"""
    from pipelines.quality.scoring import load_scoring

    settings, _, _ = validated
    pass_mark = load_scoring().pass_mark
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        cards = _dicts(con, "select * from quality.department_scorecards")
        vetoes = _dicts(con, "select * from quality.department_vetoes")
    vetoed = {(v["department"], v["period"]) for v in vetoes}
    assert any(c["is_passing"] for c in cards) and not all(c["is_passing"] for c in cards)
    for card in cards:
        key = (card["department"], card["period"])
        if key in vetoed:
            named = [v for v in vetoes if (v["department"], v["period"]) == key]
            assert not card["is_passing"] and card["vetoes"] == len(named), card
            assert all(f"{v['veto']}: {v['resource']}" in card["veto_items"] for v in named), card
        else:
            assert card["vetoes"] == 0 and card["is_passing"] == (
                card["overall_score"] is not None and card["overall_score"] >= pass_mark
            ), card


def _dicts(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _injected(city, defect: str) -> dict[str, int]:
    import csv

    counts: dict[str, int] = {}
    with (city / "truth" / "defects.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["defect"] == defect:
                counts[row["department"]] = counts.get(row["department"], 0) + 1
    return counts


@pytest.mark.parametrize(
    ("defect", "rule_suffix"), [("bad_check_char", ".check_char"), ("impossible_date", ".real_date")]
)
def test_accuracy_failures_equal_the_injected_defects_of_every_department(built_city, first_month, defect, rule_suffix):
    """Accuracy, computed on all records of the first month's deliveries: every wrong check character
    (citizen IDs and credit codes) and every impossible date the city injected is counted once,
    department by department, and nothing else is."""
    city, first = built_city, first_month
    found: dict[str, int] = {}
    for r in first:
        if r["rule"].endswith(rule_suffix):
            found[r["department"]] = found.get(r["department"], 0) + (r["unexpected_count"] or 0)
    injected = _injected(city, defect)
    assert injected and {d: n for d, n in found.items() if n} == injected


def test_consistency_counts_every_conflict_with_the_authority(validated):
    """Consistency with the authority, computed on all records: the scorecard's failures per department and
    resource are the rows of `quality.conflicts` (tested against the injected disagreements elsewhere)."""
    settings, _, _ = validated
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        scored = dict(
            ((d, r), n)
            for d, r, n in con.execute(
                """select department, resource, sum(unexpected_count) from quality.fct_quality_results
                   where rule = 'consistency.agrees_with_authority' group by all"""
            ).fetchall()
            if n
        )
        conflicts = dict(
            ((d, r), n)
            for d, r, n in con.execute(
                "select department, resource, count(*) from quality.conflicts group by all"
            ).fetchall()
        )
    assert conflicts and scored == conflicts


def test_referential_integrity_and_accessibility_are_scored(validated):
    settings, _, _ = validated
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rules = {
            (dim, rule)
            for dim, rule in con.execute("select distinct dimension, rule from quality.fct_quality_results").fetchall()
        }
        dormant = con.execute("select count(*) from quality.dormant_resources").fetchone()[0]
        problems = con.execute(
            "select sum(consistency_problems), count(*) from quality.department_scorecards"
        ).fetchone()
    assert {
        ("consistency", "referential.population_registered"),
        ("consistency", "referential.legal_entities_registered"),
        ("timeliness", "timeliness.within_update_cycle"),
        ("accessibility", "accessibility.delivery_loadable"),
        ("accessibility", "accessibility.resource_not_dormant"),
    } <= rules
    assert dormant == 0  # every catalogued resource was delivered today
    assert problems[0] > 0 and problems[1] >= 6


def test_every_failing_record_key_is_stored(validated):
    """GX's capped lists of failing rows are completed: one stored key per failing row of every scored
    (error-severity) result; warnings keep their samples only."""
    settings, first, _ = validated
    from pipelines.quality.validate import failing_keys_root

    keys = duckdb.sql(
        f"""select load_id, rule, column_name, count(*) from read_parquet('{failing_keys_root(settings)}/*/*.parquet')
            group by all"""
    ).fetchall()
    stored = {(load, rule, column): n for load, rule, column, n in keys}
    scored = [r for r in first if r["severity"] == "error" and r["unexpected_count"]]
    for r in scored:
        n = stored.get((r["load_id"], r["rule"], r["column_name"]), 0)
        assert 0 < n <= r["unexpected_count"], r  # a record key delivered twice counts once
    assert sum(stored.values()) >= 0.99 * sum(r["unexpected_count"] for r in scored)
    assert {(r["load_id"], r["rule"], r["column_name"]) for r in first if r["severity"] != "error"}.isdisjoint(stored)


def test_spot_check_intervals_cover_the_full_validation(quality_city):
    """Spot check of 400 random rows per batch: each (department, period, dimension) pass rate of the GX
    checks comes with a 95% Wilson interval; the rate of the full validation of the same batches lies
    inside it for at least 90% of them (about 95% expected), and every interval is a real interval."""
    settings, first, _, spot, _ = quality_city
    from tests.quality.conftest import SPOT_CHECK_ROWS

    assert spot and {r["mode"] for r in spot} == {"spot_check"}
    assert all(r["element_count"] == min(SPOT_CHECK_ROWS, r["population_count"]) for r in spot)
    full: dict[tuple, list[int]] = {}
    for r in first:
        if r["severity"] == "error" and not r["waived"]:
            s = full.setdefault((r["department"], r["period"], r["dimension"]), [0, 0])
            s[0] += r["element_count"]
            s[1] += r["unexpected_count"] or 0
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        intervals = con.execute(
            "select department, period, dimension, ci_low, pass_rate, ci_high from quality.spot_check_scores"
        ).fetchall()
    assert len(intervals) >= 10
    inside = 0
    for dept, period, dim, low, rate, high in intervals:
        checked, failing = full[(dept, period, dim)]
        assert 0 <= low <= rate <= high <= 1
        inside += low <= (checked - failing) / checked <= high
    assert inside / len(intervals) >= 0.9, (inside, len(intervals))


def test_batches_validated_in_processes_give_what_one_process_gives(validated, tmp_path, monkeypatch):
    """DuckDB shares a run's batches among processes (GX spends a batch's time in Python): the rows and
    failing keys stored are those of one process validating every batch in turn."""
    import shutil

    from pipelines.engines.duckdb import DuckDBEngine
    from pipelines.quality import validate as validation

    settings, _, _ = validated
    stored = {}
    for workers in (1, 2):
        data = tmp_path / f"workers{workers}"
        shutil.copytree(settings.data_root, data, ignore=shutil.ignore_patterns("*.lock"))
        for folder in ("results", "failing_keys"):
            shutil.rmtree(data / "lake" / "quality" / folder)
        monkeypatch.setattr(DuckDBEngine, "validation_workers", workers)
        monkeypatch.setattr(validation, "MIN_BATCHES_PER_WORKER", 1)
        copy = settings.model_copy(update={"data_dir": data})
        rows = validation.validate(copy, run_id="same")
        keys = duckdb.sql(f"select * from read_parquet('{data}/lake/quality/failing_keys/**/*.parquet')").fetchall()
        stored[workers] = ([{k: v for k, v in r.items() if k != "validated_at"} for r in rows], keys)
    assert len(stored[1][0]) > 100 and len(stored[1][1]) > 10
    assert stored[2] == stored[1]

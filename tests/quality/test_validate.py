"""Every published batch of the small city validated through GX on DuckDB: one result row per
expectation and batch, counts equal to the standards engine's, nothing unmasked stored, history kept."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.ingest.runner import ingest
from pipelines.quality.suites import plan
from pipelines.quality.validate import published_batches, results_root, validate
from pipelines.settings import Settings
from pipelines.standards.evaluate import with_python

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def validated(small_city, tmp_path_factory):
    city, _ = small_city
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), source_root=city)
    ingest(settings=settings)  # the HR API is not served: its saved pages are read
    first = validate(settings, run_id="run1")
    second = validate(settings, run_id="run2")
    return settings, first, second


def test_one_row_per_expectation_and_batch(validated):
    settings, first, _ = validated
    batches = published_batches(settings)
    assert len(batches) >= 9
    assert len(first) == sum(len(plan(b.resource)) for b in batches)
    assert {r["dimension"] for r in first} >= {"conformity", "accuracy", "completeness", "consistency"}


def test_unexpected_counts_equal_the_standards_engine(validated):
    settings, first, _ = validated
    [batch] = [b for b in published_batches(settings) if b.resource.slug == "household_registry"]
    [row] = [r for r in first if r["load_id"] == batch.load_id and r["rule"] == "citizen_id.check_char"]
    values = [v for (v,) in duckdb.sql(f"select gmsfhm from read_parquet('{batch.files[0]}')").fetchall()]
    expected = sum(1 for _, checks in with_python("citizen_id", values) if checks["check_char"] is False)
    assert row["unexpected_count"] == expected > 0
    assert row["element_count"] == len(values)


def test_a_second_run_keeps_the_history_and_validates_nothing_twice(validated):
    settings, first, second = validated
    assert second == []
    stored = duckdb.sql(f"select count(*) from read_parquet('{results_root(settings)}/run_id=*/*.parquet')").fetchone()
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
    assert any(r["masked_samples"] != "[]" for r in first)
    assert not re.search(r"\d{17}[\dXx]", text)
    assert not re.search(r"1[3-9]\d{9}", text)


def test_every_injected_missing_value_of_a_required_field_is_counted(small_city, validated):
    """Completeness against the city's truth: missing names, IDs and placeholders in required fields."""
    import csv

    from pipelines.catalog import load_catalog

    city, _ = small_city
    _, first, _ = validated
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
    from pipelines.quality.scoring import load_scoring
    from pipelines.transform.build import build_scorecards

    settings, first, _ = validated
    build_scorecards(settings)
    scoring = load_scoring()
    by_dim: dict[tuple, list[int]] = {}
    for r in first:
        if r["severity"] == "error" and not r["waived"]:
            s = by_dim.setdefault((r["department"], r["period"], r["dimension"]), [0, 0])
            s[0] += r["element_count"]
            s[1] += r["element_count"] - (r["unexpected_count"] or 0)
    expected: dict[tuple, float] = {}
    for (dept, period, dim), (checked, passed) in by_dim.items():
        if checked == 0:  # an empty delivery has no score
            continue
        w = scoring.weights[dim]
        num, den = expected.get((dept, period), (0.0, 0.0))
        expected[(dept, period)] = (num + w * passed / checked, den + w)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        got = {
            (d, p): s
            for d, p, s in con.execute(
                "select department, period, overall_score from quality.department_scorecards"
            ).fetchall()
        }
    assert set(got) == set(expected)
    for key, (num, den) in expected.items():
        assert got[key] == pytest.approx(num / den, abs=1e-12), key

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

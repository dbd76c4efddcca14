"""A run's logical date decides which files it lands: a file dropped after the run's data interval is left
for a later run, so a backfill over past months lands each month's deliveries in that month's run."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

import pytest

from pipelines.settings import get_settings
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig

pytestmark = pytest.mark.xdist_group("logical_dates")


def _dropped(path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_a_backfill_lands_each_months_files_in_that_months_run(tmp_path, monkeypatch):
    from pipelines.orchestration.local_runs import ensure_airflow_db, load_dags

    city, data = tmp_path / "city", tmp_path / "data"
    generate_city(CityConfig(people=200, seed=5), city)
    births = sorted((city / "health" / "births").glob("births_????-??.csv"))
    assert len(births) == 3
    header, *rows = births[0].read_bytes().splitlines(keepends=True)
    for i, path in enumerate(births[1:], 1):  # a small city's later months may have no birth: give each one
        path.write_bytes(header + rows[i])
    for path in births:  # each month's file dropped on the 3rd of the next month
        year, month = map(int, path.stem.split("_")[1].split("-"))
        _dropped(path, datetime(year + month // 12, month % 12 + 1, 3, 9, tzinfo=UTC))
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(data))
    monkeypatch.setenv("GOVLAKE_SOURCE_ROOT", str(city))
    get_settings.cache_clear()
    ensure_airflow_db()
    dag = load_dags(["ingest_health"])["ingest_health"]

    def landed() -> list[str]:
        with sqlite3.connect(data / "lake" / "_ledger.sqlite") as ledger:
            rows = ledger.execute(
                "select delivery from loads where resource = 'birth_records' and status = 'published' order by 1"
            )
            return [r[0].rsplit("/", 1)[-1] for r in rows]

    try:
        # the monthly runs of a backfill, oldest first (`airflow backfill create --dag-id ingest_health ...`)
        for month, expected in ((9, births[:1]), (10, births[:2]), (11, births)):
            run = dag.test(logical_date=datetime(2026, month, 4, tzinfo=UTC))
            assert str(run.state) == "success"
            assert landed() == [p.name for p in expected], month
        run = dag.test(logical_date=datetime(2026, 11, 5, tzinfo=UTC))  # nothing new: the chain stays still
        births_task = next(ti for ti in run.get_task_instances() if ti.task_id == "birth_records")
        assert str(births_task.state) == "skipped"
    finally:
        get_settings.cache_clear()


def test_a_read_in_a_backfilled_run_counts_as_delivered_when_its_interval_ended(tmp_path, monkeypatch):
    """A database keeps no past state, so a run for a past day reads it as it is; the read stands for the
    run's day, and the scorecards count it in that day's month, not in the month the run happened to run."""
    import pyarrow.parquet as pq

    from pipelines.orchestration.local_runs import ensure_airflow_db, load_dags
    from pipelines.quality.loads import export_loads

    city, data = tmp_path / "city", tmp_path / "data"
    generate_city(CityConfig(people=100, seed=6), city)
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(data))
    monkeypatch.setenv("GOVLAKE_SOURCE_ROOT", str(city))
    get_settings.cache_clear()
    ensure_airflow_db()
    try:
        run = load_dags(["ingest_public_security"])["ingest_public_security"].test(
            logical_date=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)
        )
        assert str(run.state) == "success"
        with sqlite3.connect(data / "lake" / "_ledger.sqlite") as ledger:
            ((delivered_at, started_at),) = ledger.execute("select delivered_at, started_at from loads").fetchall()
        assert delivered_at == "2026-09-30T23:59:59.000+00:00" and started_at > delivered_at
        loads = pq.read_table(export_loads(get_settings())).to_pylist()
        assert [(r["period"], r["delivered_at"]) for r in loads] == [("2026-09", datetime(2026, 9, 30, 23, 59, 59))]
    finally:
        get_settings.cache_clear()

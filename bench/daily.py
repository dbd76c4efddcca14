"""A day against a full build: what one day of a living city costs end to end, beside building the whole
lake, in the same run on the same machine.

A city of `people` is generated and ingested, and everything runs once over the whole lake (the full
build: subject databases, validation, scorecards, site, role warehouses, verification index). The city then
lives one day (its departments deliver the day's changes) and the same stages run again: the day. The
ratio day / full is what issue 20 asks to bring under 5% at 1,000,000 people.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pydantic import SecretStr

from pipelines.settings import EngineName, Settings

BENCH_KEY = SecretStr("bench-only-pseudonym-key-0123456789abcdef")


def _stages(settings: Settings) -> dict:
    """Every stage after ingestion, in the order the DAGs run them."""
    from pipelines.access.build import build_all
    from pipelines.publish.site import publish
    from pipelines.quality.validate import validate
    from pipelines.transform.build import build_scorecards, build_subject_databases
    from pipelines.verification.index import build_index

    return {
        "subject databases": lambda: build_subject_databases(settings),
        "validation": lambda: validate(settings),
        "scorecards": lambda: build_scorecards(settings),
        "site": lambda: publish(settings),
        "role warehouses": lambda: build_all(settings),
        "verification index": lambda: build_index(settings),
    }


def _timed(seconds: dict, name: str, step) -> None:
    started = time.perf_counter()
    result = step()
    seconds[name] = round(time.perf_counter() - started, 2)
    for stage, took in getattr(result, "seconds", {}).items():  # the build's own stages (dbt, linkage)
        seconds[f"  {stage}"] = round(took, 2)


def run(people: int, engine: str = "duckdb", seed: int = 42) -> dict:
    from pipelines.engines import engine_for
    from pipelines.ingest.runner import ingest
    from pipelines.synth.city import generate_city
    from pipelines.synth.config import CityConfig
    from pipelines.synth.timeline import LivingCity

    root = Path(tempfile.mkdtemp(prefix="govlake-daily-"))
    as_of = date.today() - timedelta(days=3)  # the day lived ends before today (no future dates)
    try:
        city = root / "city"
        generate_city(CityConfig(people=people, seed=seed, as_of=as_of), city)
        settings = Settings(
            data_dir=root / "data", source_root=city, engine=EngineName(engine), pseudonym_key=BENCH_KEY
        )
        full: dict[str, float] = {}
        _timed(full, "ingest", lambda: ingest(settings=settings))
        for name, step in _stages(settings).items():
            _timed(full, name, step)
        day: dict[str, float] = {}
        living = LivingCity(city, seed, as_of + timedelta(days=1))
        try:
            events = living.live(1)
        finally:
            living.close()
        _timed(day, "ingest", lambda: ingest(settings=settings))
        for name, step in _stages(settings).items():
            _timed(day, name, step)
        engine_for(settings).close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    total_full, total_day = (sum(v for k, v in t.items() if not k.startswith(" ")) for t in (full, day))
    return {
        "people": people,
        "engine": engine,
        "events": events,
        "full": full,
        "day": day,
        "total_full": round(total_full, 2),
        "total_day": round(total_day, 2),
        "day_over_full": round(total_day / total_full, 4),
    }

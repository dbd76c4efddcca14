"""A day against a full build: what one day of a living city costs end to end, beside building the whole
lake, in the same run on the same machine.

A city of `people` is generated and ingested, and everything runs once over the whole lake (the full
build: subject databases, validation, scorecards, site, role warehouses, verification index). The city then
lives one day (its departments deliver the day's changes) and the same stages run again: the day. The
ratio day / full is what issue 20 asks to bring under 5% at 1,000,000 people.
"""

from __future__ import annotations

import json
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
        "role warehouses": lambda: _RoleSeconds(build_all(settings)),
        "verification index": lambda: build_index(settings),
    }


class _RoleSeconds:
    """The role warehouses' seconds per table, summed over the roles (`_timed` lists them)."""

    def __init__(self, reports) -> None:
        self.seconds: dict[str, float] = {}
        for report in reports:
            for table, took in report.seconds.items():
                self.seconds[table] = self.seconds.get(table, 0.0) + took


def _timed(seconds: dict, name: str, step) -> None:
    started = time.perf_counter()
    result = step()
    seconds[name] = round(time.perf_counter() - started, 2)
    for stage, took in getattr(result, "seconds", {}).items():  # the build's own stages (dbt, linkage)
        seconds[f"  {stage}"] = round(took, 2)


def _settings(root: Path, engine: str) -> Settings:
    return Settings(
        data_dir=root / "data", source_root=root / "city", engine=EngineName(engine), pseudonym_key=BENCH_KEY
    )


def _process(settings: Settings) -> dict[str, float]:
    """Ingest what the city delivered, then every stage: seconds per stage."""
    from pipelines.ingest.runner import ingest

    seconds: dict[str, float] = {}
    _timed(seconds, "ingest", lambda: ingest(settings=settings))
    for name, step in _stages(settings).items():
        _timed(seconds, name, step)
    return seconds


def build_full(root: Path, people: int, engine: str = "duckdb", seed: int = 42) -> dict[str, float]:
    """Generate a city of `people` in `root` and build everything from it: the full build's seconds. What
    it leaves in `root` (`bench.json`, the city, the data folder) is what `live_day` needs."""
    from pipelines.engines import engine_for
    from pipelines.synth.city import generate_city
    from pipelines.synth.config import CityConfig

    as_of = date.today() - timedelta(days=3)  # the day lived ends before today (no future dates)
    generate_city(CityConfig(people=people, seed=seed, as_of=as_of), root / "city")
    settings = _settings(root, engine)
    try:
        full = _process(settings)
    finally:
        engine_for(settings).close()
    (root / "bench.json").write_text(
        json.dumps({"people": people, "engine": engine, "seed": seed, "as_of": as_of.isoformat(), "full": full})
    )
    return full


def live_day(root: Path, days: int = 1) -> tuple[dict[str, int], dict[str, float], list[float]]:
    """The city in `root` (left by `build_full`) lives `days` days, everything running again after each:
    (the last day's events, its seconds, every day's total). The first day after a full build sets up what
    the next ones keep (the role warehouses' previous files): the last of several days is the steady state."""
    from pipelines.engines import engine_for
    from pipelines.synth.timeline import LivingCity

    made = json.loads((root / "bench.json").read_text())
    living = LivingCity(root / "city", made["seed"], date.fromisoformat(made["as_of"]) + timedelta(days=1))
    settings = _settings(root, made["engine"])
    each: list[dict[str, float]] = []
    try:
        for _ in range(days):
            events = living.live(1)
            each.append(_process(settings))
    finally:
        living.close()
        engine_for(settings).close()
    return events, each[-1], [_total(seconds) for seconds in each]


def _total(seconds: dict[str, float]) -> float:
    return round(sum(v for k, v in seconds.items() if not k.startswith(" ")), 2)


def _report(people: int, engine: str, events: dict, full: dict, day: dict, days: list[float] | None = None) -> dict:
    return {
        "people": people,
        "engine": engine,
        "events": events,
        "full": full,
        "day": day,
        "every_day": days or [_total(day)],
        "total_full": _total(full),
        "total_day": _total(day),
        "day_over_full": round(_total(day) / _total(full), 4),
    }


DAYS = 2  # the day measured is the second: the first after a full build sets up what the next ones keep


def run(people: int, engine: str = "duckdb", seed: int = 42) -> dict:
    """Both phases in one go, in a folder removed afterwards (what `make bench` runs)."""
    root = Path(tempfile.mkdtemp(prefix="govlake-daily-"))
    try:
        full = build_full(root, people, engine, seed)
        events, day, days = live_day(root, DAYS)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return _report(people, engine, events, full, day, days)


def main(argv: list[str] | None = None) -> None:
    """The phases apart, to measure many days against one kept full build:
    `python -m bench.daily full DIR --people 1000000` builds once and keeps DIR;
    `python -m bench.daily day DIR [--days N]` copies DIR (file times kept) and lives N days in the copy
    (default `DAYS`), reporting the last."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.daily")
    parser.add_argument("phase", choices=["full", "day"])
    parser.add_argument("root", type=Path)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--days", type=int, default=DAYS)
    args = parser.parse_args(argv)
    if args.phase == "full":
        args.root.mkdir(parents=True, exist_ok=False)
        print(json.dumps(build_full(args.root, args.people, args.engine), indent=2))
        return
    work = args.root.with_name(args.root.name + "-day")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.root, work, symlinks=True)  # copy2: the role state knows its warehouse by size and time
    made = json.loads((work / "bench.json").read_text())
    events, day, days = live_day(work, args.days)
    print(json.dumps(_report(made["people"], made["engine"], events, made["full"], day, days), indent=2))


if __name__ == "__main__":
    main()

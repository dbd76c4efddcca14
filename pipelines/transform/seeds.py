"""Seeds loaded when they change, not by every dbt command that selects them.

A `dbt build` loads every seed its selection reaches, each time. The seeds are the project's reference
tables (the standards' code lists, the scoring rules), which change only with the code; on Spark a seed is
written row by row, and the six took about 8 s of each build's staging (the code lists, 8,211 rows, 4 to
7 s) and more of its scorecards. A seed whose file and configuration are those it was last loaded with, and
whose table is still there, is left out of the command.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.engines import engine_for
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import Settings
from pipelines.transform.code_digest import code_digest

SCHEMA = "reference"  # dbt_project.yml's schema for seeds


def seed_digest(name: str) -> str:
    """A digest of what a seed's table holds: its file and the project's configuration (its column types)."""
    return code_digest(["dbt_project.yml", f"seeds/{name}.csv"])


def _state(settings: Settings) -> Path:
    """Where the digest each seed was last loaded with on the settings' engine is kept."""
    return settings.data_root / f"seeds-{settings.engine.value}.json"


def _loaded(settings: Settings) -> dict[str, str]:
    try:
        return json.loads(_state(settings).read_text())
    except (FileNotFoundError, ValueError):  # none loaded yet, or a record cut short: every seed loads again
        return {}


def loaded_seeds(settings: Settings) -> list[str]:
    """The seeds whose tables hold what their files say now."""
    engine = engine_for(settings)
    return sorted(
        name
        for name, digest in _loaded(settings).items()
        if (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").exists()
        and digest == seed_digest(name)
        and engine.has_mart(SCHEMA, name)
    )


def excluding_loaded_seeds(settings: Settings, args: list[str]) -> list[str]:
    """The arguments of a dbt command, with the seeds already loaded added to what a `build` excludes (a
    `--full-refresh` loads them all again)."""
    loaded = loaded_seeds(settings) if args[:1] == ["build"] and "--full-refresh" not in args else []
    if not loaded:
        return args
    if "--exclude" in args:
        at = args.index("--exclude") + 1
        return [*args[:at], *loaded, *args[at:]]
    return [*args, "--exclude", *loaded]


def record_loaded_seeds(settings: Settings) -> None:
    """Note the seeds the last dbt command loaded (from its `run_results.json`), with their digests."""
    results = Path(engine_for(settings).dbt_variables()["DBT_TARGET_PATH"]) / "run_results.json"
    if not results.exists():
        return
    loaded = [
        r["unique_id"].rsplit(".", 1)[-1]
        for r in json.loads(results.read_text())["results"]
        if r["unique_id"].startswith("seed.") and r["status"] == "success"
    ]
    if loaded:
        state = _loaded(settings) | {name: seed_digest(name) for name in loaded}
        _state(settings).write_text(json.dumps(state, indent=1, sort_keys=True))

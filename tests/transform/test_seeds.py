"""A seed is loaded when its file or configuration changed, or its table is gone, or a full refresh asks; not
by every `dbt build` that selects it (`pipelines/transform/seeds.py`)."""

from __future__ import annotations

import json

from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import Settings

SEEDS = ["build", "--select", "resource_type:seed"]


def _seeds_loaded(settings: Settings) -> set[str]:
    """The seeds the last dbt command loaded, as dbt reports them."""
    results = json.loads((settings.data_root / "dbt-target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1] for r in results if r["unique_id"].startswith("seed.")}


def test_a_seed_loads_again_only_when_it_changed_or_its_table_is_gone(tmp_path):
    from pipelines.engines import engine_for
    from pipelines.transform.build import run_dbt
    from pipelines.transform.seeds import _state, loaded_seeds

    settings = Settings(data_dir=tmp_path)
    every = {p.stem for p in (DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    run_dbt(settings, SEEDS)
    assert _seeds_loaded(settings) == every and set(loaded_seeds(settings)) == every

    run_dbt(settings, SEEDS)
    assert _seeds_loaded(settings) == set()  # nothing changed: none loads

    with engine_for(settings).connect(read_only=False) as con:
        con.execute("drop table reference.scoring_rules")
    state = json.loads(_state(settings).read_text())
    _state(settings).write_text(json.dumps(state | {"standard_codes": "a digest of other code lists"}))
    run_dbt(settings, SEEDS)
    assert _seeds_loaded(settings) == {"scoring_rules", "standard_codes"}  # gone; changed
    assert engine_for(settings).scalar("select count(*) from reference.scoring_rules") > 0

    _state(settings).write_text('{"standard_co')  # a record cut short: every seed loads again
    run_dbt(settings, SEEDS)
    assert _seeds_loaded(settings) == every

    run_dbt(settings, [*SEEDS, "--full-refresh"])
    assert _seeds_loaded(settings) == every

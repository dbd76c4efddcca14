"""The session's city, ingested once and built once on each engine.

A 1,500-person city (every kind of record, defect and link; large enough for probabilistic links; its
records delivered in one month, not three: the same records in half the batches, each validated on
its own) is ingested by the ingest DAGs, then lives one more day and is ingested again (the day's
events changed in place and delivered: second versions, ended records; more days brought few more
events for much more Spark time). An engine's run copies that lake into a data dir of its own and runs
the same DAGs on it (`build_subject_databases`, `publish_quality_scorecards`, `build_access_warehouses`,
with `dag.test()`), then reads back what the equivalence test compares: every mart and every table of
every role's warehouse (`pipelines.engines.fingerprint`), the published league tables, the verification
index, `linkage explain`, and what probes of the analyst's warehouse found in the clear.

DuckDB's run is also the built city the access, quality and subject-database tests copy: one ingested
and built city per test run, not one per package.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings

from pipelines.synth.config import CityConfig, DefectRates
from tests.access.conftest import AS_OF, TEST_KEY, AccessCity, on_day
from tests.access.probes import analyst_queries, leaks, role_tables

# one month delivered: half the batches of three. Its 25 licences, 13 of them expired, would at the default
# rate (3%) leave no expired licence still marked valid for the build to flag: one in three is.
CITY = CityConfig(people=1_500, seed=3, periods=1, rates=DefectRates(licence_lifecycle=0.3))
DAYS = 1
INITIAL_LOADS = "initial_loads.json"  # the loads of the first month, before the city lived its day
PHASES: dict[str, float] = {}


@contextlib.contextmanager
def timed(phase: str):
    """Seconds per phase, printed by the equivalence test: where the two-engine run spends its time."""
    start = time.perf_counter()
    yield
    PHASES[phase] = round(time.perf_counter() - start, 1)


def make_lake(root: Path) -> None:
    """`root/city`, ingested into `root/data` by the ingest DAGs, living `DAYS` more days (ingested each
    day); `root/ingested.json` holds the ingest DAGs' states, `root/initial_loads.json` the first loads."""
    from pipelines.ingest.runner import ingest
    from pipelines.lake.layout import LakeLayout
    from pipelines.lake.ledger import Ledger
    from pipelines.orchestration.local_runs import test_dags
    from pipelines.synth.city import generate_city
    from pipelines.synth.timeline import LivingCity
    from pipelines.transform.build import CONSUMER
    from tests.conftest import hr_api_served

    city, data = root / "city", root / "data"
    with timed("generate"):
        generate_city(CITY, city)
    with hr_api_served(city, GOVLAKE_DATA_DIR=str(data)):
        with timed("ingest DAGs"):
            ingested = test_dags("ingest_")
        first = Ledger(LakeLayout(data / "lake").ledger_path).pending(CONSUMER)  # nothing is built yet: all
        with timed(f"{DAYS} more days"):
            living = LivingCity(city, CITY.seed, CITY.as_of + timedelta(days=1))
            living.live(DAYS, lambda on: ingest())
            living.close()
    (root / "ingested.json").write_text(json.dumps(ingested))
    (root / INITIAL_LOADS).write_text(json.dumps(first))


def copy_lake(root: Path, data: Path, loads: list[str] | None = None) -> Path:
    """`data` holding a copy of the lake made by `make_lake` (raw batches, quarantine, ledger); with `loads`,
    only those loads' raw batches (the rest can be copied later, as if they landed then)."""
    lake = root / "data" / "lake"
    if loads is None:
        shutil.copytree(lake / "raw", data / "lake" / "raw", dirs_exist_ok=True)
    else:
        for load in loads:
            for batch in lake.glob(f"raw/*/*/load_id={load}"):
                shutil.copytree(batch, data / "lake" / batch.relative_to(lake), dirs_exist_ok=True)
    shutil.copytree(lake / "quarantine", data / "lake" / "quarantine", dirs_exist_ok=True)
    shutil.copy2(lake / "_ledger.sqlite", data / "lake" / "_ledger.sqlite")
    return data


def run_platform(engine: str, data: Path, city: AccessCity, before=None) -> dict:
    """The DAGs on `engine` over the lake in `data`, on AS_OF, then what the equivalence test compares.
    `before(settings)` runs first, on the engine's settings."""
    from pipelines.engines import engine_for
    from pipelines.engines.fingerprint import fingerprint
    from pipelines.orchestration.local_runs import test_dags
    from pipelines.settings import get_settings

    states = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVLAKE_DATA_DIR", str(data))
        mp.setenv("GOVLAKE_ENGINE", engine)
        mp.setenv("GOVLAKE_PSEUDONYM_KEY", TEST_KEY.get_secret_value())
        get_settings.cache_clear()
        settings = get_settings()
        if before is not None:
            with timed(f"{engine} before"):
                before(settings)
        with on_day(AS_OF):
            for dag_id in ("build_subject_databases", "publish_quality_scorecards", "build_access_warehouses"):
                with timed(f"{engine} {dag_id}"):
                    states |= test_dags(dag_id)
            out = {"states": states}
            for name, read in {
                "fingerprint": fingerprint,
                "staging_runs": _staging_runs,
                "league": _league,
                "roles": _role_fingerprints,
                "verification": _verification_index,
                "explained": _explanations,
                "probes": lambda settings: _probe_analyst(settings, city),
                "follows_on": _linkage_follows_on,  # last: it links again
            }.items():
                with timed(f"{engine} {name}"):
                    out[name] = read(settings)
        engine_for(settings).close()
    get_settings.cache_clear()
    return out


EXPLAINED = """
    select department || '/' || resource || '/' || record_key as record
    from intermediate.int_person_records_unioned join linkage.population_links using (source_record_id)
    where matched_record_id is not null order by 1 limit 3
"""


def _staging_runs(settings) -> int:
    """How many dbt runs standardised the household registry's batches (each batch is standardised once)."""
    from pipelines.engines import engine_for

    return engine_for(settings).scalar(
        "select count(distinct standardised_in) from staging.stg_public_security__household_registry_rows"
    )


def _league(settings) -> list:
    index = json.loads((settings.site_root / "data" / "index.json").read_text(encoding="utf-8"))
    return [
        (t["period"], [(d["department"], d["rank_in_period"], d["is_passing"]) for d in t["departments"]])
        for t in index["league_tables"]
    ]


def _role_fingerprints(settings) -> dict:
    from pipelines.access.policy import RoleKind, load_access
    from pipelines.engines.fingerprint import role_fingerprint

    out = {}
    for role, spec in load_access().roles.items():
        if spec.kind is not RoleKind.ADMINISTRATOR:
            tables = [*role_tables(settings, role), "_access.grants", "_access.columns"]
            out |= {f"{role}:{t}": f for t, f in role_fingerprint(settings, role, tables).items()}
    return out


def _verification_index(settings) -> dict:
    from pipelines.engines.fingerprint import table_fingerprint
    from pipelines.verification.index import index_dir

    out = {}
    for path in sorted(index_dir(settings).glob("*.parquet")):
        table = pq.read_table(path)
        out[path.name] = table_fingerprint(table.column_names, list(zip(*table.to_pydict().values(), strict=True)))
    return out


def _explanations(settings):
    from pipelines.engines import engine_for
    from pipelines.engines.fingerprint import table_fingerprint
    from pipelines.linkage.explain import explain

    records = engine_for(settings).query(EXPLAINED).column(0).to_pylist()
    explained = [dataclasses.asdict(e) for r in records for e in explain(settings, r)]
    return len(explained), table_fingerprint(["explanation"], [(e,) for e in explained])


HELD_BACK = "substr(md5(source_record_id), 1, 1) = '0'"  # a sixteenth of the records, the same on both engines
# one subject proves the follow-on path (the same code and dialect for both subjects) as well as two would, in
# less Spark time; both subjects follow on from a last build on DuckDB in `test_living_city`
FOLLOWS_ON = ["population"]


def _linkage_follows_on(settings) -> dict:
    """Linkage following on from a run that had not scored a sixteenth of the records yet, and whose edges of
    those records are stale (their probabilities wrong): it must score their pairs, drop the stale edges and
    end with the edges and links scoring every pair gave (`pipelines/linkage/scoring.py`). The two-engine run
    scores every pair once, so this is where the follow-on path runs on Spark's dialect and tables.
    Returns, per subject, (whether only changed records were scored, pairs scored), and the tables that
    differ from the run's own."""
    from pipelines.engines import engine_for
    from pipelines.engines.fingerprint import differences, fingerprint
    from pipelines.linkage.scoring import scored_state
    from pipelines.transform.build import link_subject

    tables = [f"linkage.{s}_{t}" for s in FOLLOWS_ON for t in ("edges", "links")]
    scored_every_pair = fingerprint(settings, tables)
    with engine_for(settings).workspace() as ws:
        for subject in FOLLOWS_ON:
            scored, edges = scored_state(ws, subject), ws.warehouse("linkage", f"{subject}_edges")
            stale = f"source_record_id_l in (select source_record_id from {scored} where {HELD_BACK})"
            columns = ", ".join(
                f"case when {stale} then 0.99 else {c} end as {c}" if c == "match_probability" else c
                for c in ws.columns(edges)
            )
            # through tables of their own: Spark cannot read and replace one table in one statement
            ws.execute(f"create or replace table {scored}_last as select * from {scored} where not ({HELD_BACK})")
            ws.execute(f"create or replace table {edges}_last as select {columns} from {edges}")
            ws.execute(f"create or replace table {scored} as select * from {scored}_last")
            ws.execute(f"create or replace table {edges} as select * from {edges}_last")
            for table in (f"{scored}_last", f"{edges}_last"):
                ws.execute(f"drop table {table}")
    runs = {s: link_subject(settings, s) for s in FOLLOWS_ON}
    return {
        "runs": {s: (r.changed_only, r.pairs_scored) for s, r in runs.items()},
        "differences": differences(scored_every_pair, fingerprint(settings, tables)),
    }


ESCAPES = (
    "attach '{warehouse}' as platform",
    "select * from read_parquet('{lake}/raw/**/*.parquet')",
    "copy (select 1) to '/tmp/out.csv'",
    "set enable_external_access = true",
    "create table t as select 1",
    "select * from staging.stg_tax__taxpayer_registrations",
    "select reflect('java.lang.System', 'getenv', 'HOME')",
)


def _probe_analyst(settings, city: AccessCity) -> dict:
    """Personal data in the clear anywhere in the analyst's warehouse, in what generated queries return,
    and the ways out of it the query path let through."""
    from pipelines.access.query import QueryFailed, run_query

    tables = role_tables(settings, "analyst")
    found = {"cells": [], "queries": [], "escapes": []}
    for table in tables:
        found["cells"] += leaks(run_query("analyst", f"select * from {table}", settings=settings).rows, city)

    # fewer than the DuckDB access tests' (which run the same probes): each is a Spark job through the guard
    @hyp_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(analyst_queries(tables))
    def generated(sql: str) -> None:
        with contextlib.suppress(QueryFailed):  # a type error in a generated expression shows nothing
            found["queries"] += leaks(run_query("analyst", sql, settings=settings).rows, city)

    generated()
    for sql in ESCAPES:
        try:
            run_query(
                "analyst", sql.format(warehouse=settings.warehouse_path, lake=settings.lake_root), settings=settings
            )
            found["escapes"].append(sql)
        except QueryFailed:
            pass
    return found

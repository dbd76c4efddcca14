"""One city through both engines: the same subject databases and the same scorecards.

The 10,000-person city is ingested once by the ingest DAGs; each engine then runs the same DAGs
(`build_subject_databases`, `publish_quality_scorecards`, with `dag.test()`) on its own data dir,
holding a copy of that lake. Every mart is compared: row count, keys and a checksum over its sorted
rows (`pipelines.engines.fingerprint`), and the published league tables.
"""

from __future__ import annotations

import json
import shutil

import pytest

from pipelines.settings import get_settings
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig

pytestmark = [pytest.mark.slow, pytest.mark.spark, pytest.mark.xdist_group("spark")]

CITY = CityConfig(people=10_000, seed=3)
SUBJECT_DATABASES = {"population.persons", "legal_entities.legal_entities", "licences.licences"}


def _league(settings) -> list:
    index = json.loads((settings.site_root / "data" / "index.json").read_text(encoding="utf-8"))
    return [
        (t["period"], [(d["department"], d["rank_in_period"], d["is_passing"]) for d in t["departments"]])
        for t in index["league_tables"]
    ]


def _run(engine: str, data, mp: pytest.MonkeyPatch) -> dict:
    from pipelines.engines import engine_for
    from pipelines.engines.fingerprint import fingerprint
    from pipelines.orchestration.local_runs import test_dags

    mp.setenv("GOVLAKE_DATA_DIR", str(data))
    mp.setenv("GOVLAKE_ENGINE", engine)
    get_settings.cache_clear()
    settings = get_settings()
    states = test_dags("build_subject_databases") | test_dags("publish_quality_scorecards")
    out = {"states": states, "fingerprint": fingerprint(settings), "league": _league(settings)}
    engine_for(settings).close()
    return out


@pytest.fixture
def both(tmp_path_factory):
    from pipelines.orchestration.local_runs import test_dags
    from pipelines.synth.api import start_api_server

    city = tmp_path_factory.mktemp("city")
    generate_city(CITY, city)
    duckdb_data, spark_data = tmp_path_factory.mktemp("duckdb"), tmp_path_factory.mktemp("spark")
    mp = pytest.MonkeyPatch()
    server, _ = start_api_server(city / "hr_social_security" / "enrolments", token="tkn")
    mp.setenv("GOVLAKE_SOURCE_ROOT", str(city))
    mp.setenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", f"http://127.0.0.1:{server.server_address[1]}")
    mp.setenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN", "tkn")
    try:
        mp.setenv("GOVLAKE_DATA_DIR", str(duckdb_data))
        get_settings.cache_clear()
        ingested = test_dags("ingest_")
        for part in ("raw", "quarantine"):
            shutil.copytree(duckdb_data / "lake" / part, spark_data / "lake" / part)
        shutil.copy2(duckdb_data / "lake" / "_ledger.sqlite", spark_data / "lake" / "_ledger.sqlite")
        runs = {engine: _run(engine, data, mp) for engine, data in (("duckdb", duckdb_data), ("spark", spark_data))}
    finally:
        server.shutdown()
        mp.undo()
        get_settings.cache_clear()
    return ingested, runs


def test_both_engines_give_the_same_subject_databases_and_scorecards(both):
    """One test, not three: the fixture runs the whole platform twice, which no two workers should share."""
    from pipelines.engines.fingerprint import differences

    ingested, runs = both
    assert set(ingested.values()) == {"success"}, ingested
    for engine, run in runs.items():
        assert set(run["states"].values()) == {"success"}, (engine, run["states"])
    duck, spark = runs["duckdb"]["fingerprint"], runs["spark"]["fingerprint"]
    assert set(duck) >= SUBJECT_DATABASES | {"quality.department_scorecards", "quality.fct_quality_results"}
    assert duck["population.persons"].rows > 9_000  # the city, not an empty build
    assert not differences(duck, spark), differences(duck, spark)
    assert runs["duckdb"]["league"] and runs["duckdb"]["league"] == runs["spark"]["league"]

"""Shared fixtures: telemetry off, a small synthetic city generated once per session."""

from __future__ import annotations

import os
from pathlib import Path

for _key, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "SCARF_NO_ANALYTICS": "true",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    # as `make test` sets it: a DagBag made before dag.test() otherwise fixes Airflow's DAG bundle on a folder
    # under AIRFLOW_HOME, and dag.test() then finds its DAG "not serialized"
    "AIRFLOW__CORE__DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "dags"),
    "SPARK_LOCAL_IP": "127.0.0.1",
}.items():
    os.environ.setdefault(_key, _value)

# the project's Airflow home before anything imports Airflow (which fixes its database then), and one
# metadata database per worker: dag.test() runs in parallel
_home = Path(os.environ.get("AIRFLOW_HOME") or Path(__file__).resolve().parents[1] / ".airflow")
if os.environ.get("PYTEST_XDIST_WORKER"):
    _home = _home / f"pytest-{os.environ['PYTEST_XDIST_WORKER']}"
os.environ["AIRFLOW_HOME"] = str(_home)

import json  # noqa: E402
import pickle  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from pipelines.synth.city import generate_city  # noqa: E402
from pipelines.synth.config import CityConfig  # noqa: E402

SMALL_CITY = CityConfig(people=3_000, seed=7)


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A 3,000-person city with the default defect rates, delivering three months: (folder, summary)."""
    out = tmp_path_factory.mktemp("city")
    return out, generate_city(SMALL_CITY, out)


SERVERS = {
    "postgresql": (
        "postgresql+psycopg://root@127.0.0.1:5432/postgres",
        "postgresql+psycopg://root@127.0.0.1:5432/{db}",
    ),
    "mariadb": ("mysql+pymysql://root@127.0.0.1:3306/test", "mysql+pymysql://root@127.0.0.1:3306/{db}?charset=utf8mb4"),
}


@contextmanager
def scratch_database_url(kind: str) -> Iterator[str]:
    """A fresh database on a real server (`kind`: a key of SERVERS), dropped afterwards."""
    admin_url, url_template = SERVERS[kind]
    name = f"govlake_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}" + (" CHARACTER SET utf8mb4" if kind == "mariadb" else ""))
    try:
        yield url_template.format(db=name)
    finally:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            conn.exec_driver_sql(f"DROP DATABASE {name}")
        admin.dispose()


@contextmanager
def hr_api_served(city: Path, **environment: str) -> Iterator[dict[str, str]]:
    """The city's HR API served on loopback, and the environment a platform process needs to read the
    city through it (its sources, the API's address and token, then `environment`) set in this process
    while inside. Yields that environment, for processes started from here (Airflow)."""
    from pipelines.settings import get_settings
    from pipelines.synth.api import start_api_server

    server, _ = start_api_server(city / "hr_social_security" / "enrolments", token="tkn")
    values = {
        "GOVLAKE_SOURCE_ROOT": str(city),
        "GOVLAKE_SRC_HR_SOCIAL_SECURITY_API": f"http://127.0.0.1:{server.server_address[1]}",
        "GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN": "tkn",
        **environment,
    }
    try:
        with pytest.MonkeyPatch.context() as mp:
            for name, value in values.items():
                mp.setenv(name, value)
            get_settings.cache_clear()
            yield values
    finally:  # the environment is the city's only while inside: other tests share the worker
        server.shutdown()
        get_settings.cache_clear()


@pytest.fixture
def scratch_database(request):
    """A fresh database on a real server, dropped afterwards."""
    with scratch_database_url(request.param) as url:
        yield request.param, url


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's folder, which every xdist worker sees (a worker's own is `<run>/popen-gwN`)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """`folder`, made by `make(folder)` once per test run by whichever worker asks first, behind a file
    lock; the others wait and read it. A folder left half made (no `done` marker) is made again."""
    from filelock import FileLock

    with FileLock(f"{folder}.lock"):
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            (folder / "done").touch()
    return folder


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory) -> tuple[Path, dict]:
    """The session's city ingested and lived one more day (`tests/built_city.py`), made once per test run
    by whichever worker asks first: (folder holding `city/` and the ingested `data/`, the ingest DAGs'
    states)."""
    from tests.built_city import make_lake

    root = made_once(shared_dir(tmp_path_factory) / "lake", make_lake)
    return root, json.loads((root / "ingested.json").read_text())


@pytest.fixture(scope="session")
def built_city(built_lake) -> Path:
    """The session's city: its sources and its truth."""
    return built_lake[0] / "city"


@pytest.fixture(scope="session")
def initial_loads(built_lake) -> set[str]:
    """The loads of the city's first month, which carry the defects its truth lists (the day lived after
    delivers second versions of some of those records, defects and all)."""
    from tests.built_city import INITIAL_LOADS

    return set(json.loads((built_lake[0] / INITIAL_LOADS).read_text()))


@pytest.fixture(scope="session")
def built_small_city(built_lake, tmp_path_factory) -> Path:
    """The session's city built through the real DAGs on DuckDB (`dag.test()`: subject databases,
    validation, scorecards, role warehouses, verification index), then validated once more (which
    validates nothing), once per test run: DuckDB's side of the equivalence test. A test package copies
    the folder (`copy_data`) and goes on from there; `validations.pickle` holds the two validations'
    result rows, `dag_states.json` each DAG's state, `run.pickle` what the equivalence test compares."""
    return made_once(
        shared_dir(tmp_path_factory) / "built_small_city", lambda data: _build_small_city(built_lake[0], data)
    )


def _build_small_city(root: Path, data: Path) -> None:
    import duckdb

    from pipelines.quality.validate import RESULT_COLUMNS, results_root, validate
    from pipelines.settings import Settings
    from tests.access.conftest import TEST_KEY, AccessCity, read_people
    from tests.built_city import copy_lake, run_platform

    city = root / "city"
    run = run_platform("duckdb", copy_lake(root, data), AccessCity(None, read_people(city)))
    settings = Settings(data_dir=data, source_root=city, pseudonym_key=TEST_KEY)
    stored = str(results_root(settings) / "run_id=*" / "*.parquet")
    first = duckdb.sql(f"select {', '.join(RESULT_COLUMNS)} from read_parquet('{stored}')").fetchall()
    runs = ([dict(zip(RESULT_COLUMNS, r, strict=True)) for r in first], validate(settings, run_id="run2"))
    (data / "validations.pickle").write_bytes(pickle.dumps(runs))
    (data / "dag_states.json").write_text(json.dumps(run["states"]))
    (data / "run.pickle").write_bytes(pickle.dumps(run))


def copy_data(built: Path, to: Path) -> tuple[Path, tuple[list[dict], list[dict]]]:
    """A private copy of the built small city's data folder, and its two validation runs' rows."""
    shutil.copytree(built, to, dirs_exist_ok=True, ignore=shutil.ignore_patterns("done", "*.lock"))
    return to, pickle.loads((to / "validations.pickle").read_bytes())


def pytest_collection_modifyitems(items):
    """Longest first: Spark's side of the two-engine run (the longest test by far) starts at once on one
    worker, which first makes the session's lake; the other works through the rest, slow tests first
    (`make test` passes `--no-loadscope-reorder`, so xdist hands out the groups in this order rather than
    by how many tests each holds). The tests on the session's built city come last: Spark's worker
    builds it on DuckDB once Spark is done, as its test needs it next, rather than the other worker
    building it beside Spark (Spark's thousands of small jobs lose far more to a busy machine than
    their share of it)."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("spark") is None,
            "built_small_city" in item.fixturenames,
            item.get_closest_marker("slow") is None,
        )
    )

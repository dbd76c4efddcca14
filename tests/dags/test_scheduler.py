"""The DAGs under Airflow's real scheduler (`govlake airflow`'s supervisor: scheduler, DAG processor,
triggerer and API server as separate processes), driven over the REST API as a data engineer would:
unpause everything, trigger the ingest DAGs, wait for the asset chain ingest → build → score → access.

What it tries to break: the build starting on a partial lake or once per delivery, asset events
emitted when nothing landed, the access DAG's nightly run failing before any build, a component
listening beyond loopback, processes outliving the supervisor."""

from __future__ import annotations

import socket
from datetime import datetime

import psutil
import pytest

from pipelines.catalog import load_catalog
from pipelines.orchestration.airflow_api import AirflowAPI
from pipelines.orchestration.airflow_local import local_airflow
from pipelines.paths import DAGS_DIR
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from tests.access.conftest import TEST_KEY
from tests.conftest import hr_api_served, scratch_database_url

pytestmark = [pytest.mark.slow, pytest.mark.db, pytest.mark.xdist_group("airflow")]

DOWNSTREAM = ("build_subject_databases", "publish_quality_scorecards", "build_access_warehouses")
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connections(process: psutil.Process) -> list:
    """The process's sockets; none when it ended since it was listed (a task's process often has)."""
    try:
        return process.net_connections(kind="inet")
    except (psutil.NoSuchProcess, FileNotFoundError):
        return []


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


@pytest.fixture(scope="module")
def airflow_database():
    """Airflow's metadata database on the PostgreSQL server: on SQLite the API server's writes and the
    scheduler's collide ("database is locked" on a trigger), as Airflow warns for anything but a try-out."""
    with scratch_database_url("postgresql") as url:
        yield url


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory, airflow_database):
    """Everything the run left: runs and task instances per DAG, asset events, the processes seen
    listening while it ran, and the component processes that were alive before the stop."""
    city = tmp_path_factory.mktemp("city")
    # what is tested is the scheduling, not the data: a small city, its records delivered in one month
    generate_city(CityConfig(people=300, seed=11, periods=1), city)
    airflow_settings = {
        "AIRFLOW_HOME": str(tmp_path_factory.mktemp("airflow_home")),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_database,
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "3600",
    }
    ingest = {f"ingest_{d}" for d in load_catalog().departments}
    with (
        hr_api_served(
            city,
            GOVLAKE_DATA_DIR=str(tmp_path_factory.mktemp("data")),
            GOVLAKE_PSEUDONYM_KEY=TEST_KEY.get_secret_value(),
            GOVLAKE_BUILD_WAIT_MINUTES="20",
        ) as environment,
        local_airflow(port=_free_port(), overrides=airflow_settings | environment) as airflow,
    ):
        api = AirflowAPI(airflow.url, airflow.password_file)
        api.wait_for_dags(ingest | set(DOWNSTREAM))
        for dag_id in DOWNSTREAM:  # first: the access DAG's nightly schedule fires at once, before any build
            api.unpause(dag_id)
        for dag_id in sorted(ingest):  # unpausing runs the latest interval; the trigger adds a second run
            api.unpause(dag_id)
            api.trigger(dag_id)

        def settled():
            runs = {d: api.runs(d) for d in sorted(ingest | set(DOWNSTREAM))}
            busy = [r for rs in runs.values() for r in rs if r["state"] not in ("success", "failed")]
            built = any(
                api.task_instances("build_access_warehouses", r["dag_run_id"])["build_role_warehouses"]["state"]
                == "success"
                for r in runs["build_access_warehouses"]
                if r["state"] == "success"
            )
            return runs if built and not busy else None

        runs = api.wait(settled, "the asset chain ingest → build → score → access", timeout=900, every=5)
        tis = {d: {r["dag_run_id"]: api.task_instances(d, r["dag_run_id"]) for r in rs} for d, rs in runs.items()}
        events = api.asset_events()
        processes = [
            p
            for comp in airflow.running.values()
            for p in [psutil.Process(comp.process.pid), *psutil.Process(comp.process.pid).children(recursive=True)]
        ]
        listening = {
            (p.pid, c.laddr.ip, c.laddr.port)
            for p in processes
            for c in _connections(p)
            if c.status == psutil.CONN_LISTEN
        }
        pids = {p.pid for p in processes}
    return {"runs": runs, "tis": tis, "events": events, "listening": listening, "pids": pids, "ingest": ingest}


def test_every_dag_run_succeeds(scheduled):
    states = {(d, r["dag_run_id"]): r["state"] for d, rs in scheduled["runs"].items() for r in rs}
    assert set(states.values()) == {"success"}, states
    for dag_id in scheduled["ingest"]:
        assert len(scheduled["runs"][dag_id]) == 2, dag_id  # the scheduled interval and the trigger


def test_asset_events_only_for_published_batches_with_their_loads(scheduled):
    raw = [e for e in scheduled["events"] if e["uri"].startswith("file:///govlake/lake/raw/")]
    catalogued = {f"file:///govlake/lake/raw/dept={d.code}/resource={r.slug}" for d, r in load_catalog().resources()}
    assert sorted(e["uri"] for e in raw) == sorted(catalogued)  # one each: the second runs found nothing new
    for e in raw:
        loads = e["extra"]["loads"]
        assert loads and all(load["load_id"] for load in loads)
        for load in loads:
            assert load["rows_in"] == load["rows_landed"] + load["rows_quarantined"]
    for dag_id in scheduled["ingest"]:  # of its two runs, one lands each resource and the other skips it
        by_task: dict[str, list[str]] = {}
        for tis in scheduled["tis"][dag_id].values():
            for task_id, ti in tis.items():
                by_task.setdefault(task_id, []).append(ti["state"])
        assert all(sorted(states) == ["skipped", "success"] for states in by_task.values()), (dag_id, by_task)


def test_the_build_runs_once_on_the_whole_days_lake(scheduled):
    builds = scheduled["tis"]["build_subject_databases"]
    built = [tis for tis in builds.values() if tis["standardise"]["state"] == "success"]
    assert len(built) == 1, {r: {t: ti["state"] for t, ti in tis.items()} for r, tis in builds.items()}
    others = [tis for tis in builds.values() if tis["standardise"]["state"] != "success"]
    assert all(tis["standardise"]["state"] == "skipped" for tis in others)
    started = _when(built[0]["standardise"]["start_date"])
    last_ingest = max(_when(r["end_date"]) for d in scheduled["ingest"] for r in scheduled["runs"][d])
    assert started >= last_ingest  # it waited for every ingest run, not only the first delivery


def test_the_access_dags_first_nightly_run_skips_before_any_build(scheduled):
    runs = scheduled["runs"]["build_access_warehouses"]
    first = scheduled["tis"]["build_access_warehouses"][runs[0]["dag_run_id"]]
    assert runs[0]["run_type"] == "scheduled" and first["build_role_warehouses"]["state"] == "skipped"


def test_nothing_listens_beyond_loopback(scheduled):
    assert scheduled["listening"], "the API server should be listening"
    assert {ip for _, ip, _ in scheduled["listening"]} <= LOOPBACK, scheduled["listening"]


def test_stopping_leaves_no_component_or_child_running(scheduled):
    alive = [p for p in scheduled["pids"] if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert not alive, alive


def test_report(scheduled):
    """Not a check: the runs' states and durations, and the delay from each asset event to the run it
    started, printed for the record (`pytest -s`)."""
    for dag_id, runs in sorted(scheduled["runs"].items()):
        for r in runs:
            took = (_when(r["end_date"]) - _when(r["start_date"])).total_seconds()
            print(f"{dag_id:32} {r['run_type']:10} {r['state']:8} {took:6.1f} s  queued {r['queued_at']}")
    for dag_id in DOWNSTREAM:
        for r in scheduled["runs"][dag_id]:
            made = [
                _when(e["timestamp"])
                for e in scheduled["events"]
                if any(d["run_id"] == r["dag_run_id"] for d in e.get("created_dagruns", []))
            ]
            if made:
                print(
                    f"{dag_id}: first asset event → run start {(_when(r['start_date']) - min(made)).total_seconds():.1f} s"
                )

"""Every DAG file imports, is generated from the current catalogue, and does no I/O when parsed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.catalog import load_catalog
from pipelines.orchestration.assets import raw_asset_uri
from pipelines.paths import DAGS_DIR, REPO_ROOT

pytestmark = pytest.mark.xdist_group("dag_integrity")  # one worker builds the module fixture


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_one_ingest_dag_per_department_with_one_task_per_resource(dagbag):
    catalog = load_catalog()
    for code, dept in catalog.departments.items():
        dag = dagbag.dags.get(f"ingest_{code}")
        assert dag is not None, code
        assert {t.task_id for t in dag.tasks} == {r.slug for r in dept.resources}
        assert dag.catchup is False and "ingest" in dag.tags
        for t in dag.tasks:
            assert t.retries >= 2
            [asset] = t.outlets
            assert asset.uri.endswith(f"dept={code}/resource={t.task_id}")
    assert dagbag.dags.get("ingest_health").schedule == "@monthly"
    assert dagbag.dags.get("ingest_public_security").schedule == "@daily"


def test_build_subject_databases_runs_on_every_ingest_asset(dagbag):
    dag = dagbag.dags["build_subject_databases"]
    assert [t.task_id for t in dag.topological_sort()] == [
        "wait_for_deliveries",
        "quality_gate",
        "standardise",
        "link_legal_entities",
        "link_population",
        "build_marts",
    ]
    expected = {raw_asset_uri(d.code, r.slug) for d, r in load_catalog().resources()}
    assert {a.uri for a in dag.timetable.asset_condition.objects} == expected
    gate, builds = dag.get_task("quality_gate"), [t for t in dag.tasks if t.task_id != "quality_gate"]
    assert dag.max_active_runs == 1 and all(t.retries >= 2 for t in builds)
    # a held delivery fails the gate once (a retry finds the same delivery); the build goes on with the rest
    assert gate.retries == 0 and dag.get_task("standardise").trigger_rule == "all_done"


def test_publish_quality_scorecards_follows_the_subject_databases(dagbag):
    dag = dagbag.dags["publish_quality_scorecards"]
    assert [t.task_id for t in dag.topological_sort()] == ["validate", "score", "publish"]
    published = {a.uri for a in dagbag.dags["build_subject_databases"].get_task("build_marts").outlets}
    assert {a.uri for a in dag.timetable.asset_condition.objects} == published


def test_build_access_warehouses_follows_the_scoring_and_runs_nightly(dagbag):
    dag = dagbag.dags["build_access_warehouses"]
    assert [t.task_id for t in dag.topological_sort()] == ["build_role_warehouses", "build_verification_index"]
    scored = {a.uri for a in dagbag.dags["publish_quality_scorecards"].get_task("score").outlets}
    assert scored and {dag.timetable.asset_condition.uri} == scored
    assert dag.timetable.timetable.summary == "30 0 * * *"  # approvals expire at midnight


def test_tasks_that_open_the_warehouse_queue_in_its_one_slot_pool(dagbag):
    """DuckDB has one writer per file: the subject build, the scoring and the access build run one at a
    time whichever DAG they belong to; ingest (the lake and the ledger only) and the wait do not queue."""
    from pipelines.orchestration.pools import POOLS, WAREHOUSE_POOL

    assert POOLS[WAREHOUSE_POOL][0] == 1
    in_pool = {(d.dag_id, t.task_id) for d in dagbag.dags.values() for t in d.tasks if t.pool == WAREHOUSE_POOL}
    expected = {
        ("build_subject_databases", t)
        for t in ("quality_gate", "standardise", "link_legal_entities", "link_population", "build_marts")
    } | {("publish_quality_scorecards", t) for t in ("validate", "score", "publish")}
    expected |= {("build_access_warehouses", t) for t in ("build_role_warehouses", "build_verification_index")}
    assert in_pool == expected


def test_the_build_waits_for_the_days_deliveries_without_holding_a_slot(dagbag):
    wait = dagbag.dags["build_subject_databases"].get_task("wait_for_deliveries")
    assert wait.mode == "reschedule" and wait.pool != "govlake_warehouse"
    assert list(wait.op_args) == [sorted(load_catalog().departments)]


def test_parsing_a_dag_file_does_no_io():
    """Parse every DAG file again with open(), sockets and subprocesses disabled: after Airflow's own
    one-time lazy imports (a first parse), building our DAGs touches no file, network or process."""
    code = f"""
import builtins, socket, subprocess, runpy, glob, os
paths = sorted(glob.glob(os.path.join({str(DAGS_DIR)!r}, "*.py")))
for path in paths:
    runpy.run_path(path)
def refuse(*a, **k):
    raise AssertionError(f"I/O at parse time: {{a[:1]}}")
builtins.open = refuse
socket.socket.connect = refuse
subprocess.Popen.__init__ = refuse
for path in paths:
    runpy.run_path(path)
print("ok")
"""
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")

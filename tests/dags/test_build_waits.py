"""The build never runs on a lake whose deliveries it did not see settle: when the deliveries sensor
fails, the gate is `upstream_failed`, which the standardise step's `all_done` rule takes for done."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger, LoadRecord
from pipelines.orchestration.local_runs import ensure_airflow_db, load_dags
from pipelines.orchestration.subject_dag import WAIT_FOR_DELIVERIES
from pipelines.settings import get_settings
from pipelines.transform.build import CONSUMER

pytestmark = pytest.mark.xdist_group("dag_integrity")


def test_nothing_is_built_when_the_deliveries_sensor_fails(tmp_path, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    # a load published and not yet built: without the check, standardise would build it
    now = datetime.now(UTC).isoformat()
    ledger = Ledger(LakeLayout(get_settings().lake_root).ledger_path)
    ledger.upsert(LoadRecord("L1", "tax", "taxpayers", "file", "taxpayers.csv", "h", now, status="published"))

    def metadata_unreachable(*args, **kwargs):
        raise AirflowFailException("the metadata database could not be reached")

    ensure_airflow_db()
    dag = load_dags(["build_subject_databases"])["build_subject_databases"]
    dag.get_task(WAIT_FOR_DELIVERIES).python_callable = metadata_unreachable
    try:
        run = dag.test()
    finally:
        get_settings.cache_clear()
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states[WAIT_FOR_DELIVERIES] == "failed"
    assert states["quality_gate"] == "upstream_failed"
    assert states["standardise"] == "skipped", states
    assert ledger.pending(CONSUMER) == ["L1"]  # still to build, by the next run

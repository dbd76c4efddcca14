"""Running the generated DAGs in-process with `dag.test()`: for the demo and the tests.

Airflow's metadata database (SQLite under AIRFLOW_HOME) is created on first use.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from pipelines.paths import DAGS_DIR, REPO_ROOT


def airflow_env() -> None:
    """Defaults for a local Airflow: the project's DAGs and home, no examples, quiet logs."""
    os.environ.setdefault("AIRFLOW_HOME", str(REPO_ROOT / ".airflow"))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS_DIR))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")


def ensure_airflow_db() -> None:
    """Migrate the metadata database unless it has its tables (importing Airflow creates an empty file)."""
    airflow_env()
    db = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"
    if not _has_tables(db):
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)


def _has_tables(db: Path) -> bool:
    if not db.exists():
        return False
    with contextlib.closing(sqlite3.connect(db)) as con:
        return con.execute("select 1 from sqlite_master where name = 'task_instance'").fetchone() is not None


def load_dags(dag_ids: list[str] | None = None) -> dict:
    airflow_env()
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {sorted(bag.import_errors)}")
    return {i: bag.dags[i] for i in sorted(bag.dags) if dag_ids is None or i in dag_ids}


def test_dags(prefix: str = "ingest_", logical_date: datetime | None = None) -> dict[str, str]:
    """Run every DAG whose id starts with `prefix` once (at `logical_date`, default now); return its final
    state by dag id."""
    ensure_airflow_db()
    states = {}
    for dag_id, dag in load_dags().items():
        if dag_id.startswith(prefix):
            run = dag.test(logical_date=logical_date) if logical_date else dag.test()
            states[dag_id] = str(run.state) if run is not None else "unknown"
    return states

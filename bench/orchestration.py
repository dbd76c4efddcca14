"""Airflow orchestration of the dbt stage: astronomer-cosmos (one task per model and test, rendered
from the dbt manifest) against one task running `dbt build`, both through `dag.test()` on the same
warehouse (decision 20 in docs/decisions.md). Each runs in its own process with its own Airflow home.
Cosmos leaves out the seed (its copy of the project does not find seed files); the single task's run
before it has loaded it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, os, sys, time
from datetime import datetime
from pathlib import Path
from pipelines.orchestration.local_runs import ensure_airflow_db
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import get_settings
from pipelines.engines import engine_for
from pipelines.transform.build import standardise

mode = os.environ["BENCH_ORCHESTRATION_MODE"]
ensure_airflow_db()
settings = get_settings()
env = engine_for(settings).dbt_variables()
os.environ.update(env)  # Cosmos runs dbt in this process
t = time.perf_counter()
from airflow.sdk import DAG, task
if mode == "cosmos":
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, LoadMode
    with DAG("bench_cosmos", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
        DbtTaskGroup(
            group_id="standardise",
            project_config=ProjectConfig(DBT_PROJECT_DIR, manifest_path=Path(env["DBT_TARGET_PATH"]) / "manifest.json"),
            profile_config=ProfileConfig(
                profile_name="govlake", target_name="duckdb", profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml"
            ),
            execution_config=ExecutionConfig(
                execution_mode=ExecutionMode.LOCAL, dbt_executable_path=str(Path(sys.executable).parent / "dbt")
            ),
            render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, exclude=["source:linkage+", "resource_type:seed"]),
            operator_args={"install_deps": False},
        )
else:
    with DAG("bench_single", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
        task(task_id="standardise")(lambda: standardise(settings))()
render = time.perf_counter() - t
if __name__ == "__main__":  # Airflow also imports this file, as the DAG folder's only DAG
    t = time.perf_counter()
    run = dag.test()
    seconds = time.perf_counter() - t
    print(json.dumps({"mode": mode, "tasks": len(dag.tasks), "render_seconds": render, "run_seconds": seconds, "state": str(run.state)}))
"""


def run(data_dir: Path) -> dict:
    """`single` first: its `dbt build` also writes the manifest Cosmos renders from."""
    out = {}
    for mode in ("single", "cosmos"):
        with tempfile.TemporaryDirectory() as home:
            dags = Path(home) / "dags"  # dag.test() runs DAGs of the DAG folder: the script is that DAG file
            dags.mkdir()
            script = dags / f"bench_{mode}.py"
            script.write_text(CHILD, encoding="utf-8")
            env = {
                **os.environ,
                "GOVLAKE_DATA_DIR": str(data_dir),
                "AIRFLOW_HOME": home,
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
                "BENCH_ORCHESTRATION_MODE": mode,
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
                "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
                "AIRFLOW__COSMOS__CACHE_DIR": str(Path(home) / "cosmos"),
            }
            proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-3000:])
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            out[mode] = {k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()}
    out["ratio_cosmos_to_single"] = round(out["cosmos"]["run_seconds"] / out["single"]["run_seconds"], 2)
    return out

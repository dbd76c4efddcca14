"""Spark local[2] against DuckDB, stage by stage, on the same ingested city in the same run.

Each engine runs in its own process on its own data dir, both holding hard links to one cached lake
(bench/.cache/data-<people>): standardise (dbt), link both subjects (Splink), marts (dbt), validate
every batch (GX), scorecards (dbt), every role's warehouse and the verification index. Spark's session
start is timed as a stage of its own. The rows each stage handled give the per-row costs the sizing in
docs/spark.md is derived from.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.ingest import CACHE
from bench.subjects import lake

ENGINES = ("duckdb", "spark")

STAGES = r"""
import json, pickle, sqlite3, sys, time
from pathlib import Path
from pipelines.access.build import build_all
from pipelines.engines import engine_for
from pipelines.engines.fingerprint import fingerprint
from pipelines.quality.validate import validate
from pipelines.settings import get_settings
from pipelines.transform.build import build_marts, build_scorecards, link_subject, standardise
from pipelines.verification.index import build_index

settings = get_settings()
engine = engine_for(settings)
seconds, rows = {}, {}
def timed(stage, fn):
    t = time.perf_counter()
    out = fn()
    seconds[stage] = round(time.perf_counter() - t, 2)
    return out
if settings.engine.value == "spark":
    timed("engine start", lambda: engine.spark)
timed("standardise (dbt)", lambda: standardise(settings))
for subject in ("legal_entities", "population"):
    result = timed(f"linkage {subject}", lambda: link_subject(settings, subject))
    rows[f"linkage {subject}"] = result.records
timed("marts (dbt)", lambda: build_marts(settings))
results = timed("validation (GX)", lambda: validate(settings, run_id="bench"))
timed("scorecards (dbt)", lambda: build_scorecards(settings))
roles = timed("role warehouses", lambda: (build_all(settings=settings), build_index(settings))[0])
with sqlite3.connect(settings.lake_root / "_ledger.sqlite") as con:
    landed = con.execute("select sum(rows_landed) from loads where status = 'published'").fetchone()[0]
rows |= {"standardise (dbt)": landed, "validation (GX)": landed, "marts (dbt)": rows["linkage population"]}
rows["role warehouses"] = sum(n for r in roles for n in r.tables.values())
out = {"seconds": seconds, "rows": rows, "expectations": len(results)}
Path(sys.argv[1]).with_suffix(".json").write_text(json.dumps(out))  # kept even if the fingerprint fails
t = time.perf_counter()
pickle.dump(fingerprint(settings), open(sys.argv[1], "wb"))
print(json.dumps(out | {"fingerprint_seconds": round(time.perf_counter() - t, 2)}))
"""
DRIVER_MEMORY = "8g"  # the linkage's pairs at 1M people, and every mart read back for the fingerprint


def _data_dir(people: int, engine: str) -> Path:
    """A fresh data dir whose raw lake and ledger are hard links to the cached ingested lake."""
    source = lake(people)
    data = CACHE / f"engines-{engine}-{people}"
    shutil.rmtree(data, ignore_errors=True)
    (data / "lake").mkdir(parents=True)
    shutil.copytree(source / "lake" / "raw", data / "lake" / "raw", copy_function=os.link)
    shutil.copy2(source / "lake" / "_ledger.sqlite", data / "lake" / "_ledger.sqlite")
    return data


def run(people: int) -> dict:
    from pipelines.engines.fingerprint import differences

    out: dict = {"people": people, "spark_master": "local[2]", "engines": {}}
    prints = {}
    for engine in ENGINES:
        data = _data_dir(people, engine)
        env = {
            **os.environ,
            "GOVLAKE_DATA_DIR": str(data),
            "GOVLAKE_ENGINE": engine,
            "GOVLAKE_SPARK_MASTER": "local[2]",
            "GOVLAKE_SPARK_DRIVER_MEMORY": DRIVER_MEMORY,
        }
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", STAGES, str(data / "fingerprint.pickle")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        stages = data / "fingerprint.json"
        if not stages.exists():
            raise RuntimeError(f"{engine} failed:\n{proc.stderr[-4000:]}")
        result = json.loads(stages.read_text())
        result["wall_seconds"] = round(time.perf_counter() - started, 2)
        out["engines"][engine] = result
        if proc.returncode == 0:
            prints[engine] = pickle.loads((data / "fingerprint.pickle").read_bytes())
        else:  # the stages are measured; only the comparison is lost
            result["fingerprint_error"] = proc.stderr.strip().splitlines()[-1][:300]
    duck, spark = (out["engines"][e]["seconds"] for e in ENGINES)
    out["ratios"] = {stage: round(spark[stage] / duck[stage], 2) for stage in duck}
    out["ratios"]["total"] = round(sum(spark.values()) / sum(duck.values()), 2)
    rows = out["engines"]["spark"]["rows"]
    out["spark_ms_per_1000_rows"] = {s: round(1000 * 1000 * spark[s] / rows[s], 2) for s in rows}
    out["duckdb_ms_per_1000_rows"] = {s: round(1000 * 1000 * duck[s] / rows[s], 2) for s in rows}
    if len(prints) == len(ENGINES):
        out["marts_identical"] = not differences(prints["duckdb"], prints["spark"])
        out["marts_compared"] = len(prints["duckdb"])
    out["measured_at"] = time.strftime("%Y-%m-%d")
    return out

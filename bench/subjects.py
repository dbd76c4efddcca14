"""Standardisation: wall time by stage of `govlake build` on a synthetic city, linkage scored pairs/s,
and dbt's overhead against the same compiled SQL run as one script (same warehouse, same run).

The city and its ingested lake are cached in bench/.cache (deterministic for a given size).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.ingest import CACHE, city

INGEST = """
from pipelines.ingest.runner import ingest
ingest()
"""

# the compiled SQL of every model, in dependency order, as one script in one DuckDB connection
SCRIPT = """
import json, sys, time, duckdb
manifest = json.load(open(sys.argv[1]))
warehouse = sys.argv[2]
nodes = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
order, seen = [], set()
def visit(key):
    if key in seen or key not in nodes:
        return
    seen.add(key)
    for dep in nodes[key]["depends_on"]["nodes"]:
        visit(dep)
    order.append(key)
for key in sorted(nodes):
    visit(key)
con = duckdb.connect(warehouse)
t = time.perf_counter()
for key in order:
    n = nodes[key]
    kind = "view" if n["config"]["materialized"] == "view" else "table"
    con.execute(f'create or replace {kind} "{n["schema"]}"."{n["alias"]}" as {n["compiled_code"]}')
print(json.dumps({"seconds": time.perf_counter() - t, "models": len(order)}))
"""


def lake(people: int) -> Path:
    """A data dir whose lake holds the whole city, ingested once and cached."""
    data = CACHE / f"data-{people}"
    done = data / "ingested.ok"
    if not done.exists():
        shutil.rmtree(data, ignore_errors=True)
        env = {**os.environ, "GOVLAKE_DATA_DIR": str(data), "GOVLAKE_SOURCE_ROOT": str(city(people))}
        env.pop("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", None)
        subprocess.run([sys.executable, "-c", INGEST], check=True, env=env, capture_output=True)
        done.touch()
    return data


def _layer_seconds(run_results: Path) -> dict[str, float]:
    """Summed model execution time per dbt layer (nodes run two at a time, so not wall time)."""
    out: dict[str, float] = {}
    for r in json.loads(run_results.read_text())["results"]:
        if r["unique_id"].startswith("model."):
            layer = "staging" if ".stg_" in r["unique_id"] else "intermediate" if ".int_" in r["unique_id"] else "marts"
            out[layer] = out.get(layer, 0.0) + r["execution_time"]
    return {k: round(v, 2) for k, v in out.items()}


def run(people: int) -> dict:
    data = lake(people)
    os.environ["GOVLAKE_DATA_DIR"] = str(data)
    os.environ["GOVLAKE_SOURCE_ROOT"] = str(city(people))
    from pipelines.linkage.evaluate import evaluate
    from pipelines.settings import get_settings
    from pipelines.transform.build import (
        AFTER_LINKAGE,
        BEFORE_LINKAGE,
        build_marts,
        link_subject,
        run_dbt,
        standardise,
    )

    settings = get_settings()
    target = data / "dbt-target"
    stages: dict[str, float] = {}
    stages["dbt staging + intermediate (build, with tests)"] = round(standardise(settings), 2)
    layers = _layer_seconds(target / "run_results.json")
    linkage = []
    for subject in ("legal_entities", "population"):
        r = link_subject(settings, subject)
        stages[f"linkage {subject}"] = round(r.seconds_total, 2)
        linkage.append(
            {
                "subject": subject,
                "records": r.records,
                "unresolved": r.unresolved,
                "pairs_scored": r.pairs_scored,
                "scoring_seconds": round(r.seconds_scoring, 2),
                "pairs_per_second": round(r.pairs_per_second),
                "training_seconds": round(r.seconds_training, 2),
            }
        )
    stages["dbt marts (build, with tests)"] = round(build_marts(settings), 2)
    layers |= {k: v for k, v in _layer_seconds(target / "run_results.json").items() if k == "marts"}
    scores = [
        {"subject": s.subject, "records": s.records, "precision": round(s.precision, 5), "recall": round(s.recall, 5)}
        for s in evaluate(settings, settings.sources_dir / "truth")
    ]

    # dbt's overhead: `dbt run` of every model vs the manifest's compiled SQL as one script
    started = time.perf_counter()
    run_dbt(settings, ["run", "--exclude", "resource_type:seed"])
    dbt_seconds = time.perf_counter() - started
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(target / "manifest.json"), str(settings.warehouse_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    script = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "people": people,
        "stages_seconds": stages,
        "total_seconds": round(sum(stages.values()), 2),
        "dbt_model_seconds_by_layer": layers,
        "linkage": linkage,
        "linkage_scores": scores,
        "dbt_overhead": {
            "models": script["models"],
            "dbt_run_seconds": round(dbt_seconds, 2),
            "script_seconds": round(script["seconds"], 2),
            "ratio": round(dbt_seconds / script["seconds"], 2),
        },
        "selectors": {"before_linkage": BEFORE_LINKAGE, "after_linkage": AFTER_LINKAGE},
        "measured_at": time.strftime("%Y-%m-%d"),
    }

"""Synthetic-city generator: seconds and peak memory at two sizes, against a raw-write baseline.

The baseline writes the same number of rows (constant values, ten columns) with the standard csv
module: the floor for any generator that writes that many rows from Python. Peak RSS is measured in
a fresh child process per run, so the sizes do not share a heap; equal peaks at both sizes mean
memory is flat in N.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
t = time.perf_counter()
summary = generate_city(CityConfig(people=int(sys.argv[1])), Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t, "rows": sum(summary["records"].values()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import csv, json, resource, sys, time
rows = int(sys.argv[1])
t = time.perf_counter()
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    row = ["330203199001011234", "王小明", "1", "01", "19900101", "330203", "浙江省宁波市海曙区中山路1号", "13800000000", "20", "0"]
    for _ in range(rows):
        w.writerow(row)
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: list[int]) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for people in sizes:
            gen = _child(CHILD, str(people), str(Path(tmp) / f"city{people}"))
            base = _child(BASELINE, str(gen["rows"]), str(Path(tmp) / f"baseline{people}.csv"))
            results.append(
                {
                    "people": people,
                    "rows": gen["rows"],
                    "seconds": round(gen["seconds"], 2),
                    "rows_per_second": round(gen["rows"] / gen["seconds"]),
                    "peak_rss_mb": round(gen["peak_rss_mb"]),
                    "baseline_seconds": round(base["seconds"], 2),
                    "ratio_to_baseline": round(gen["seconds"] / base["seconds"], 1),
                }
            )
    first = results[0]
    for r in results:
        r["rss_ratio_to_smallest"] = round(r["peak_rss_mb"] / first["peak_rss_mb"], 2)
        r["seconds_per_million_people"] = round(r["seconds"] / r["people"] * 1e6, 1)
    return results

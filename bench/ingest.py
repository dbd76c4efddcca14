"""Ingestion: rows/s per source kind on the synthetic city, CSV landing against DuckDB's own
read_csv -> Parquet of the same file (same run), and peak RSS at two city sizes (child processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"

CHILD = """
import json, resource, sys, time
from pipelines.ingest.runner import ingest
from pipelines.settings import get_settings
t = time.perf_counter()
results = ingest()
seconds = time.perf_counter() - t
import sqlite3
con = sqlite3.connect(get_settings().lake_root / "_ledger.sqlite")
rows = con.execute("select source, resource, delivery, rows_in, seconds from loads where status in ('published','rejected')").fetchall()
print(json.dumps({"seconds": seconds, "loads": rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CSV_LANDING = """
import json, sys, time
from pathlib import Path
from pipelines.catalog import load_catalog
from pipelines.lake.batch import StagedBatch
from pipelines.lake.layout import LakeLayout
from pipelines.sources.base import Delivery, file_sha256
from pipelines.sources.csv_file import CsvFileSource
import duckdb
path, dept, res, lake = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
source = CsvFileSource(dept, load_catalog().resource(dept, res), path.parent)
plain = path
try:
    path.read_bytes().decode("utf-8")
except UnicodeDecodeError:  # DuckDB reads UTF-8 only: give it a UTF-8 copy, made outside the timing
    plain = lake / "utf8.csv"
    plain.write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
out = {}
for attempt in range(3):
    batch = StagedBatch(LakeLayout(lake), dept, res, f"bench{attempt}")
    t = time.perf_counter()
    extracted = source.extract(Delivery(ref=path.name, path=path, content_hash=file_sha256(path)), batch)
    batch.close()
    out.setdefault("govlake", []).append(time.perf_counter() - t)
    out["rows"] = extracted.rows_in
    batch.discard()
    t = time.perf_counter()
    duckdb.execute(f"copy (select * from read_csv('{plain}', header=true, all_varchar=true)) to '{lake}/plain{attempt}.parquet' (format parquet)")
    out.setdefault("duckdb", []).append(time.perf_counter() - t)
print(json.dumps({k: (min(v) if isinstance(v, list) else v) for k, v in out.items()}))
"""


def city(people: int) -> Path:
    folder = CACHE / f"city-{people}"
    if not (folder / "truth" / "summary.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pipelines.cli",
                "demo",
                "generate",
                "--people",
                str(people),
                "--out",
                str(folder),
                "--quiet",
            ],
            check=True,
            capture_output=True,
        )
    return folder


def _child(code: str, env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: list[int]) -> dict:
    per_size = []
    kinds: dict[str, dict[str, float]] = {}
    csv_ratio: list[dict] = []
    for people in sizes:
        src = city(people)
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "GOVLAKE_DATA_DIR": tmp, "GOVLAKE_SOURCE_ROOT": str(src)}
            env.pop("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", None)
            result = _child(CHILD, env)
        rows = sum(r[3] for r in result["loads"])
        per_size.append(
            {
                "people": people,
                "rows": rows,
                "seconds": round(result["seconds"], 2),
                "rows_per_second": round(rows / result["seconds"]),
                "peak_rss_mb": round(result["peak_rss_mb"]),
            }
        )
        if people == sizes[-1]:
            for source, _resource, delivery, rows_in, seconds in result["loads"]:
                kind = source if source != "file" else ("csv" if delivery.endswith(".csv") else "xlsx")
                k = kinds.setdefault(kind, {"rows": 0, "seconds": 0.0})
                k["rows"] += rows_in
                k["seconds"] += seconds
            for rel, dept, res in [
                ("tax/taxpayers", "tax", "taxpayer_registrations"),
                ("health/births", "health", "birth_records"),
            ]:
                biggest = max((src / rel).glob("*_????-??.csv"), key=lambda p: p.stat().st_size)
                with tempfile.TemporaryDirectory() as tmp:
                    m = _child(CSV_LANDING, dict(os.environ), str(biggest), dept, res, tmp)
                csv_ratio.append(
                    {
                        "file": f"{rel}/{biggest.name}",
                        "rows": m["rows"],
                        "encoding": "utf-8 (BOM)" if dept == "tax" else "gb18030 (DuckDB given a UTF-8 copy)",
                        "govlake_seconds": round(m["govlake"], 3),
                        "duckdb_seconds": round(m["duckdb"], 3),
                        "ratio": round(m["govlake"] / m["duckdb"], 2),
                    }
                )
    for k in kinds.values():
        k["rows_per_second"] = round(k["rows"] / k["seconds"]) if k["seconds"] else 0
        k["seconds"] = round(k["seconds"], 2)
    first = per_size[0]["peak_rss_mb"]
    for s in per_size:
        s["rss_ratio_to_smallest"] = round(s["peak_rss_mb"] / first, 2)
    return {"sizes": per_size, "kinds": kinds, "csv_vs_duckdb": csv_ratio, "measured_at": time.strftime("%Y-%m-%d")}

"""`make bench`: run every benchmark and print (and save) its ratios.

Sizes come from the environment so a quick run and the full one use the same code:
BENCH_CITY_PEOPLE="100000,1000000" make bench
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import generator

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    console = Console(width=160)
    sizes = [int(s) for s in os.environ.get("BENCH_CITY_PEOPLE", "50000,200000").split(",")]
    rows = generator.run(sizes)
    table = Table(
        "people",
        "rows",
        "seconds",
        "rows/s",
        "peak RSS MB",
        "RSS vs smallest",
        "baseline s",
        "ratio",
        title="synthetic city generator vs raw csv write of the same row count",
    )
    for r in rows:
        table.add_row(
            f"{r['people']:,}",
            f"{r['rows']:,}",
            str(r["seconds"]),
            f"{r['rows_per_second']:,}",
            str(r["peak_rss_mb"]),
            str(r["rss_ratio_to_smallest"]),
            str(r["baseline_seconds"]),
            f"{r['ratio_to_baseline']}x",
        )
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "generator.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    console.print(f"saved {RESULTS / 'generator.json'}")


if __name__ == "__main__":
    main()

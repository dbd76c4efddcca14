"""`make bench`: run every benchmark and print (and save) its ratios.

Sizes come from the environment so a quick run and the full one use the same code:
BENCH_CITY_PEOPLE="100000,1000000" make bench
A day against a full build at a million people, DuckDB only (`bench/daily.py`):
BENCH_ONLY=daily BENCH_DAILY_PEOPLE=1000000 BENCH_DAILY_ENGINES=duckdb make bench
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import daily, engines, generator, history, ingest, orchestration, quality, standards, subjects, verification

RESULTS = Path(__file__).resolve().parent / "results"


def _save(console: Console, name: str, result) -> None:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(f"saved {path}")


def main() -> None:
    console = Console(width=160)
    sizes = [int(s) for s in os.environ.get("BENCH_CITY_PEOPLE", "50000,200000").split(",")]
    only = os.environ.get(
        "BENCH_ONLY", "generator,ingest,standards,subjects,quality,orchestration,verification,engines,history,daily"
    ).split(",")
    if "generator" in only:
        bench_generator(console, sizes)
    if "ingest" in only:
        bench_ingest(console, sizes)
    if "standards" in only:
        bench_standards(console, int(os.environ.get("BENCH_STANDARDS_VALUES", "10000000")))
    if "subjects" in only:
        bench_subjects(console, int(os.environ.get("BENCH_SUBJECT_PEOPLE", str(sizes[-1]))))
    if "quality" in only:
        bench_quality(console, int(os.environ.get("BENCH_QUALITY_PEOPLE", str(sizes[-1]))))
    if "verification" in only:
        bench_verification(console, int(os.environ.get("BENCH_VERIFICATION_PEOPLE", str(sizes[0]))))
    if "orchestration" in only:
        bench_orchestration(console, int(os.environ.get("BENCH_ORCHESTRATION_PEOPLE", str(sizes[0]))))
    if "engines" in only:
        bench_engines(console, int(os.environ.get("BENCH_ENGINES_PEOPLE", str(sizes[-1]))))
    if "daily" in only:
        bench_daily(
            console,
            int(os.environ.get("BENCH_DAILY_PEOPLE", str(sizes[-1]))),
            os.environ.get("BENCH_DAILY_ENGINES", "duckdb,spark").split(","),
        )
    if "history" in only:
        bench_history(
            console,
            int(os.environ.get("BENCH_HISTORY_PEOPLE", "10000")),
            int(os.environ.get("BENCH_HISTORY_DAYS", "90")),
        )


def bench_daily(console: Console, people: int, engines_: list[str]) -> None:
    results = {}
    for engine in engines_:
        r = results[engine] = daily.run(people, engine)
        table = Table(
            "stage",
            "full build s",
            "one day s",
            "day / full",
            title=f"a day against a full build: {people:,} people, {engine}",
        )
        for stage, full in r["full"].items():
            day = r["day"][stage]
            table.add_row(stage, f"{full:.1f}", f"{day:.1f}", f"{day / full:.3f}" if full else "-")
        table.add_row("total", f"{r['total_full']:.1f}", f"{r['total_day']:.1f}", f"{r['day_over_full']:.3f}")
        console.print(table)
        console.print(f"the day's events: {r['events']}")
        console.print(f"each day's seconds: {r['every_day']} (the last is the day above)")
    _save(console, "daily", results)


def bench_history(console: Console, people: int, days: int) -> None:
    r = history.run(people, days)
    table = Table("measure", "value", title=f"the living city: {people:,} people, {days} days, ingested daily")
    for key in (
        "dated_events", "awaiting_delivery", "found", "share_found", "spurious_versions",
        "spurious_per_1000_persons", "records_followed_across_builds", "id_changes", "unexplained_id_changes",
    ):  # fmt: skip
        table.add_row(key, f"{r[key]}")
    console.print(table)
    reads = Table("database table", "runs", "rows read", "rows if read whole", "ratio", title="watermark reads")
    for resource, w in sorted(r["watermark"].items()):
        reads.add_row(
            resource, f"{w['runs']}", f"{w['rows_read']:,}", f"{w['rows_if_read_whole_every_run']:,}", f"{w['ratio']}"
        )
    console.print(reads)
    _save(console, "history", r)


def bench_engines(console: Console, people: int) -> None:
    r = engines.run(people)
    duck, spark = (r["engines"][e]["seconds"] for e in engines.ENGINES)
    table = Table(
        "stage",
        "rows",
        "DuckDB s",
        "Spark local[2] s",
        "Spark / DuckDB",
        "Spark ms per 1,000 rows",
        title=f"the platform on Spark local[2] ({engines.DRIVER_MEMORY} driver) vs DuckDB, {people:,} people, same lake, same run",
    )
    rows = r["engines"]["spark"]["rows"]
    for stage in spark:
        table.add_row(
            stage,
            f"{rows[stage]:,}" if stage in rows else "",
            str(duck.get(stage, "")),
            str(spark[stage]),
            f"{r['ratios'][stage]}x" if stage in r["ratios"] else "",
            str(r["spark_ms_per_1000_rows"].get(stage, "")),
        )
    table.add_row(
        "total", "", f"{sum(duck.values()):.1f}", f"{sum(spark.values()):.1f}", f"{r['ratios']['total']}x", ""
    )
    console.print(table)
    if "marts_identical" in r:
        console.print(f"marts identical on both engines: {r['marts_identical']} ({r['marts_compared']} marts)")
    _save(console, "engines", r)


def bench_generator(console: Console, sizes: list[int]) -> None:
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
    _save(console, "generator", rows)


def bench_ingest(console: Console, sizes: list[int]) -> None:
    result = ingest.run(sizes)
    table = Table(
        "people", "rows", "seconds", "rows/s", "peak RSS MB", "RSS vs smallest", title="ingest of the whole city"
    )
    for s in result["sizes"]:
        table.add_row(
            f"{s['people']:,}",
            f"{s['rows']:,}",
            str(s["seconds"]),
            f"{s['rows_per_second']:,}",
            str(s["peak_rss_mb"]),
            str(s["rss_ratio_to_smallest"]),
        )
    console.print(table)
    kinds = Table("source kind", "rows", "seconds", "rows/s", title=f"per source kind at {sizes[-1]:,} people")
    for kind, k in sorted(result["kinds"].items()):
        kinds.add_row(kind, f"{k['rows']:,}", str(k["seconds"]), f"{k['rows_per_second']:,}")
    console.print(kinds)
    ratio = Table(
        "file",
        "encoding",
        "rows",
        "govlake s",
        "duckdb read_csv->parquet s",
        "ratio",
        title="CSV landing vs DuckDB's own read_csv -> Parquet of the same file (best of 3, same run)",
    )
    for r in result["csv_vs_duckdb"]:
        ratio.add_row(
            r["file"],
            r["encoding"],
            f"{r['rows']:,}",
            str(r["govlake_seconds"]),
            str(r["duckdb_seconds"]),
            f"{r['ratio']}x",
        )
    console.print(ratio)
    _save(console, "ingest", result)


def bench_standards(console: Console, total: int) -> None:
    r = standards.run(total=total)
    table = Table(
        "values",
        "elements",
        "checks",
        "counts agree",
        "generated SQL s",
        "hand-written SQL s",
        "ratio",
        title="standards checks in DuckDB: generated SQL vs a hand-written single query (best of 2, same run)",
    )
    table.add_row(
        f"{r['values']:,}",
        str(r["elements"]),
        str(r["checks"]),
        str(r["counts_agree"]),
        str(r["generated_seconds"]),
        str(r["handwritten_seconds"]),
        f"{r['ratio']}x",
    )
    console.print(table)
    _save(console, "standards", r)


def bench_quality(console: Console, people: int) -> None:
    r = quality.run(people)
    table = Table(
        "batches",
        "rows",
        "expectations (per resource)",
        "unexpected values",
        "GX s",
        "single pass s (normalise + count)",
        "ratio",
        "ratio beyond normalising",
        title=f"GX validation vs a hand-written single pass of the same checks, {people:,} people (same run)",
    )
    table.add_row(
        str(r["batches"]),
        f"{r['rows_validated']:,}",
        f"{r['expectations']:,} ({r['expectations_per_resource'][0]}-{r['expectations_per_resource'][1]})",
        f"{r['unexpected_values']:,}",
        str(r["gx_seconds"]),
        f"{r['single_pass_seconds']} ({r['single_pass_normalising_seconds']} + {r['single_pass_counting_seconds']})",
        f"{r['ratio']}x",
        f"{r['ratio_beyond_normalising']}x",
    )
    console.print(table)
    _save(console, "quality", r)


def bench_verification(console: Console, people: int) -> None:
    r = verification.run(people)
    table = Table(
        "requests",
        "concurrency",
        "errors",
        "p50 ms",
        "p99 ms",
        "req/s",
        "in-process p50 ms",
        "p50 ratio",
        title=f"verification API over loopback HTTP vs the same answers in-process, {people:,} people (same run)",
    )
    table.add_row(
        f"{r['requests']:,}",
        str(r["concurrency"]),
        str(r["errors"]),
        str(r["http_p50_ms"]),
        str(r["http_p99_ms"]),
        str(r["throughput_per_s"]),
        str(r["in_process_p50_ms"]),
        f"{r['p50_ratio_http_vs_in_process']}x",
    )
    console.print(table)
    _save(console, "verification", r)


def bench_subjects(console: Console, people: int) -> None:
    r = subjects.run(people)
    stages = Table("stage", "seconds", title=f"govlake build at {people:,} people: wall time by stage")
    for stage, seconds in r["stages_seconds"].items():
        stages.add_row(stage, str(seconds))
    stages.add_row("total", str(r["total_seconds"]))
    console.print(stages)
    layers = Table("dbt layer", "model seconds (summed over 2 threads)")
    for layer, seconds in r["dbt_model_seconds_by_layer"].items():
        layers.add_row(layer, str(seconds))
    console.print(layers)
    linkage = Table(
        "subject", "records", "unresolved", "pairs scored", "scoring s", "pairs/s", "training s", "precision", "recall"
    )
    scores = {s["subject"]: s for s in r["linkage_scores"]}
    for link in r["linkage"]:
        s = scores[link["subject"]]
        linkage.add_row(
            link["subject"],
            f"{link['records']:,}",
            f"{link['unresolved']:,}",
            f"{link['pairs_scored']:,}",
            str(link["scoring_seconds"]),
            f"{link['pairs_per_second']:,}",
            str(link["training_seconds"]),
            str(s["precision"]),
            str(s["recall"]),
        )
    console.print(linkage)
    o = r["dbt_overhead"]
    overhead = Table("models", "dbt run s", "compiled SQL as one script s", "ratio", title="dbt overhead (same run)")
    overhead.add_row(str(o["models"]), str(o["dbt_run_seconds"]), str(o["script_seconds"]), f"{o['ratio']}x")
    console.print(overhead)
    _save(console, "subjects", r)


def bench_orchestration(console: Console, people: int) -> None:
    r = orchestration.run(subjects.lake(people))
    table = Table(
        "orchestration",
        "Airflow tasks",
        "DAG build s",
        "dag.test() s",
        "state",
        title=f"dbt stage before linkage at {people:,} people: astronomer-cosmos vs one `dbt build` task",
    )
    for mode in ("single", "cosmos"):
        m = r[mode]
        table.add_row(mode, str(m["tasks"]), str(m["render_seconds"]), str(m["run_seconds"]), m["state"])
    console.print(table)
    console.print(f"cosmos / single: {r['ratio_cosmos_to_single']}x")
    _save(console, "orchestration", r)


if __name__ == "__main__":
    main()

"""Validate every published lake batch against its resource's generated suite, through GX on the engine.

Each batch becomes a table of its normalised columns (the standards engine's own SQL, in the engine's
dialect): a scratch DuckDB file read by GX's SQL datasource, or cached Spark views read by its Spark
datasource (`pipelines.engines`). A suite runs for counts first; only the expectations that found
failing rows are asked for them (most find none, and fetching them was most of a validation's
queries). Every expectation result is flattened to one row — run, period, department, resource, load,
column, rule, dimension, counts, success, waiver — with up to five failing values *masked* before
anything is stored. Rows are appended under `lake/quality/results/run_id=<id>/`, so history and trends
exist; a batch already validated is not validated again. The record keys of all rows failing a scored
(error-severity) check — a department's own record numbers — go to `lake/quality/failing_keys/`. A
spot check validates a seeded random sample of every batch instead, stored as `spot_check` rows beside
the full results.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Department, Resource
from pipelines.engines import engine_for
from pipelines.engines.base import BatchTables
from pipelines.lake.layout import LakeLayout, write_parquet_atomically
from pipelines.quality.loads import DELIVERED_AT, delivery_period
from pipelines.quality.overrides import overrides_for
from pipelines.quality.suites import build_suite, suite_parameters
from pipelines.settings import Settings
from pipelines.standards.codetable import CODE_TABLE, code_table
from pipelines.standards.masking import mask
from pipelines.standards.registry import load_elements
from pipelines.standards.sql import normalise_sql

SAMPLES = 5
RESULT_COLUMNS = {
    "run_id": "varchar",
    "validated_at": "timestamp",
    "period": "varchar",
    "department": "varchar",
    "resource": "varchar",
    "load_id": "varchar",
    "column_name": "varchar",
    "element": "varchar",
    "rule": "varchar",
    "expectation": "varchar",
    "dimension": "varchar",
    "severity": "varchar",
    "element_count": "bigint",
    "unexpected_count": "bigint",
    "success": "boolean",
    "waived": "boolean",
    "waiver_reason": "varchar",
    "masked_samples": "varchar",
    "mode": "varchar",
    "population_count": "bigint",
}
FULL, SPOT_CHECK = "full", "spot_check"
RECORD_KEY = "_record_key"


@dataclass(frozen=True)
class Batch:
    department: Department
    resource: Resource
    load_id: str
    period: str
    files: list[Path]

    @property
    def glob(self) -> str:
        """The batch's Parquet files (one folder per batch)."""
        return str(self.files[0].parent / "*.parquet")


def results_root(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "results"


def published_batches(settings: Settings) -> list[Batch]:
    lake = LakeLayout(settings.lake_root)
    if not lake.ledger_path.exists():
        return []
    with sqlite3.connect(lake.ledger_path) as con:
        loads = con.execute(
            f"select department, resource, load_id, {DELIVERED_AT} from loads where status = 'published' "
            "order by department, resource, started_at"
        ).fetchall()
    catalog = load_catalog()
    out = []
    for dept, res, load_id, delivered_at in loads:
        files = sorted(lake.raw_batch(dept, res, load_id).glob("*.parquet"))
        if files and dept in catalog.departments:
            out.append(
                Batch(
                    catalog.departments[dept].department,
                    catalog.resource(dept, res),
                    load_id,
                    delivery_period(delivered_at),
                    files,
                )
            )
    return out


def failing_keys_root(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "failing_keys"


def current_failing_keys_sql(settings: Settings, results: str = "quality.fct_quality_results") -> str | None:
    """SQL for the failing record keys of the current results (None before any run stored keys).

    Keys are stored per run and a batch is validated again only when asked, so the keys that count are
    those of the run `results` holds for that batch, rule and column (its latest validation)."""
    root = failing_keys_root(settings)
    if not any(root.glob("run_id=*/*.parquet")):
        return None
    return (
        "select k.run_id, k.department, k.resource, k.load_id, k.rule, k.column_name, k.record_key "
        f"from read_parquet('{root}/run_id=*/*.parquet') as k "
        f"semi join {results} as r using (run_id, load_id, rule, column_name)"
    )


def _already_validated(settings: Settings) -> set[str]:
    """Batches with a full validation stored (spot checks do not count)."""
    root = results_root(settings)
    if not any(root.glob("run_id=*/*.parquet")):
        return set()
    glob = str(root / "run_id=*" / "*.parquet")
    return {
        r[0]
        for r in duckdb.sql(
            f"select distinct load_id from read_parquet('{glob}', union_by_name = true) "
            f"where coalesce(mode, '{FULL}') = '{FULL}'"
        ).fetchall()
    }


def batch_sql(batch: Batch, tables: BatchTables, sample: int | None = None, seed: int = 0) -> str:
    """The batch's fields under their staging names, normalised by the standards engine, with its record
    key. A spot check takes `sample` rows chosen by a seeded digest of each row's place in its delivery:
    random, but the same rows for the same seed on every engine and every run."""
    elements = load_elements()
    d = tables.dialect
    key = batch.resource.key_field
    columns = [f"cast({d.ident(key.name)} as string) as {RECORD_KEY}"] + [
        f"{normalise_sql(elements[f.element], d.ident(f.name), d)} as {f.staging_column}"
        for f in batch.resource.fields
        if not f.key
    ]
    rows = tables.lake_files(batch.glob)
    if sample is not None:
        digest = f"md5(concat_ws(':', _load_id, cast(_row_number as string), '{int(seed)}'))"
        rows = f"(select * from {rows} order by {digest} limit {int(sample)}) as sampled"
    return f"select {', '.join(columns)} from {rows}"


def validate(
    settings: Settings,
    department: str | None = None,
    run_id: str | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> list[dict]:
    """Validate every published batch not validated before; returns (and stores) the result rows.

    With `sample`, a spot check instead: `sample` random rows of every published batch (seeded), stored
    as `spot_check` rows that the scorecards report with confidence intervals, not as scores."""
    run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    mode = FULL if sample is None else SPOT_CHECK
    done = _already_validated(settings) if mode == FULL else set()
    batches = [b for b in published_batches(settings) if b.load_id not in done]
    if department:
        batches = [b for b in batches if b.department.code == department]
    if not batches:
        return []
    job = _Job(settings, run_id, mode, sample, seed, datetime.now(UTC).replace(tzinfo=None), date.today())
    workers = min(engine_for(settings).validation_workers, len(batches) // MIN_BATCHES_PER_WORKER) or 1
    if workers == 1:
        rows, keys = _validate_batches(job, batches, run_id)
    else:
        rows, keys = _in_processes(job, batches, workers)
    _store(settings, run_id, rows)
    if mode == FULL:
        _store_failing_keys(settings, run_id, keys)
    return rows


# a worker process pays GX's import (seconds, in parallel with the others): worth it from this many batches each
# (the demo's 113 batches: 79.8 s in one process, 54.6 s in two)
MIN_BATCHES_PER_WORKER = 16


@dataclass(frozen=True)
class _Job:
    """What every batch of one validation run is validated with, wherever it runs."""

    settings: Settings
    run_id: str
    mode: str
    sample: int | None
    seed: int
    validated_at: datetime
    today: date


def _in_processes(job: _Job, batches: list[Batch], workers: int) -> tuple[list[dict], list[tuple]]:
    """The batches shared among `workers` processes (each with its own scratch tables), the largest first
    so the shares come out even; the result rows and keys in the batches' own order, as one process
    gives them."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    order = sorted(range(len(batches)), key=lambda i: -sum(f.stat().st_size for f in batches[i].files))
    shares = [sorted(order[k::workers]) for k in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        done = list(
            pool.map(_validate_batches, [job] * workers, [[batches[i] for i in s] for s in shares], range(workers))
        )
    by_load = {}
    for rows, keys in done:
        for row in rows:
            by_load.setdefault(row["load_id"], ([], []))[0].append(row)
        for key in keys:
            by_load.setdefault(key[3], ([], []))[1].append(key)
    ordered = [by_load.get(b.load_id, ([], [])) for b in batches]
    return [r for rows, _ in ordered for r in rows], [k for _, keys in ordered for k in keys]


def _validate_batches(job: _Job, batches: list[Batch], scratch: object) -> tuple[list[dict], list[tuple]]:
    """Validate `batches` in scratch tables of their own (`scratch` names them within the run); returns
    the result rows and the failing record keys of scored checks."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    rows: list[dict] = []
    keys: list[tuple] = []
    with engine_for(job.settings).batch_tables(f"{job.run_id}_{scratch}") as tables:
        tables.register(CODE_TABLE, code_table())  # what the code-list checks look codes up in
        # every batch normalised once, into a table (a view would normalise again for every expectation)
        counts = [
            tables.create(f"batch_{i}", batch_sql(b, tables, job.sample, job.seed)) for i, b in enumerate(batches)
        ]
        populations = [tables.count(tables.lake_files(b.glob)) for b in batches]
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        for i, batch in enumerate(batches):
            view = f"batch_{i}"
            definition, batch_parameters = tables.gx_batch(context, view)
            suite = build_suite(batch.department, batch.resource, tables.dialect)
            overrides = overrides_for(batch.department.code)
            run = _suite_runner(context, definition, batch_parameters, suite_parameters(batch.resource, overrides))
            results = _counts_then_failing_rows(run, suite)
            for r in results:
                meta = r.expectation_config.meta
                failing = _failing_rows(r, tables, view)
                rows.append(_flatten(r, failing, batch, counts[i], job.run_id, job.validated_at, overrides, job.today))
                rows[-1].update(mode=job.mode, population_count=populations[i])
                if job.mode == FULL and meta["severity"] == "error":  # what is scored; warnings keep their samples
                    keys.extend(
                        (
                            job.run_id,
                            batch.department.code,
                            batch.resource.slug,
                            batch.load_id,
                            meta["rule"],
                            meta["column"],
                            k,
                        )
                        for k in _failing_keys(r, failing, tables)
                    )
    return rows, keys


COUNTS = {"result_format": "BASIC", "partial_unexpected_count": 0}
FAILING_ROWS = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [RECORD_KEY],
    "partial_unexpected_count": SAMPLES,
}


def _suite_runner(context, definition, batch_parameters: dict, expectation_parameters: dict):
    """A function running a suite on the batch with a result format, returning its results."""
    import great_expectations as gx

    def run(suite, result_format: dict) -> list:
        suite = context.suites.add(suite)
        try:
            return (
                context.validation_definitions.add(
                    gx.ValidationDefinition(name=suite.name, data=definition, suite=suite)
                )
                .run(
                    batch_parameters=batch_parameters,
                    expectation_parameters=expectation_parameters,
                    result_format=result_format,
                )
                .results
            )
        finally:
            context.validation_definitions.delete(suite.name)
            context.suites.delete(suite.name)

    return run


def _counts_then_failing_rows(run, suite) -> list:
    """Every expectation's counts, then GX's failing rows of its own expectations that found any: its
    unexpected values and index list are two more queries per expectation, and most find nothing."""
    import great_expectations as gx

    def identity(e) -> tuple:
        return e.meta["rule"], e.meta["column"]

    counted = run(suite, COUNTS)
    failing = {identity(r.expectation_config) for r in counted if (r.result or {}).get("unexpected_count")}
    if not failing:
        return counted
    subset = [copy.copy(e) for e in suite.expectations if identity(e) in failing]
    again = gx.ExpectationSuite(name=f"{suite.name}__failing", expectations=subset)
    rows = {identity(r.expectation_config): r for r in run(again, FAILING_ROWS)}
    return [rows.get(identity(r.expectation_config), r) for r in counted]


def _failing_rows(r, tables: BatchTables, table: str) -> list[dict]:
    """The failing rows (record key and checked value): GX's unexpected index list for its own
    expectations; for the standards' SQL ones, which count only, their query once more on the engine
    when it found any (ordered by record key, as every engine orders them alike)."""
    res = r.result or {}
    if "unexpected_index_list" in res:
        return list(res["unexpected_index_list"] or [])
    if not res.get("observed_value"):
        return []
    query = r.expectation_config.kwargs["unexpected_rows_query"].format(batch=table)
    return tables.rows(f"select * from ({query}) as failing order by {RECORD_KEY}")


def _failing_keys(r, failing: list[dict], tables: BatchTables) -> list[str]:
    """Every failing row's record key: from the failing rows when they are all there, else (GX stops
    its index list early on some engines) the query GX reports for them, keys only."""
    res = r.result or {}
    if len(failing) >= (res.get("unexpected_count", res.get("observed_value")) or 0):
        return sorted({str(row.get(RECORD_KEY)) for row in failing})
    query = res["unexpected_index_query"].rstrip("; \n")
    return tables.keys(f"select distinct cast({RECORD_KEY} as string) from ({query}) as failing order by 1")


def _flatten(r, failing: list[dict], batch: Batch, count: int, run_id: str, validated_at, overrides, today) -> dict:
    meta = r.expectation_config.meta
    res = r.result or {}
    unexpected = res.get("unexpected_count", res.get("observed_value"))
    element = meta.get("element")
    samples = [row.get(meta["column"]) for row in failing[:SAMPLES]]
    waiver = overrides.waiver(meta["rule"], batch.resource.slug, today)
    return {
        "run_id": run_id,
        "validated_at": validated_at,
        "period": batch.period,
        "department": batch.department.code,
        "resource": batch.resource.slug,
        "load_id": batch.load_id,
        "column_name": meta["column"],
        "element": element,
        "rule": meta["rule"],
        "expectation": r.expectation_config.type,
        "dimension": meta["dimension"],
        "severity": meta["severity"],
        "element_count": count,
        "unexpected_count": None if unexpected is None else int(unexpected),
        "success": bool(r.success),
        "waived": waiver is not None,
        "waiver_reason": waiver.reason if waiver else None,
        "masked_samples": json.dumps(
            [mask(element or "person_name", None if s is None else str(s)) for s in samples[:SAMPLES]],
            ensure_ascii=False,
        ),
    }


def _store(settings: Settings, run_id: str, rows: list[dict]) -> Path:
    import pyarrow as pa

    table = pa.Table.from_pylist([{k: r[k] for k in RESULT_COLUMNS} for r in rows])
    return write_parquet_atomically(table, results_root(settings) / f"run_id={run_id}" / "results.parquet")


def _store_failing_keys(settings: Settings, run_id: str, keys: list[tuple]) -> Path:
    """Record keys (a department's own record numbers, not personal data) of every failing row."""
    import pyarrow as pa

    names = ["run_id", "department", "resource", "load_id", "rule", "column_name", "record_key"]
    table = pa.Table.from_arrays([pa.array([k[i] for k in keys], pa.string()) for i in range(len(names))], names=names)
    return write_parquet_atomically(table, failing_keys_root(settings) / f"run_id={run_id}" / "failing_keys.parquet")

"""Validate every published lake batch against its resource's generated suite, on DuckDB through GX.

Each batch becomes a table of its normalised columns (the standards engine's own SQL) in a scratch
DuckDB file; GX's SQL datasource validates it (with the DuckDB shim), and every expectation result
is flattened to one row — run, period, department, resource, load, column, rule, dimension, counts,
success, waiver — with up to five failing values *masked* before anything is stored. Rows are
appended under `lake/quality/results/run_id=<id>/`, so history and trends exist; a batch already
validated is not validated again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Department, Resource
from pipelines.lake.layout import LakeLayout
from pipelines.privacy.masking import mask
from pipelines.quality.overrides import overrides_for
from pipelines.quality.suites import build_suite, suite_parameters
from pipelines.settings import Settings
from pipelines.standards.registry import load_elements
from pipelines.standards.sql import DIALECTS, normalise_sql

SAMPLES = 5
DUCKDB = DIALECTS["duckdb"]
PERIOD = re.compile(r"(\d{4})-(\d{2})")
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
}


@dataclass(frozen=True)
class Batch:
    department: Department
    resource: Resource
    load_id: str
    period: str
    files: list[Path]


def results_root(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "results"


def _period(delivery: str, started_at: str) -> str:
    """The month a delivery speaks for: named in the file or page (`births_2026-08.csv`), else its landing month."""
    m = PERIOD.search(delivery) or PERIOD.search(started_at)
    return f"{m.group(1)}-{m.group(2)}" if m else started_at[:7]


def published_batches(settings: Settings) -> list[Batch]:
    lake = LakeLayout(settings.lake_root)
    if not lake.ledger_path.exists():
        return []
    with sqlite3.connect(lake.ledger_path) as con:
        loads = con.execute(
            "select department, resource, load_id, delivery, started_at from loads where status = 'published' "
            "order by department, resource, started_at"
        ).fetchall()
    catalog = load_catalog()
    out = []
    for dept, res, load_id, delivery, started_at in loads:
        files = sorted(lake.raw_batch(dept, res, load_id).glob("*.parquet"))
        if files and dept in catalog.departments:
            out.append(
                Batch(
                    catalog.departments[dept].department,
                    catalog.resource(dept, res),
                    load_id,
                    _period(delivery, started_at),
                    files,
                )
            )
    return out


def _already_validated(settings: Settings) -> set[str]:
    root = results_root(settings)
    if not any(root.glob("run_id=*/*.parquet")):
        return set()
    glob = str(root / "run_id=*" / "*.parquet")
    return {r[0] for r in duckdb.sql(f"select distinct load_id from read_parquet('{glob}')").fetchall()}


def _batch_view_sql(batch: Batch) -> str:
    """The batch's fields under their staging names, normalised by the standards engine."""
    elements = load_elements()
    files = ", ".join(f"'{f}'" for f in batch.files)
    columns = [
        f"{normalise_sql(elements[f.element], DUCKDB.ident(f.name), DUCKDB)} as {f.staging_column}"
        for f in batch.resource.fields
        if not f.key
    ]
    return f"select {', '.join(columns)} from read_parquet([{files}], union_by_name = true)"


def validate(settings: Settings, department: str | None = None, run_id: str | None = None) -> list[dict]:
    """Validate every published batch not validated before; returns (and stores) the result rows."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from pipelines.quality import gx_duckdb

    gx_duckdb.install()
    run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    done = _already_validated(settings)
    batches = [b for b in published_batches(settings) if b.load_id not in done]
    if department:
        batches = [b for b in batches if b.department.code == department]
    if not batches:
        return []
    scratch = settings.data_root / "quality_scratch.duckdb"
    scratch.unlink(missing_ok=True)
    rows: list[dict] = []
    validated_at = datetime.now(UTC).replace(tzinfo=None)
    today = date.today()
    # every batch normalised once, into a table (a view would normalise again for every expectation),
    # all before GX connects: its engine then holds the file open with its own configuration
    counts = []
    with duckdb.connect(str(scratch)) as con:
        for i, batch in enumerate(batches):
            con.execute(f"create or replace table batch_{i} as {_batch_view_sql(batch)}")
            counts.append(con.execute(f"select count(*) from batch_{i}").fetchone()[0])
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_sql(name="lake", connection_string=f"duckdb:///{scratch}")
    for i, batch in enumerate(batches):
        view = f"batch_{i}"
        definition = source.add_table_asset(name=view, table_name=view).add_batch_definition_whole_table("all")
        suite = context.suites.add(build_suite(batch.department, batch.resource))
        overrides = overrides_for(batch.department.code)
        result = context.validation_definitions.add(
            gx.ValidationDefinition(name=view, data=definition, suite=suite)
        ).run(
            expectation_parameters=suite_parameters(batch.resource, overrides),
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLES},
        )
        rows.extend(_flatten(r, batch, counts[i], run_id, validated_at, overrides, today) for r in result.results)
        context.suites.delete(suite.name)
    _store(settings, run_id, rows)
    scratch.unlink(missing_ok=True)
    return rows


def _flatten(r, batch: Batch, count: int, run_id: str, validated_at, overrides, today: date) -> dict:
    meta = r.expectation_config.meta
    res = r.result or {}
    unexpected = res.get("unexpected_count", res.get("observed_value"))
    element = meta.get("element")
    samples = res.get("partial_unexpected_list")
    if samples is None:  # custom SQL expectations return whole rows: keep the checked column only
        samples = [row.get(meta["column"]) for row in (res.get("details") or {}).get("unexpected_rows", [])[:SAMPLES]]
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
    import pyarrow.parquet as pq

    folder = results_root(settings) / f"run_id={run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([{k: r[k] for k in RESULT_COLUMNS} for r in rows])
    path = folder / "results.parquet"
    tmp = folder / ".results.parquet.tmp"
    pq.write_table(table, tmp)
    tmp.rename(path)
    return path

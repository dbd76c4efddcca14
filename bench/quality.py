"""Enforcement: GX validation of every lake batch (`govlake quality validate`) against a hand-written
single pass of the same checks, in the same run on the same normalised batches.

The single pass is one aggregate query per batch: a `count(*) filter (where ...)` per expectation of
the resource's generated plan, each condition being the standards engine's SQL for that check (what the
GX expectations evaluate). Its counts must equal GX's, or the bench fails. GX's time includes what the
product does beyond counting: the failing rows of every expectation (masked samples, failing keys).
"""

from __future__ import annotations

import shutil
import time

import duckdb

from bench.ingest import city
from bench.subjects import lake

SCRATCH = "single_pass.duckdb"


def _conditions(resource) -> list[tuple[str, str, str]]:
    """(rule, column, SQL true for a failing row) for every planned expectation of the resource."""
    from pipelines.engines.dialects import DUCKDB
    from pipelines.quality.suites import REQUIRED, plan
    from pipelines.standards.registry import load_elements, load_rule
    from pipelines.standards.sql import checks_sql, cross_field_sql

    d, elements = DUCKDB, load_elements()
    out = []
    for p in plan(resource):
        col = d.ident(p.column)
        if p.kind == REQUIRED:
            cond = f"{col} is null"
        elif p.kind == "check":
            cond = f"not coalesce({checks_sql(elements[p.element], col, d)[p.check]}, true)"
        else:
            cond = f"not coalesce({cross_field_sql(load_rule(p.rule), col, d.ident(p.other_column), d)}, true)"
        out.append((p.rule, p.column, cond))
    return out


def single_pass(settings) -> tuple[dict, float, float]:
    """Counts by (load id, rule, column), seconds normalising, seconds counting."""
    from pipelines.engines.duckdb import DuckDBBatchTables
    from pipelines.quality.validate import batch_sql, published_batches
    from pipelines.standards.codetable import CODE_TABLE, code_table

    counts: dict[tuple, int] = {}
    normalising = counting = 0.0
    with DuckDBBatchTables(settings.data_root / SCRATCH) as tables:  # the validation's own batch tables
        tables.register(CODE_TABLE, code_table())
        for i, batch in enumerate(published_batches(settings)):
            t = time.perf_counter()
            tables.create(f"batch_{i}", batch_sql(batch, tables))
            normalising += time.perf_counter() - t
            conditions = _conditions(batch.resource)
            t = time.perf_counter()
            aggregates = ", ".join(f"count(*) filter (where {cond})" for _, _, cond in conditions)
            values = tables.con.execute(f"select {aggregates} from batch_{i}").fetchone()
            counting += time.perf_counter() - t
            for (rule, column, _), n in zip(conditions, values, strict=True):
                counts[(batch.load_id, rule, column)] = n
    return counts, normalising, counting


def run(people: int) -> dict:
    from pipelines.quality.suites import plan
    from pipelines.quality.validate import published_batches, validate
    from pipelines.settings import Settings

    data = lake(people)
    settings = Settings(data_dir=data, source_root=city(people))
    shutil.rmtree(settings.lake_root / "quality", ignore_errors=True)
    batches = published_batches(settings)
    per_resource = [len(plan(b.resource)) for b in batches]
    rows_validated = sum(
        duckdb.sql(f"select count(*) from read_parquet({[str(f) for f in b.files]})").fetchone()[0] for b in batches
    )
    t = time.perf_counter()
    results = validate(settings, run_id="bench")
    gx_seconds = time.perf_counter() - t
    counts, normalising, counting = single_pass(settings)
    gx_counts = {(r["load_id"], r["rule"], r["column_name"]): r["unexpected_count"] for r in results}
    if gx_counts != counts:
        wrong = sorted(k for k in counts if counts[k] != gx_counts.get(k))[:5]
        raise AssertionError(f"GX and the single pass disagree on {wrong}")
    shutil.rmtree(settings.lake_root / "quality", ignore_errors=True)
    baseline = normalising + counting
    return {
        "people": people,
        "batches": len(batches),
        "rows_validated": rows_validated,
        "expectations": len(results),
        "expectations_per_resource": [min(per_resource), max(per_resource)],
        "unexpected_values": sum(counts.values()),
        "gx_seconds": round(gx_seconds, 2),
        "single_pass_seconds": round(baseline, 2),
        "single_pass_normalising_seconds": round(normalising, 2),
        "single_pass_counting_seconds": round(counting, 2),
        "ratio": round(gx_seconds / baseline, 2),
        "ratio_beyond_normalising": round((gx_seconds - normalising) / counting, 2),
    }

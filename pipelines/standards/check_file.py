"""`govlake standards check`: one column of a file through one element's normalisation and checks,
in DuckDB (the same SQL the dbt macros hold), with masked examples of what failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.engines.dialects import DUCKDB
from pipelines.standards.evaluate import duckdb_with_codes, select_sql
from pipelines.standards.masking import mask
from pipelines.standards.registry import load_elements

READERS = {".csv": "read_csv", ".parquet": "read_parquet", ".json": "read_json_auto"}


@dataclass
class CheckCount:
    check: str
    dimension: str
    severity: str
    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    element: str
    column: str
    rows: int
    missing: int
    checks: list[CheckCount]


def check_file(path: Path, column: str, element_id: str, examples: int = 5) -> FileReport:
    element = load_elements()[element_id]  # KeyError names an unknown element
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"{path.name}: not a .csv, .parquet or .json file")
    source = f"{reader}('{str(path).replace(chr(39), chr(39) * 2)}'" + (
        ", all_varchar=true)" if reader == "read_csv" else ")"
    )
    col = '"' + column.replace('"', '""') + '"'
    con = duckdb_with_codes()
    try:
        con.execute(
            f"create temp view src as select row_number() over () as _i, cast({col} as varchar) as raw from {source}"
        )
    except duckdb.BinderException:
        raise ValueError(f"{path.name}: no column {column!r}") from None
    checked, _ = select_sql(element_id, DUCKDB, "raw", "src")
    con.execute(
        f"create temp table checked as select src.raw, c.* rename (_normalised as n) from ({checked}) c join src using (_i)"
    )
    rows, missing = con.execute("select count(*), count(*) filter (where n is null) from checked").fetchone()
    counts = []
    for c in element.checks:
        q = f'"{c.id}"'
        passed, failed, na = con.execute(
            f"select count(*) filter (where {q}), count(*) filter (where not {q}), count(*) filter (where {q} is null and n is not null) from checked"
        ).fetchone()
        sample = [
            r[0]
            for r in con.execute(
                f"select distinct raw from checked where not {q} order by raw limit {examples}"
            ).fetchall()
        ]
        counts.append(
            CheckCount(
                c.id, c.dimension.value, c.severity.value, passed, failed, na, [mask(element_id, s) for s in sample]
            )
        )
    return FileReport(element_id, column, rows, missing, counts)

"""Evaluate an element's normalisation and checks over many values, on each engine.

All three return the same shape, a list of (normalised, {check: bool | None}) in input order, so
the agreement tests and the CLI compare or count them without caring where they ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from pipelines.engines.dialects import DUCKDB, SPARK, Dialect
from pipelines.standards.codetable import CODE_TABLE, code_table
from pipelines.standards.python import engine
from pipelines.standards.registry import load_rule
from pipelines.standards.sql import cross_field_sql, element_sql

Result = tuple[str | None, dict[str, bool | None]]


def with_python(element_id: str, values: Sequence[str | None]) -> list[Result]:
    e = engine(element_id)
    out = []
    for v in values:
        n = e.normalise(v)
        out.append((n, e.check(n)))
    return out


def select_sql(element_id: str, d: Dialect, column: str, table: str) -> tuple[str, list[str]]:
    """A query returning `_i`, `_normalised` and one boolean column per check."""
    norm, checks = element_sql(element_id, d)
    cols = ", ".join(f"{e.replace('{col}', '_normalised')} as {d.ident(cid)}" for cid, e in checks.items())
    inner = f"select _i, {norm.replace('{col}', column)} as _normalised from {table}"
    return f"select _i, _normalised{', ' + cols if cols else ''} from ({inner}) as n order by _i", list(checks)


def _indexed(**columns: Sequence[str | None]) -> pa.Table:
    """String columns with `_i`, their position, so every engine can return results in input order."""
    n = len(next(iter(columns.values())))
    return pa.table({"_i": pa.array(range(n), pa.int64()), **{k: pa.array(v, pa.string()) for k, v in columns.items()}})


def _pairs(pairs: Sequence[tuple[str | None, str | None]]) -> pa.Table:
    left, right = zip(*pairs, strict=True) if pairs else ((), ())
    return _indexed(l=left, r=right)


def _rows(rows: list[Any], check_ids: list[str]) -> list[Result]:
    return [(r[1], dict(zip(check_ids, r[2:], strict=True))) for r in rows]


def duckdb_with_codes(con=None):
    """A DuckDB connection (new, or `con`) where the standards' SQL finds the code table."""
    import duckdb

    con = con or duckdb.connect()
    con.register(CODE_TABLE, code_table())
    return con


def spark_with_codes(spark):
    """The Spark session, with the code table as a temporary view (made once per session)."""
    if not spark.catalog.tableExists(CODE_TABLE):
        spark.createDataFrame(code_table()).createOrReplaceTempView(CODE_TABLE)
    return spark


def _spark_rows(spark, sql: str) -> list[tuple]:
    """The query's rows through Arrow: `collect()` builds a Python Row per value, ten times slower."""
    table = spark.sql(sql).toArrow()
    return list(zip(*table.to_pydict().values(), strict=True))


def with_duckdb(element_id: str, values: Sequence[str | None], con=None) -> list[Result]:
    con = duckdb_with_codes(con)
    con.register("_values", _indexed(v=values))
    sql, check_ids = select_sql(element_id, DUCKDB, "v", "_values")
    try:
        return _rows(con.execute(sql).fetchall(), check_ids)
    finally:
        con.unregister("_values")


def with_spark(element_id: str, values: Sequence[str | None], spark) -> list[Result]:
    spark_with_codes(spark).createDataFrame(_indexed(v=values)).createOrReplaceTempView("_values")
    sql, check_ids = select_sql(element_id, SPARK, "v", "_values")
    return _rows(_spark_rows(spark, sql), check_ids)


def rule_with_python(rule_id: str, pairs: Sequence[tuple[str | None, str | None]]) -> list[bool | None]:
    from pipelines.standards.python import cross_field

    rule = load_rule(rule_id)
    return [cross_field(rule, a, b) for a, b in pairs]


def rule_with_duckdb(rule_id: str, pairs: Sequence[tuple[str | None, str | None]], con=None) -> list[bool | None]:
    con = duckdb_with_codes(con)
    con.register("_pairs", _pairs(pairs))
    try:
        sql = f"select {cross_field_sql(load_rule(rule_id), 'l', 'r', DUCKDB)} from _pairs order by _i"
        return [row[0] for row in con.execute(sql).fetchall()]
    finally:
        con.unregister("_pairs")


def rule_with_spark(rule_id: str, pairs: Sequence[tuple[str | None, str | None]], spark) -> list[bool | None]:
    spark_with_codes(spark).createDataFrame(_pairs(pairs)).createOrReplaceTempView("_pairs")
    sql = f"select {cross_field_sql(load_rule(rule_id), 'l', 'r', SPARK)} as ok from _pairs order by _i"
    return [row[0] for row in _spark_rows(spark, sql)]

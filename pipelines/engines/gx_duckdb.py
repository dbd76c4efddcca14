"""Make Great Expectations 1.x SQL datasources work on DuckDB (duckdb_engine).

Problem 1 - every expectation fails with IndexError / MetricResolutionError
("list index out of range"): GX runs each query inside `with engine.connect():`
and fetches the rows *after* the connection is closed. SQLAlchemy rolls the
connection back on close, and a DuckDB connection drops its open result set on
the next statement, so GX sees []. Fix: buffer the rows before closing.

Problem 2 - "Regex is not supported for dialect duckdb": GX has no DuckDB branch
in get_dialect_regex_expression. Fix: use DuckDB's regexp_matches().

Call install() once before validating (e.g. in conftest.py or the DAG task).
Verified with great-expectations 1.24.1, duckdb 1.5.6 / 2.0.0, duckdb-engine 0.17.0,
SQLAlchemy 2.1.9. Upstream: GX issues #10738 / #11579 (DuckDB is not a supported dialect).
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from great_expectations.execution_engine.sqlalchemy_execution_engine import (
    SqlAlchemyExecutionEngine,
)
from great_expectations.expectations.metrics import util as _gx_util

_orig_regex = _gx_util.get_dialect_regex_expression

_REGEX_MODULES = [
    "great_expectations.expectations.metrics.util",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex_list",
    "great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex_list",
]


def _execute_query_buffered(self, query):
    with self.get_connection() as connection:
        result = self._execute_query_with_recovery(connection, query)
        if getattr(result, "returns_rows", False):
            return result.freeze()()  # FrozenResult -> fully buffered Result
        return result


def _is_duckdb(dialect) -> bool:
    for obj in (dialect, getattr(dialect, "dialect", None)):
        if obj is None:
            continue
        if getattr(obj, "name", None) == "duckdb":
            return True
        if "duckdb" in str(getattr(obj, "__module__", None) or getattr(obj, "__name__", "")):
            return True
    return False


def _regex_expression(column, regex, dialect, positive=True):
    if _is_duckdb(dialect):
        expr = sa.func.regexp_matches(column, sa.literal(regex))
        return expr if positive else sa.not_(expr)
    return _orig_regex(column, regex, dialect, positive)


def install() -> None:
    SqlAlchemyExecutionEngine.execute_query = _execute_query_buffered
    for name in _REGEX_MODULES:
        mod = importlib.import_module(name)
        if hasattr(mod, "get_dialect_regex_expression"):
            mod.get_dialect_regex_expression = _regex_expression

"""The embedded engine: one DuckDB warehouse file, dbt-duckdb in its own process."""

from __future__ import annotations

import duckdb

from pipelines.engines.base import Engine, run_dbt_process


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"

    def run_dbt(self, args: list[str], quiet: bool = True) -> str:
        """dbt in its own process: dbt-duckdb keeps the warehouse open for the life of the process, and
        the linkage step needs it next."""
        return run_dbt_process(self.dbt_variables(), args, quiet)

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse_path), read_only=read_only)

    def query(self, sql: str):
        with self.connect() as con:
            return con.execute(sql).fetch_arrow_table()

    def has_table(self, schema: str, table: str) -> bool:
        if not self.settings.warehouse_path.exists():
            return False
        with self.connect() as con:
            return bool(
                con.execute(
                    "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchone()[0]
            )

"""The embedded engine: one DuckDB warehouse file, dbt-duckdb in its own process."""

from __future__ import annotations

import duckdb

from pipelines.engines.base import Engine, Workspace, run_dbt_process

WAREHOUSE = "warehouse"
MEMORY_LIMIT = "6GB"


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

    def workspace(self) -> Workspace:
        return DuckDBWorkspace(self.settings.warehouse_path)


class DuckDBWorkspace(Workspace):
    """An in-memory database with the warehouse attached, so a job's many intermediate tables never
    reach the warehouse file. Bounded: DuckDB would take 80% of the machine; it spills beside the
    warehouse instead."""

    def __init__(self, warehouse) -> None:
        spill = warehouse.parent / ".workspace_spill"
        self.con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
        self.con.execute(f"attach '{warehouse}' as {WAREHOUSE}")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def fetch(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def register(self, name: str, table) -> None:
        self.con.register(f"_{name}_arrow", table)
        self.con.execute(f"create or replace table {name} as select * from _{name}_arrow")
        self.con.unregister(f"_{name}_arrow")

    def warehouse(self, schema: str, table: str) -> str:
        self.con.execute(f"create schema if not exists {WAREHOUSE}.{schema}")
        return f"{WAREHOUSE}.{schema}.{table}"

    def columns(self, relation: str) -> list[str]:
        return [c[0] for c in self.con.execute(f"select * from {relation} limit 0").description]

    def splink_api(self):
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def close(self) -> None:
        self.con.close()

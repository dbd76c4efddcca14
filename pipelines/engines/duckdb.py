"""The embedded engine: one DuckDB warehouse file, dbt-duckdb in the platform's process."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb
import numpy as np

from pipelines.engines import dbt_parse
from pipelines.engines.base import BatchTables, Engine, RoleBuild, RoleReader, Workspace, run_dbt_in_process
from pipelines.engines.dialects import DUCKDB
from pipelines.engines.duckdb_connect import connect
from pipelines.engines.duckdb_roles import DuckDBRoleBuild, DuckDBRoleReader, role_file

WAREHOUSE = "warehouse"
MEMORY_LIMIT = "6GB"


def _close_dbt_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps for the process once its command is done (its class holds
    it, open, until the next command)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


class DuckDBEngine(Engine):
    name = "duckdb"
    sql = DUCKDB
    # GX spends most of a batch's validation in Python, one core's worth: a process per core (a scratch
    # file each); Spark's batch tables live in its one session, so Spark validates in one
    validation_workers = min(os.cpu_count() or 1, 4)
    # each role's warehouse is a file and a connection of its own, and a build spends much of its time
    # on steps one thread does (opening, small statements, the checkpoint on close): two at once
    role_build_workers = 2

    def run_dbt(self, args: list[str], quiet: bool = True) -> str:
        """dbt in this process (its start-up paid once, not per command), with the warehouse closed again
        after it: the linkage and the platform's read-only connections open it next, and DuckDB refuses a
        second configuration of a file one process holds open. It runs from the data folder, with the
        warehouse's and the lake's paths relative to it: its parse of the project is then every folder's
        (`dbt_parse`)."""
        root = self.settings.data_root
        root.mkdir(parents=True, exist_ok=True)
        variables = self.dbt_variables() | {
            "GOVLAKE_WAREHOUSE": os.path.relpath(self.settings.warehouse_path, root),
            "GOVLAKE_LAKE_ROOT": os.path.relpath(self.settings.lake_root, root),
        }
        target = Path(variables["DBT_TARGET_PATH"])
        dbt_parse.reuse(target)
        try:
            with contextlib.chdir(root):  # dbt reads the profile's relative paths from there
                summary = run_dbt_in_process(variables, args, quiet)
        finally:
            _close_dbt_warehouse()
        dbt_parse.share(target)
        return summary

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        return connect(str(self.settings.warehouse_path), read_only=read_only)

    def query(self, sql: str):
        with self.connect() as con:
            return con.execute(sql).to_arrow_table()

    def workspace(self) -> Workspace:
        return DuckDBWorkspace(self.settings.warehouse_path)

    def batch_tables(self, run_id: str) -> BatchTables:
        return DuckDBBatchTables(self.settings.data_root / f"quality_scratch_{run_id}.duckdb")

    def has_mart(self, schema: str, table: str) -> bool:
        if not self.settings.warehouse_path.exists():
            return False
        with self.connect() as con:
            found = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
            return bool(con.execute(found, [schema, table]).fetchone()[0])

    def role_location(self, role: str) -> Path:
        return role_file(self.settings.access_root, role)

    def role_build(
        self, role: str, location: Path | None = None, full_refresh: bool = False, policy: str = ""
    ) -> RoleBuild:
        if not self.settings.warehouse_path.exists():
            raise FileNotFoundError(
                f"no warehouse at {self.settings.warehouse_path}: build the subject databases first"
            )
        target = location or self.role_location(role)
        # the rows' state is the platform's (digests of unmasked rows): in its data folder, not the roles'
        state = self.settings.data_root / "role_state" / target.name if location is None else None
        return DuckDBRoleBuild(self.settings.warehouse_path, target, state, full_refresh, policy)

    def role_reader(self, role: str | None) -> RoleReader:
        return DuckDBRoleReader(self.settings.warehouse_path if role is None else self.role_location(role))


def table_from_arrow(con: duckdb.DuckDBPyConnection, name: str, table) -> None:
    """An Arrow table copied into the database as the table `name`."""
    con.register(f"_{name}_arrow", table)
    con.execute(f"create or replace table {name} as select * from _{name}_arrow")
    con.unregister(f"_{name}_arrow")


class DuckDBWorkspace(Workspace):
    """An in-memory database with the warehouse attached, so a job's many intermediate tables never
    reach the warehouse file. Bounded: DuckDB would take 80% of the machine; it spills beside the
    warehouse instead."""

    def __init__(self, warehouse) -> None:
        spill = warehouse.parent / ".workspace_spill"
        self.con = connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
        self.con.execute(f"attach '{warehouse}' as {WAREHOUSE}")

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def fetch(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def register(self, name: str, table) -> None:
        table_from_arrow(self.con, name, table)

    def warehouse(self, schema: str, table: str) -> str:
        self.con.execute(f"create schema if not exists {WAREHOUSE}.{schema}")
        return f"{WAREHOUSE}.{schema}.{table}"

    def columns(self, relation: str) -> list[str]:
        return [c[0] for c in self.con.execute(f"select * from {relation} limit 0").description]

    def exists(self, relation: str) -> bool:
        catalog, schema, table = relation.split(".")
        return bool(
            self.con.execute(
                "select 1 from information_schema.tables where table_catalog = ? and table_schema = ? "
                "and table_name = ?",
                [catalog, schema, table],
            ).fetchall()
        )

    def changed_keys(self, table: str, state: str, key: str) -> str:
        """By the rows' hashes: 1.8 s beside the comparison's 4.1 s for 2.85M person records (a changed row
        keeps its hash once in 2^64)."""
        return (
            f"select distinct {key} from (select {key}, hash(r) as h from {table} as r) as now "
            f"anti join (select {key}, hash(s) as h from {state} as s) as was using ({key}, h)"
        )

    def sync_table(self, table: str, source: str, key: str, changed: str) -> None:
        """In place: a day's rows, not the whole table (9 s for 2.8M person records)."""
        keys = f"{key} in (select {key} from {changed})"
        self.replace_rows(table, keys, f"select * from {source} where {keys}")

    def set_aside(self, table: str, aside: str) -> None:
        """Renamed, not copied (1.0 s for the links of 2.85M person records)."""
        self.con.execute(f"drop table if exists {aside}")
        self.con.execute(f"alter table {table} rename to {aside.rsplit('.', 1)[1]}")

    def replace_rows(self, table: str, stale: str, fresh: str | None = None) -> None:
        """In place, in one transaction (a day's edges, not 2.6 s of copying every edge twice)."""
        self.con.execute("begin transaction")
        try:
            self.con.execute(f"delete from {table} where {stale}")
            if fresh:
                self.con.execute(f"insert into {table} {fresh}")
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    def splink_api(self):
        from splink import DuckDBAPI

        self._register_similarity()
        return DuckDBAPI(connection=self.con)

    def _register_similarity(self) -> None:
        import pyarrow as pa

        from pipelines.engines.similarity import FUNCTIONS

        def arrow_udf(function, arrow_type):
            def udf(left, right):
                values = function(left.to_pylist(), right.to_pylist())
                return pa.array(values.filled(0), type=arrow_type, mask=np.ma.getmaskarray(values))

            return udf

        for name, (function, kind) in FUNCTIONS.items():
            udf = arrow_udf(function, pa.int64() if kind == "bigint" else pa.float64())
            self.con.create_function(name, udf, ["VARCHAR", "VARCHAR"], kind.upper(), type="arrow")

    def close(self) -> None:
        self.con.close()


class DuckDBBatchTables(BatchTables):
    """Tables in a scratch DuckDB file (one per run: GX's engine may outlive it), validated through GX's
    SQL datasource with the DuckDB shim."""

    dialect = DUCKDB

    def __init__(self, path) -> None:
        self.path, self.source = path, None
        path.unlink(missing_ok=True)
        self.con = connect(str(path))

    def lake_files(self, glob: str) -> str:
        return f"read_parquet('{glob}', union_by_name = true)"

    def create(self, name: str, sql: str) -> int:
        self.con.execute(f"create or replace table {name} as {sql}")
        return self.count(name)

    def register(self, name: str, table) -> None:
        table_from_arrow(self.con, name, table)

    def count(self, relation: str) -> int:
        return self.con.execute(f"select count(*) from {relation}").fetchone()[0]

    def gx_batch(self, context, name: str) -> tuple:
        if self.source is None:
            from pipelines.engines import gx_duckdb

            gx_duckdb.install()
            self.con.close()
            self.source = context.data_sources.add_sql(name="lake", connection_string=f"duckdb:///{self.path}")
        asset = self.source.add_table_asset(name=name, table_name=name)
        return asset.add_batch_definition_whole_table("all"), {}

    def rows(self, sql: str) -> list[dict]:
        with self.source.get_engine().connect() as con:
            return [dict(r._mapping) for r in con.exec_driver_sql(sql)]

    def close(self) -> None:
        if self.source is not None:
            self.source.get_engine().dispose()
        else:
            self.con.close()
        self.path.unlink(missing_ok=True)

"""Role warehouses on the embedded engine: one DuckDB file per role.

DuckDB has no privilege boundary inside one database file, so views over the platform's tables
would keep nothing from a reader of that file; the boundary is the file. A build writes a new file
beside the old one and replaces it atomically; a reader opens it read-only with external access off
and the configuration locked, so ATTACH, COPY and file readers cannot reach the platform or the lake.
With a row state (`duckdb_role_rows`), the new file starts as a copy of the old one and each table is
updated in it: only the rows whose source changed are computed again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from pipelines.engines.base import RejectedQuery, RoleBuild, RoleReader, RoleTable
from pipelines.engines.duckdb_connect import connect
from pipelines.engines.duckdb_role_rows import STATE, RowState

PLATFORM = "platform"
LOCKED_DOWN = {"enable_external_access": False, "autoload_known_extensions": False, "lock_configuration": True}


def role_file(access_root: Path, role: str) -> Path:
    # not <role>.duckdb: the file's catalogue would take the role's name and shadow the schema of that name
    return access_root / f"warehouse_{role}.duckdb"


class DuckDBRoleBuild(RoleBuild):
    def __init__(
        self, warehouse: Path, target: Path, state: Path | None = None, full_refresh: bool = False, policy: str = ""
    ) -> None:
        """`state`: where the rows' state is kept, to update the warehouse in place next time (None: a
        warehouse built whole and kept by nobody, as a build to another path is). The last file is kept
        only under the same `policy`: a grant ended or a mask changed starts a new file, so no freed page
        of it holds what the role may no longer see."""
        self.target = target
        self.tmp = target.with_name(f"building_{target.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.unlink(missing_ok=True)
        keep = state is not None and not full_refresh and RowState.matches(state, target, policy)
        if keep:
            shutil.copyfile(target, self.tmp)
        self.con = connect(str(self.tmp))
        self.con.execute(f"attach '{warehouse}' as {PLATFORM} (read_only)")
        self.state = None if state is None else RowState(self.con, state, policy)
        if self.state is not None:
            self.state.attach(keep)
        self.written: set[str] = set()  # every table this build made
        self.updated: set[str] = set()  # those kept up to date through the row state

    def platform(self, schema: str, table: str) -> str:
        return f"{PLATFORM}.{schema}.{table}"

    def columns(self, relation: str) -> list[str]:
        return [c[0] for c in self.con.execute(f"select * from {relation} limit 0").description]

    def exists(self, relation: str) -> bool:
        database, schema, table = relation.split(".")
        return bool(
            self.con.execute(
                "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
                [database, schema, table],
            ).fetchone()[0]
        )

    def register_pseudonym(self, pseudonymise) -> None:
        pseudonymise.register(self.con)

    def rows(self, select: str) -> list[tuple]:
        return self.con.execute(select).fetchall()

    def scratch(self, name: str, select: str) -> str:
        self.con.execute(f"create or replace temp table {name} as {select}")
        return f"temp.main.{name}"

    def refresh(self, t: RoleTable) -> tuple[int, int]:
        if self.state is None or not t.row_inputs:
            return super().refresh(t)
        self.written.add(f"{t.schema}.{t.table}")
        self.updated.add(f"{t.schema}.{t.table}")
        return self.state.refresh(t)

    def create(self, schema: str, table: str, select: str) -> int:
        self.written.add(f"{schema}.{table}")
        self.con.execute(f'create schema if not exists "{schema}"')
        self.con.execute(f'create or replace table "{schema}"."{table}" as {select}')
        return self.con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]

    def write(self, schema: str, table: str, columns: dict[str, str], rows: list[tuple]) -> None:
        self.written.add(f"{schema}.{table}")
        self.con.execute(f'create schema if not exists "{schema}"')
        self.con.execute(
            f'create or replace table "{schema}"."{table}" ({", ".join(f"{n} {t}" for n, t in columns.items())})'
        )
        if rows:
            self.con.executemany(f'insert into "{schema}"."{table}" values ({", ".join("?" * len(columns))})', rows)

    def commit(self) -> None:
        """Tables the last build had and this one did not make are dropped (a grant that ended), then the
        warehouse replaces the last one, and its row state the last state."""
        tables = "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        for schema, table in self.con.execute(tables).fetchall():
            if f"{schema}.{table}" not in self.written:
                self.con.execute(f'drop table "{schema}"."{table}"')
        if self.state is not None:
            self.state.forget(self.updated)
            self.con.execute("detach " + STATE)
        self.con.execute("detach " + PLATFORM)
        self.con.close()
        os.replace(self.tmp, self.target)
        if self.state is not None:
            self.state.commit(self.target)

    def discard(self) -> None:
        self.con.close()
        self.tmp.unlink(missing_ok=True)
        self.tmp.with_name(self.tmp.name + ".wal").unlink(missing_ok=True)
        if self.state is not None:
            self.state.discard()


class DuckDBRoleReader(RoleReader):
    def __init__(self, path: Path) -> None:
        self.con = connect(str(path), read_only=True, config=LOCKED_DOWN)

    def execute(self, sql: str) -> tuple[list[str], list[tuple]]:
        try:
            cursor = self.con.execute(sql)
            return [d[0] for d in cursor.description or []], cursor.fetchall()
        except duckdb.Error as exc:
            raise RejectedQuery(str(exc)) from None

    def interrupt(self) -> None:
        self.con.interrupt()

    def close(self) -> None:
        self.con.close()

"""Role warehouses on the embedded engine: one DuckDB file per role.

DuckDB has no privilege boundary inside one database file, so views over the platform's tables
would keep nothing from a reader of that file; the boundary is the file. A build writes a new file
beside the old one and replaces it atomically; a reader opens it read-only with external access off
and the configuration locked, so ATTACH, COPY and file readers cannot reach the platform or the lake.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.engines.base import RejectedQuery, RoleBuild, RoleReader

PLATFORM = "platform"
LOCKED_DOWN = {"enable_external_access": False, "autoload_known_extensions": False, "lock_configuration": True}


def role_file(access_root: Path, role: str) -> Path:
    # not <role>.duckdb: the file's catalogue would take the role's name and shadow the schema of that name
    return access_root / f"warehouse_{role}.duckdb"


class DuckDBRoleBuild(RoleBuild):
    def __init__(self, warehouse: Path, target: Path) -> None:
        self.target = target
        self.tmp = target.with_name(f"building_{target.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.unlink(missing_ok=True)
        self.con = duckdb.connect(str(self.tmp))
        self.con.execute(f"attach '{warehouse}' as {PLATFORM} (read_only)")

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

    def create(self, schema: str, table: str, select: str) -> int:
        self.con.execute(f'create schema if not exists "{schema}"')
        self.con.execute(f'create table "{schema}"."{table}" as {select}')
        return self.con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]

    def write(self, schema: str, table: str, columns: dict[str, str], rows: list[tuple]) -> None:
        self.con.execute(f'create schema if not exists "{schema}"')
        self.con.execute(f'create table "{schema}"."{table}" ({", ".join(f"{n} {t}" for n, t in columns.items())})')
        if rows:
            self.con.executemany(f'insert into "{schema}"."{table}" values ({", ".join("?" * len(columns))})', rows)

    def commit(self) -> None:
        self.con.execute("detach " + PLATFORM)
        self.con.close()
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        self.con.close()
        self.tmp.unlink(missing_ok=True)
        self.tmp.with_name(self.tmp.name + ".wal").unlink(missing_ok=True)


class DuckDBRoleReader(RoleReader):
    def __init__(self, path: Path) -> None:
        self.con = duckdb.connect(str(path), read_only=True, config=LOCKED_DOWN)

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

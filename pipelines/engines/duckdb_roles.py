"""Role warehouses on the embedded engine: one DuckDB file per role.

DuckDB has no privilege boundary inside one database file, so views over the platform's tables
would keep nothing from a reader of that file; the boundary is the file. A build writes a new file
beside the old one and replaces it atomically; a reader opens it read-only with external access off
and the configuration locked, so ATTACH, COPY and file readers cannot reach the platform or the lake.
With a row state (`duckdb_role_rows`), each table is updated in the new file: only the rows whose source
changed are computed again. The new file is the one the last build replaced, kept with its row state (the
day before's warehouse: it catches up two days of changes), else a copy of the live one: copying the seven
files cost 8.5 s of a 1,000,000-person day, moving one costs nothing (`Generations`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NamedTuple

import duckdb

from pipelines.engines.base import RejectedQuery, RoleBuild, RoleReader, RoleTable
from pipelines.engines.duckdb_connect import connect
from pipelines.engines.duckdb_role_rows import STATE, RowState, unlink_database

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
        self.target, self.policy = target, policy
        self.tmp = target.with_name(f"building_{target.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        unlink_database(self.tmp)
        self.generations = None if state is None else Generations.of(state)
        self.kept = False  # whether this build updates a kept warehouse (its rows' state matched)
        if self.generations is not None and not full_refresh:
            self.kept = self.generations.start(target, self.tmp, policy)
        try:
            self.con = connect(str(self.tmp))
        except duckdb.IOException:  # a reader opened the previous warehouse while it was live and holds it still
            assert self.generations is not None and self.kept
            unlink_database(self.tmp)
            self.kept = self.generations.start(target, self.tmp, policy, previous=False)
            self.con = connect(str(self.tmp))
        self.con.execute(f"attach '{warehouse}' as {PLATFORM} (read_only)")
        self.state = None if self.generations is None else RowState(self.con, self.generations.building, policy)
        if self.state is not None:
            self.state.attach(self.kept)
        self.platform_tables: set[tuple[str, str]] | None = None  # (schema, table), once asked (`exists`)
        self.written: set[str] = set()  # every table this build made
        self.updated: set[str] = set()  # those kept up to date through the row state

    def platform(self, schema: str, table: str) -> str:
        return f"{PLATFORM}.{schema}.{table}"

    def columns(self, relation: str) -> list[str]:
        return [c[0] for c in self.con.execute(f"select * from {relation} limit 0").description]

    def exists(self, relation: str) -> bool:
        """Whether the platform holds `relation`: its tables listed once per build (it is attached read-only,
        and each listing of a 4 GB warehouse's tables took 40 ms, a dozen per role)."""
        database, schema, table = relation.split(".")
        assert database == PLATFORM, relation
        if self.platform_tables is None:
            listed = f"select schema_name, table_name from duckdb_tables() where database_name = '{PLATFORM}'"
            self.platform_tables = set(self.con.execute(listed).fetchall())
        return (schema, table) in self.platform_tables

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
        if rows:  # one statement: DuckDB runs `executemany` row by row (0.15 s a role for the manifest's columns)
            one = f"({', '.join('?' * len(columns))})"
            params = [value for row in rows for value in row]
            self.con.execute(f'insert into "{schema}"."{table}" values {", ".join([one] * len(rows))}', params)

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
        if self.generations is None:
            os.replace(self.tmp, self.target)
        else:
            self.generations.replace(self.target, self.tmp, self.policy, keep_last=self.kept)

    def discard(self) -> None:
        self.con.close()
        unlink_database(self.tmp)
        if self.generations is not None:
            unlink_database(self.generations.building)


class Generations(NamedTuple):
    """The rows' states of a role's warehouse and the warehouse the last build replaced (`previous`), kept so
    the next build updates it in place instead of copying the live file. Each state records which file it
    was made for (`RowState.matches`): a run killed anywhere between the moves leaves a state that matches
    no file, or the live one's still matching it, never a state ahead of its file.

    The previous warehouse holds the role's rows as the last build but one saw them, under the same grants,
    masks and key (another policy starts a new file and keeps no previous one); it lives with the states in
    the platform's data folder, where no role's reader looks."""

    live: Path  # the live warehouse's rows' state
    previous: Path  # the warehouse the last build replaced
    previous_state: Path
    building: Path  # the state of the build under way

    @classmethod
    def of(cls, state: Path) -> Generations:
        state.parent.mkdir(parents=True, exist_ok=True)
        stem = state.name.removesuffix(".duckdb")
        return cls(
            state,
            state.with_name(f"{stem}.previous.duckdb"),
            state.with_name(f"{stem}.previous.state.duckdb"),
            state.with_name(f"{stem}.building.duckdb"),
        )

    def start(self, target: Path, tmp: Path, policy: str, previous: bool = True) -> bool:
        """Put at `tmp` the warehouse to update, with its state at `building`: the previous one, moved (unless
        not `previous`); else a copy of the live one and its state. False (nothing put there) if neither's
        state matches it."""
        unlink_database(self.building)
        if previous and RowState.matches(self.previous_state, self.previous, policy):
            os.replace(self.previous, tmp)
            os.replace(self.previous_state, self.building)
            return True
        if RowState.matches(self.live, target, policy):
            shutil.copyfile(target, tmp)
            shutil.copyfile(self.live, self.building)
            return True
        return False

    def replace(self, target: Path, tmp: Path, policy: str, keep_last: bool) -> None:
        """`tmp` replaces `target`, and its state the live state. The replaced warehouse and its state become
        the previous ones when it was kept under the same policy (`keep_last`); otherwise none is kept."""
        unlink_database(self.previous)
        unlink_database(self.previous_state)
        if keep_last and RowState.matches(self.live, target, policy):
            try:
                os.link(target, self.previous)  # the same file under a second name: its state still matches it
            except OSError:  # no hard links here (or another file system): the next build copies the live one
                pass
            else:
                os.replace(self.live, self.previous_state)
        os.replace(tmp, target)
        os.replace(self.building, self.live)
        RowState.record(self.live, target, policy)


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

"""Updating a role's DuckDB warehouse in place: a day's changes cost a day's rows, not the whole city's.

Each row of a role's table is computed from one row of its source (a mart or staging row with the
lineage and grant it joins), so a build may keep every row whose source row is unchanged and compute,
mask and pseudonymise only the others. What it needs to know is kept beside the warehouse, never in it:
for every row, a digest of its source row and a hash of the row itself (`RowState`). Digests of
unmasked rows are the platform's data, not the role's, so the state lives in the platform's data folder
and a role's reader never sees it.

A day is then: digest the source (in DuckDB, no Python), compare the counts per digest with the state's,
delete the rows of the digests whose count changed (found by their hash, as many copies as the state
holds) and insert those digests' rows computed now. Tables about entities compare the subject databases'
digests of each entity's input instead, compute the rows of the changed entities (`Entities`) and delete
their old rows by the column that names the entity (its pseudonym), one column read, not every row hashed.
Tables of staging rows compare the keys each row keeps from its source (its load and row number: `RowKey`)
with the source's, and keep no state at all. A table whose SELECT changed is computed whole; a change of
the role's grants, masks or key starts a new file (`DuckDBRoleBuild`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipelines.engines.base import RoleTable
from pipelines.engines.dialects import HOUSE
from pipelines.engines.duckdb_connect import connect

STATE = "rowstate"
SIGNATURES = f"{STATE}.main.signatures"
ENTITIES = "#entities"  # beside a table's rows' state: its entities' digests


def unlink_database(path: Path) -> None:
    """A DuckDB file and its write-ahead log, if any."""
    for file in (path, path.with_name(path.name + ".wal")):
        file.unlink(missing_ok=True)


def _stat(path: Path) -> str:
    """Which file the state was made for: a replaced file differs in size or modification time (to the
    nanosecond). Not the inode: a copy that keeps the file's times (a backup restored) is the same file."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


class RowState:
    """Per table of a role's warehouse: the signature of its SELECT and, per row, (digest of its source
    row, hash of the row). A build updates the state of the warehouse it updates (`Generations` in
    `duckdb_roles`): it first forgets which warehouse the state was made for, and records the new one only
    after that warehouse replaced the last. A build that fails or is killed in between leaves a state that
    matches no warehouse, and is not used again."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, policy: str) -> None:
        self.con, self.path, self.policy = con, path, policy  # the grants, masks and key the rows were made under
        path.parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def matches(path: Path, warehouse: Path, policy: str) -> bool:
        """Whether the state at `path` was left by the build that left `warehouse` (a run killed between
        replacing the one and the other leaves them apart: the next build starts over), under `policy`."""
        if not (path.exists() and warehouse.exists()):
            return False
        with connect(str(path), read_only=True) as con:
            if not con.execute("select count(*) from duckdb_tables() where table_name = 'built'").fetchone()[0]:
                return False  # a build began and did not finish
            made_for = con.execute("select warehouse, policy from built").fetchone()
        return made_for == (_stat(warehouse), policy)

    def attach(self, keep: bool) -> None:
        """The state of the last build (`keep`), or an empty one, attached as `rowstate`."""
        if keep:
            with connect(str(self.path)) as con:
                con.execute("drop table built")
        else:
            unlink_database(self.path)
        self.con.execute(f"attach '{self.path}' as {STATE}")
        self.con.execute(f"create table if not exists {SIGNATURES} (name varchar, signature varchar)")

    def refresh(self, t: RoleTable) -> tuple[int, int]:
        """`t` in the warehouse being built (a copy of the last one, or an empty file): (rows, rows computed)."""
        name, key = f"{HOUSE.ident(t.schema)}.{HOUSE.ident(t.table)}", f"{t.schema}.{t.table}"
        if t.entities:
            inputs = (t.entities.digests, t.entities.version, *(t.entities.key or ()))
        elif t.row_key:
            inputs = (*t.row_inputs, t.row_key.alias, *t.row_key.columns, t.row_key.version)
        else:
            inputs = t.row_inputs
        signature = hashlib.sha256("\x1f".join((t.select, *inputs, self.policy)).encode()).hexdigest()
        stored = self.con.execute(f"select signature from {SIGNATURES} where name = ?", [key]).fetchone()
        names = ", ".join(HOUSE.ident(n) for n, _ in t.columns)
        state = f"{STATE}.main.{HOUSE.ident(key)}"
        whole = stored is None or stored[0] != signature or not self._exists(t.schema, t.table)
        if t.entities:
            self._by_entity(t, name, names, state, whole)
        elif t.row_key:
            self._by_key(t, name, names, state, whole)
        else:
            self._by_row(t, name, names, state, whole)
        fresh = self.con.execute("select count(*) from fresh").fetchone()[0]
        self.con.execute("drop table fresh")
        self.con.execute(f"delete from {SIGNATURES} where name = ?", [key])
        self.con.execute(f"insert into {SIGNATURES} values (?, ?)", [key, signature])
        return self.con.execute(f"select count(*) from {name}").fetchone()[0], fresh

    def _computed(self, digest: str, t: RoleTable) -> str:
        return f"select {digest} as __digest, {', '.join(f'{sql} as {HOUSE.ident(n)}' for n, sql in t.columns)}"

    def _create(self, t: RoleTable, name: str, names: str, state: str, rows_state: bool = True) -> None:
        """The table from `fresh`, whole, and its rows' state (none where its rows are found by their
        entity's key)."""
        self.con.execute(f"create schema if not exists {HOUSE.ident(t.schema)}")
        self.con.execute(f"create or replace table {name} as select {names} from fresh")
        if not rows_state:
            self.con.execute(f"drop table if exists {state}")
            return
        self.con.execute(
            f"create or replace table {state} as select __digest as digest, hash({names}) as row_hash from fresh"
        )

    def _update(self, name: str, names: str, state: str) -> None:
        """Delete the rows of the digests in `changed` (found by their hash, as many copies as the state
        holds), then add `fresh`."""
        self.con.execute(
            f"create temp table gone as select row_hash, count(*) as n from {state} "
            "where digest in (select digest from changed) group by row_hash"
        )
        self.con.execute(
            f"delete from {name} where rowid in (select rid from ("
            f"  select rowid as rid, hash({names}) as h, row_number() over (partition by hash({names}) order by rowid) as k"
            f"  from {name} where hash({names}) in (select row_hash from gone)"
            ") as c join gone on c.h = gone.row_hash where c.k <= gone.n)"
        )
        self.con.execute(f"insert into {name} select {names} from fresh")
        self.con.execute(f"delete from {state} where digest in (select digest from changed)")
        self.con.execute(f"insert into {state} select __digest, hash({names}) from fresh")
        self.con.execute("drop table gone; drop table changed")

    def _by_row(self, t: RoleTable, name: str, names: str, state: str, whole: bool) -> None:
        """Rows digested one by one: the digests whose number of source rows changed are computed again."""
        digest = f"hash({', '.join(t.row_inputs)})"
        if whole:
            self.con.execute(f"create temp table fresh as {self._computed(digest, t)} from {t.source}")
            self._create(t, name, names, state)
            return
        self._changed(t.source, digest, state)
        # the filter on the source, not on the computed rows: DuckDB would pseudonymise every row first
        self.con.execute(
            f"create temp table fresh as {self._computed(digest, t)} from {t.source} "
            f"where {digest} in (select digest from changed)"
        )
        self._update(name, names, state)

    def _by_key(self, t: RoleTable, name: str, names: str, state: str, whole: bool) -> None:
        """Rows named by a key they keep from their source row (`RowKey`): the keys whose number of rows
        differs between the source and the table are deleted and computed again. The table is its own state:
        the key's columns grouped on each side (by blocks, then by key in the blocks that differ), no row
        digested."""
        assert t.row_key is not None
        key = [HOUSE.ident(c) for c in t.row_key.columns]
        if whole:
            self.con.execute(f"create temp table fresh as {self._computed('null', t)} from {t.source}")
            self._create(t, name, names, state, rows_state=False)
            return

        def same(a: str, b: str, names: list[str] = key) -> str:  # a NULL in a key matches itself, or rows pile up
            return " and ".join(f"{a}.{c} is not distinct from {b}.{c}" for c in names)

        def differing(names: list[str], now: str, was: str) -> str:
            """SQL: the `names` whose rows' count or sum of hashes (`n`, `h` of `now` and `was`) differ."""
            return (
                f"select {', '.join(f'coalesce(now.{c}, was.{c}) as {c}' for c in names)} "
                f"from ({now} group by all) as now full join ({was} group by all) as was on {same('now', 'was', names)} "
                "where now.n is distinct from was.n or now.h is distinct from was.h"
            )

        # first the blocks of keys (`RowKey.block` row numbers) whose number of keys or sum of their hashes
        # differ: a million keys grouped in 16,000 blocks cost a tenth of grouping them one by one, and a
        # day's changes fall in a few hundred blocks; then key by key, in those blocks only
        *leading, number = key
        block = f"{number} // {t.row_key.block}"

        def by_block(alias: str, frm: str) -> str:
            kept = "".join(f"{alias}.{c} as {c}, " for c in leading)
            hashed = ", ".join(f"{alias}.{c}" for c in key)
            return f"select {kept}{alias}.{block} as block, count(*) as n, sum(hash({hashed})) as h from {frm}"

        def by_key(alias: str, frm: str) -> str:  # the keys of the blocks that differ
            on = [
                *(f"{alias}.{c} is not distinct from blocks.{c}" for c in leading),
                f"{alias}.{block} is not distinct from blocks.block",
            ]
            kept = ", ".join(f"{alias}.{c} as {c}" for c in key)
            return f"select {kept}, count(*) as n, 0 as h from {frm} semi join blocks on {' and '.join(on)}"

        source, table = (t.row_key.alias, t.source), ("w", f"{name} as w")
        blocks = differing([*leading, "block"], by_block(*source), by_block(*table))
        self.con.execute(f"create temp table blocks as {blocks}")
        self.con.execute(f"create temp table changed as {differing(key, by_key(*source), by_key(*table))}")
        self.con.execute("drop table blocks")

        def changed(alias: str) -> str:
            return f"exists (select 1 from changed where {same('changed', alias)})"

        self.con.execute(
            f"create temp table fresh as {self._computed('null', t)} from {t.source} where {changed(t.row_key.alias)}"
        )
        # the DELETE's table named by its table name, as its columns are qualified
        self._replace_changed(name, names, changed(HOUSE.ident(t.table)))

    def _by_entity(self, t: RoleTable, name: str, names: str, state: str, whole: bool) -> None:
        """Rows by the entity they are about: the entities whose digest changed are computed again. Their
        digests are kept apart from the rows' (an entity the role sees nothing of has no row). Where a column
        names each entity (`Entities.key`), their rows are deleted by it and no row's state is kept."""
        assert t.entities is not None
        entities = f"{STATE}.main.{HOUSE.ident(f'{t.schema}.{t.table}{ENTITIES}')}"
        self.con.execute(f"create temp table now as select entity, digest from {t.entities.digests}")
        if whole:
            self.con.execute("create temp table todo as select * from now")
        else:
            self.con.execute(
                f"create temp table todo as select * from now where digest not in (select digest from {entities})"
            )
            self.con.execute(
                f"create temp table changed as select entity, digest from {entities} "
                "where digest not in (select digest from now) union all select entity, digest from todo"
            )
        self.con.execute(
            f"create temp table fresh as {self._computed('scope.digest', t)} from {t.entities.scoped('todo')}"
        )
        if whole:
            self._create(t, name, names, state, rows_state=t.entities.key is None)
            self.con.execute(f"create or replace table {entities} as select entity, digest from now")
        else:
            self.con.execute(f"delete from {entities} where digest in (select digest from changed)")
            self.con.execute(f"insert into {entities} select entity, digest from todo")
            if t.entities.key:
                column, value = t.entities.key
                named = f"select {value} from (select distinct entity from changed)"
                self._replace_changed(name, names, f"{HOUSE.ident(column)} in ({named})")
            else:
                self._update(name, names, state)
        self.con.execute("drop table now; drop table todo")

    def _replace_changed(self, name: str, names: str, stale: str) -> None:
        """Delete the rows `stale` (a WHERE condition over `changed`) names, then add `fresh`: a table whose
        changed rows are found by a column they keep (the entity's, or the source row's key)."""
        self.con.execute(f"delete from {name} where {stale}")
        self.con.execute(f"insert into {name} select {names} from fresh")
        self.con.execute("drop table changed")

    def _changed(self, source: str, digest: str, state: str) -> None:
        """`changed`: the digests whose number of source rows differs from the last build's (new ones,
        gone ones, and those whose copies came or went)."""
        self.con.execute(
            f"create temp table changed as select digest from "
            f"(select {digest} as digest, count(*) as n from {source} group by 1) as now "
            f"full join (select digest, count(*) as n from {state} group by 1) as was using (digest) "
            "where now.n is distinct from was.n"
        )

    def _exists(self, schema: str, table: str) -> bool:
        return bool(
            self.con.execute(
                "select count(*) from duckdb_tables() where database_name = current_database() "
                "and schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
        )

    def forget(self, kept: set[str]) -> None:
        """Only the tables this build updated through the state keep one (a table computed whole this time
        has rows the state knows nothing of)."""
        for (name,) in self.con.execute(f"select name from {SIGNATURES}").fetchall():
            if name not in kept:
                self.con.execute(f"drop table if exists {STATE}.main.{HOUSE.ident(name)}")
                self.con.execute(f"drop table if exists {STATE}.main.{HOUSE.ident(name + ENTITIES)}")
                self.con.execute(f"delete from {SIGNATURES} where name = ?", [name])

    @staticmethod
    def record(path: Path, warehouse: Path, policy: str) -> None:
        """After `warehouse` replaced the last one: record in the state at `path` which file it belongs to."""
        with connect(str(path)) as con:
            con.execute(
                "create or replace table built as select ? as warehouse, ? as policy", [_stat(warehouse), policy]
            )

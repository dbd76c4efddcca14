"""What every engine adapter offers the platform: dbt runs, warehouse reads, linkage and validation
workspaces. SQL handed to an adapter is written once, in DuckDB's dialect (the house dialect); an
adapter for another engine translates it with sqlglot."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.engines.dialects import Dialect
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa


class BuildFailed(RuntimeError):
    pass


class Engine(ABC):
    """One engine's way of running the platform's steps over one settings' lake and warehouse."""

    name: str
    sql: Dialect  # the SQL the engine speaks (its `name` is sqlglot's)
    # processes validating batches at once: each validates its share in scratch tables of its own
    validation_workers = 1
    # role warehouses built at once: 1 where the builds share one session (Spark's temporary views)
    role_build_workers = 1

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # dbt
    def dbt_variables(self) -> dict[str, str]:
        """The variables profiles.yml and the sources read, derived from the settings."""
        s = self.settings
        return {
            "GOVLAKE_WAREHOUSE": str(s.warehouse_path),
            "GOVLAKE_LAKE_ROOT": str(s.lake_root),
            "GOVLAKE_DBT_TARGET": s.dbt_target,
            "GOVLAKE_SPARK_WAREHOUSE_DIR": str(s.spark_warehouse_dir),
            "GOVLAKE_SPARK_METASTORE_DIR": str(s.spark_metastore_dir),
            "GOVLAKE_SPARK_MASTER": s.spark_master,
            "DBT_TARGET_PATH": str(s.data_root / "dbt-target"),
            "DBT_LOG_PATH": str(s.data_root / "dbt-target" / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
        }

    @abstractmethod
    def run_dbt(self, args: list[str], quiet: bool = True) -> str:
        """Run one dbt command; returns dbt's "PASS=… WARN=…" summary, raises BuildFailed with the errors."""

    # the warehouse
    def translate(self, sql: str) -> str:
        """House-dialect (DuckDB) SQL in this engine's dialect."""
        return sql

    @abstractmethod
    def query(self, sql: str) -> pa.Table:
        """Rows of a read-only house-dialect query over the warehouse (`schema.table` names)."""

    def scalar(self, sql: str):
        table = self.query(sql)
        return table.column(0)[0].as_py() if table.num_rows else None

    @abstractmethod
    def workspace(self) -> Workspace:
        """A scratch area beside the warehouse for a multi-step job (the linkage)."""

    @abstractmethod
    def batch_tables(self, run_id: str) -> BatchTables:
        """Where one validation run's batches become tables that Great Expectations validates."""

    @abstractmethod
    def has_mart(self, schema: str, table: str) -> bool:
        """Whether a build has left this mart in the warehouse, without creating the warehouse."""

    # role warehouses (pipelines.access)
    @abstractmethod
    def role_location(self, role: str) -> Path:
        """Where the role's warehouse lives: the privilege boundary an operator grants the role alone."""

    @abstractmethod
    def role_build(
        self, role: str, location: Path | None = None, full_refresh: bool = False, policy: str = ""
    ) -> RoleBuild:
        """A new warehouse for `role` (at `location`, default `role_location(role)`), updated from the last
        one where the engine can, unless `full_refresh` or the `policy` (a digest of the grants, masks and
        key) differs from the last build's."""

    @abstractmethod
    def role_reader(self, role: str | None) -> RoleReader:
        """A locked-down reader of the role's warehouse; `None`: the platform's own tables."""

    def close(self) -> None:  # noqa: B027 - an optional hook
        """Release what the adapter holds (sessions, files)."""


class Workspace(ABC):
    """Scratch tables for a multi-step job, next to the warehouse. Statements are house-dialect SQL;
    `create or replace table` makes a scratch table, or a warehouse table when named by `warehouse()`.
    Use it as a context manager: scratch tables go when it closes."""

    @abstractmethod
    def execute(self, sql: str) -> None: ...

    @abstractmethod
    def fetch(self, sql: str) -> list[tuple]: ...

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """An Arrow table as the scratch table `name`."""

    @abstractmethod
    def warehouse(self, schema: str, table: str) -> str:
        """How this workspace names the warehouse table `schema.table` (the schema is created if need be)."""

    @abstractmethod
    def columns(self, relation: str) -> list[str]: ...

    @abstractmethod
    def exists(self, relation: str) -> bool:
        """Whether the warehouse table named by `warehouse()` exists (an earlier run wrote it)."""

    @abstractmethod
    def splink_api(self):
        """Splink's database API over this workspace: its tables are visible to Splink by name."""

    def changed_keys(self, table: str, state: str, key: str) -> str:
        """SQL: the `key` of every row of `table` that the table `state` (same columns) lacks as it is. Here
        by comparing every column."""
        return f"select distinct {key} from (select * from {table} except select * from {state}) as c"

    def sync_table(self, table: str, source: str, key: str, changed: str) -> None:
        """Make the warehouse table `table` a copy of `source` (same columns) again, where only the rows
        whose `key` the table `changed` lists (changed, new or gone) differ. Here it is copied whole, as a
        table that cannot delete rows must be."""
        self.execute(f"create or replace table {table} as select * from {source}")

    def set_aside(self, table: str, aside: str) -> None:
        """The warehouse table `table` as it is now, as the warehouse table `aside`, before `table` is
        written again. Here by a copy."""
        self.execute(f"create or replace table {aside} as select * from {table}")

    def replace_rows(self, table: str, stale: str, fresh: str | None = None) -> None:
        """Drop the rows of the warehouse table `table` that the condition `stale` selects and append those
        the SELECT `fresh` gives (in the table's columns). Here through a copy of the rows kept
        (`<table>_kept`): a table that cannot delete rows cannot be read and replaced at once either."""
        kept = f"{table}_kept"
        self.execute(f"create or replace table {kept} as select * from {table} where not ({stale})")
        self.execute(f"create or replace table {table} as select * from {kept}{f' union all {fresh}' if fresh else ''}")

    def close(self) -> None: ...  # noqa: B027 - an optional hook

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


DBT_FLAGS = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]


def run_dbt_process(variables: dict[str, str], args: list[str], quiet: bool = True, cwd: Path | None = None) -> str:
    """One dbt command in its own process (the embedded engine, and a Spark Thrift server target)."""
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, **variables}
    proc = subprocess.run([str(dbt), *args, *DBT_FLAGS], capture_output=True, text=True, check=False, env=env, cwd=cwd)
    if not quiet:
        print(proc.stdout, end="")
    lines = proc.stdout.splitlines()
    if proc.returncode != 0:
        raise BuildFailed(f"dbt {' '.join(args)} failed:\n  {dbt_problems(lines) or proc.stderr[-2000:]}")
    return dbt_summary(lines)


def run_dbt_in_process(variables: dict[str, str], args: list[str], quiet: bool = True) -> str:
    """One dbt command in this process: dbt's start-up (about 2 s of imports) is paid once per process, not
    once per command. `variables`: the environment dbt reads, set for the command only."""
    lines: list[str] = []

    def collect(event) -> None:
        if event.info.level in ("info", "warn", "error"):
            lines.append(event.info.msg)

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        from dbt.cli.main import dbtRunner

        with temporary_environment(variables):
            result = dbtRunner(callbacks=[collect]).invoke([*args, *DBT_FLAGS, *(["--quiet"] if quiet else [])])
    finally:  # importing dbt gives the root logger a handler on stderr: every library's INFO lines would print
        root.handlers[:] = handlers
        root.setLevel(level)
    if not result.success:
        raise BuildFailed(f"dbt {' '.join(args)} failed:\n  {dbt_problems(lines) or result.exception}")
    return dbt_summary(lines)


def dbt_summary(lines: list[str]) -> str:
    done = [line for line in lines if "Done. PASS=" in line]
    return done[-1].split("Done. ", 1)[1] if done else ""


def dbt_problems(lines: list[str]) -> str:
    problems = [line for line in lines if "ERROR" in line or "FAIL" in line or "Error" in line]
    return "\n  ".join(problems[-20:])


class temporary_environment:
    """Set environment variables for the duration of a `with` block (in-process dbt reads them)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values, self.saved = values, {}

    def __enter__(self) -> None:
        self.saved = {k: os.environ.get(k) for k in self.values}
        os.environ.update(self.values)

    def __exit__(self, *exc) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class BatchTables(ABC):
    """One validation run's lake batches as tables, written in the engine's own dialect (the standards
    engine compiles for both), and the Great Expectations datasource that reads them."""

    dialect: Dialect  # of `create` and `keys` SQL

    @abstractmethod
    def lake_files(self, glob: str) -> str:
        """A relation over the lake's Parquet files matching `glob` (columns merged by name)."""

    @abstractmethod
    def create(self, name: str, sql: str) -> int:
        """Materialise `sql` as the table `name`; returns its row count."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """An Arrow table as the table `name` (the standards' code table), visible to every query after."""

    @abstractmethod
    def count(self, relation: str) -> int: ...

    @abstractmethod
    def gx_batch(self, context, name: str) -> tuple:
        """(batch definition, batch parameters) of the table `name` for a validation definition. Call
        only after every `create`: a SQL engine then holds the tables open with its own settings."""

    @abstractmethod
    def rows(self, sql: str) -> list[dict]:
        """The rows of `sql` over the tables (failing rows)."""

    def keys(self, sql: str) -> list[str]:
        """The first column of `sql` over the tables, as text (failing record keys)."""
        return [str(next(iter(r.values()))) for r in self.rows(sql)]

    def close(self) -> None: ...  # noqa: B027 - an optional hook

    def __enter__(self) -> BatchTables:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RejectedQuery(ValueError):
    """The engine (or, on Spark, the query guard) refused a role's query; the message is the engine's own."""


@dataclass(frozen=True)
class RoleTable:
    """One table of a role's warehouse, `select <columns> from <source>`.

    `row_inputs` names the aliases of `source` whose columns the select reads when each row of the table
    is computed from one row of `source` alone: a build that keeps the last one may then compute only the
    rows whose source rows changed (under disclosure control the source joins each row's cell, so a row
    depends on its cell's side of k, not on the whole table). Empty when a row depends on others: the
    table is computed whole. `entities`: kept entity by entity instead (`Entities`); `row_key`: row by row,
    each row named by columns it keeps from its source row (`RowKey`)."""

    schema: str
    table: str
    select: str
    source: str
    columns: tuple[tuple[str, str], ...]  # (name, house-dialect SQL over `source`)
    row_inputs: tuple[str, ...] = ()
    entities: Entities | None = None
    row_key: RowKey | None = None


@dataclass(frozen=True)
class RowKey:
    """Columns that name each row of a role's table one to one, kept as they are from its source row (a
    staging row's load and row number), where that row is all the key and `version` (the code that made
    the source) decide: a build then compares the keys of the source with those of the table, and computes
    and deletes the rows of the keys that came, went or changed in number, without digesting any row.
    `alias` is the source's alias in the table's FROM. The last column is a number (the row number): keys
    are compared block by block first (`block` consecutive numbers), and key by key only in the blocks
    that differ."""

    columns: tuple[str, ...]
    alias: str
    version: str
    block: int = 64


@dataclass(frozen=True)
class Entities:
    """A role's table whose rows are about entities (people, legal entities) and change only with them.

    `digests` is a relation of (entity, digest), one row per entity, whose digest changes whenever a row the
    role's table holds of that entity could: the subject databases keep such digests of each entity's input
    (`int_*_digests`), so a build compares a million digests per table instead of digesting every row of the
    table's source for every role. `scoped(relation)` is the table's FROM limited to the entities listed in
    `relation` (columns entity, digest), joined as `scope`. `version` names the code that made the digested
    tables: when it changes the table is computed whole. `key`: the table's column that names each entity
    one to one (its pseudonym, or its id as it is) and that value's SQL over a column `entity`: the rows of
    a changed entity are then deleted by it, one column read, not by a hash of every row (None: the id is
    masked, many entities to one value)."""

    digests: str
    scoped: Callable[[str], str]
    version: str
    key: tuple[str, str] | None = None


class RoleBuild(ABC):
    """A role's warehouse being built apart from the last good one, which it replaces only on `commit`.
    Statements are house-dialect SQL over the platform's tables, named by `platform()`."""

    def refresh(self, t: RoleTable) -> tuple[int, int]:
        """The role's table `t`, computed whole unless the adapter can update it from its last build:
        (its rows, the rows computed now)."""
        rows = self.create(t.schema, t.table, t.select)
        return rows, rows

    @abstractmethod
    def platform(self, schema: str, table: str) -> str:
        """How the build's SQL names the platform table `schema.table`."""

    @abstractmethod
    def columns(self, relation: str) -> list[str]:
        """Column names of a relation or a parenthesised query."""

    @abstractmethod
    def exists(self, relation: str) -> bool: ...

    @abstractmethod
    def register_pseudonym(self, pseudonymise) -> None:
        """`pseudonym(kind, value)` in the build's SQL, computed by `pseudonymise` (a `Pseudonymiser`)."""

    @abstractmethod
    def rows(self, select: str) -> list[tuple]:
        """The rows of a house-dialect query over the platform's tables (a measurement, not a table)."""

    @abstractmethod
    def scratch(self, name: str, select: str) -> str:
        """The rows of `select` computed once, for this build's statements to read by the name returned
        (never in the role's warehouse): a costly relation several statements need."""

    @abstractmethod
    def create(self, schema: str, table: str, select: str) -> int:
        """The role's table `schema.table` as the rows of `select`; returns its row count."""

    @abstractmethod
    def write(self, schema: str, table: str, columns: dict[str, str], rows: list[tuple]) -> None:
        """A small table from Python rows; `columns` maps names to `string` or `date`."""

    @abstractmethod
    def commit(self) -> None:
        """Replace the role's warehouse with this build."""

    @abstractmethod
    def discard(self) -> None: ...

    def __enter__(self) -> RoleBuild:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


class RoleReader(ABC):
    """A read-only view of one role's warehouse (or, for the administrator, the platform's) that cannot
    reach anything else: no other table, no file, no configuration."""

    @abstractmethod
    def execute(self, sql: str) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of one house-dialect query; `RejectedQuery` when refused or failed."""

    @abstractmethod
    def interrupt(self) -> None:
        """Cancel the query `execute` is running (from another thread): it fails with `RejectedQuery`."""

    def close(self) -> None: ...  # noqa: B027 - an optional hook

    def __enter__(self) -> RoleReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

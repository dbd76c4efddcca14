"""Build one role's warehouse: a separate DuckDB file holding only what the role may read.

DuckDB has no privilege boundary inside one database file, so views over the platform's tables
would not keep anything from a reader of that file; the boundary is the file. The build is planned
in full before anything is written — a column without a masking rule stops it (`MaskingMissing`)
— and the new file replaces the old one atomically, so a failed build leaves the last good one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.access.columns import (
    Classification,
    MaskingMissing,
    OutputColumn,
    classify_mart_columns,
    shared_columns,
)
from pipelines.access.policy import Grant, RoleKind, grants, load_access
from pipelines.catalog.loader import load_catalog
from pipelines.catalog.models import Catalog
from pipelines.privacy.masking import MASKING_VERSION, load_masking
from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.quality.validate import current_failing_keys_sql
from pipelines.settings import Settings, get_settings
from pipelines.standards.sql import DUCKDB

PLATFORM = "platform"


@dataclass(frozen=True)
class SubjectTable:
    """A subject-database mart and how a role's grants reach its rows and values.

    `lineage` marts are shown per value (a value is visible when the record it came from is); the
    others per row (`row_source`: the columns naming the department and resource of the row)."""

    subject: str
    schema: str
    table: str
    lineage: str | None = None
    row_source: tuple[str, str] | None = None


SUBJECT_TABLES = (
    SubjectTable("population", "population", "persons", lineage="person_attribute_lineage"),
    SubjectTable("legal_entities", "legal_entities", "legal_entities", lineage="entity_attribute_lineage"),
    SubjectTable("licences", "licences", "licences", row_source=("issuing_department", "licence_type")),
)


@dataclass
class BuildReport:
    role: str
    path: Path
    as_of: date
    grants: list[Grant]
    tables: dict[str, int] = field(default_factory=dict)


def role_warehouse_path(role: str, settings: Settings | None = None) -> Path:
    # not <role>.duckdb: the file's catalogue would take the role's name and shadow the schema of that name
    return (settings or get_settings()).access_root / f"warehouse_{role}.duckdb"


def _grants_values(gs: list[Grant]) -> str:
    rows = ", ".join(f"('{g.department}', '{g.resource}', '{g.mode}')" for g in gs)
    return (
        f"(values {rows}) as grants(department, resource, mode)"
        if gs
        else "(select null, null, null where false) as grants(department, resource, mode)"
    )


def _subject_select(
    t: SubjectTable, cols: dict[str, Classification], gs: list[Grant], id_column: str
) -> tuple[str, list[OutputColumn]]:
    """SELECT of a mart for a role: rows reached by a grant, each value masked unless the role owns it."""
    spec = load_masking()
    if t.lineage:
        source = (
            f"(select l.{id_column}, list(l.attribute) as seen, "
            f"coalesce(list(l.attribute) filter (where grants.mode = 'own'), []) as own "
            f"from {PLATFORM}.{t.schema}.{t.lineage} as l join {_grants_values(gs)} using (department, resource) "
            f"group by l.{id_column}) as vis"
        )
        frm = f"{PLATFORM}.{t.schema}.{t.table} as m join {source} using ({id_column})"

        def seen(a: str | None) -> str:
            return "true" if a is None else f"list_contains(vis.seen, '{a}')"

        def own(a: str | None) -> str:
            return "false" if a is None else f"list_contains(vis.own, '{a}')"
    else:
        dept_col, res_col = t.row_source or ("", "")
        frm = (
            f"{PLATFORM}.{t.schema}.{t.table} as m join {_grants_values(gs)} "
            f"on m.{dept_col} = grants.department and m.{res_col} = grants.resource"
        )

        def seen(a: str | None) -> str:
            return "true"

        def own(a: str | None) -> str:
            return "grants.mode = 'own'"

    def pseudonymised(name: str, c: Classification, raw: str) -> OutputColumn:
        sql = f"case when {seen(c.attribute)} then pseudonym('{c.pseudonym}', {raw}) end"
        return OutputColumn(name, sql, f"pseudonym:{c.pseudonym}")

    out: list[OutputColumn] = []
    for name, c in cols.items():
        raw = f"m.{DUCKDB.ident(name)}"
        if c.replace_with_pseudonym:
            out.append(pseudonymised(f"{name.removesuffix('_id')}_pseudonym", c, raw))
            continue
        if c.rule is None or not spec.rule(c.rule).masks:
            out.append(OutputColumn(name, f"case when {seen(c.attribute)} then {raw} end", "kept"))
        else:
            masked = spec.rule(c.rule).sql(raw)
            out.append(
                OutputColumn(
                    name,
                    f"case when {own(c.attribute)} then cast({raw} as varchar) when {seen(c.attribute)} then {masked} end",
                    f"mask:{c.rule}",
                )
            )
        if c.pseudonym:
            out.append(pseudonymised(f"{name}_pseudonym", c, raw))
    return frm, out


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe {relation}").fetchall()]


def _exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    database, schema, table = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?",
            [database, schema, table],
        ).fetchone()[0]
    )


def _plan(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, gs: list[Grant], settings: Settings
) -> list[tuple[str, str, str, list[OutputColumn]]]:
    """(schema, table, FROM clause, columns) of every table of the role's warehouse, or `MaskingMissing`."""
    problems: list[str] = []
    plan = []
    for g in gs:
        resource = catalog.resource(g.department, g.resource)
        relation = f"{PLATFORM}.staging.stg_{g.department}__{g.resource}"
        names = _columns(con, relation)
        if g.mode == "own":
            cols = [OutputColumn(n, DUCKDB.ident(n), "kept (own data)") for n in names]
        else:
            cols = shared_columns(resource, names, g.table, problems)
        plan.append((g.department, g.resource, relation, cols))
    for t in SUBJECT_TABLES:
        relation = f"{PLATFORM}.{t.schema}.{t.table}"
        names = _columns(con, relation)
        classes = classify_mart_columns(catalog, t.subject, t.schema, t.table, names, problems)
        frm, cols = _subject_select(t, classes, gs, names[0])
        plan.append((t.schema, t.table, frm, cols))
    if problems:
        raise MaskingMissing(problems)
    own = sorted({g.department for g in gs if g.mode == "own"})
    scored = f"{PLATFORM}.quality.fct_quality_results"
    keys = current_failing_keys_sql(settings, scored) if own and _exists(con, scored) else None
    if keys is not None:
        departments = ", ".join(f"'{d}'" for d in own)
        cols = [OutputColumn(n, DUCKDB.ident(n), "kept (own data)") for n in _columns(con, f"({keys})")]
        plan.append(("quality", "failing_keys", f"({keys}) where department in ({departments})", cols))
    return plan


def build_role_warehouse(
    role: str, on: date | None = None, settings: Settings | None = None, path: Path | None = None
) -> BuildReport:
    """Build (replace) the role's warehouse (default `<access_root>/warehouse_<role>.duckdb`) from the
    platform warehouse and the role's grants on day `on`."""
    settings = settings or get_settings()
    on = on or date.today()
    spec = load_access()
    if role not in spec.roles:
        raise KeyError(f"unknown role {role!r}; roles: {', '.join(spec.roles)}")
    if spec.roles[role].kind is RoleKind.ADMINISTRATOR:
        raise ValueError("the administrator reads the platform warehouse itself; there is nothing to build")
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(
            f"no DuckDB warehouse at {settings.warehouse_path}: role warehouses are built from the embedded "
            "engine's subject databases (not yet from Spark tables: docs/spark.md)"
        )
    catalog = load_catalog()
    gs = grants(role, on, catalog, spec)
    target = path or role_warehouse_path(role, settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"building_{target.name}")
    tmp.unlink(missing_ok=True)
    report = BuildReport(role, target, on, gs)
    try:
        with duckdb.connect(str(tmp)) as con:
            Pseudonymiser.from_settings(settings).register(con)
            con.execute(f"attach '{settings.warehouse_path}' as {PLATFORM} (read_only)")
            plan = _plan(con, catalog, gs, settings)
            treatments = []
            for schema, table, frm, cols in plan:
                con.execute(f"create schema if not exists {DUCKDB.ident(schema)}")
                select = ", ".join(f"{c.sql} as {DUCKDB.ident(c.name)}" for c in cols)
                con.execute(f"create table {DUCKDB.ident(schema)}.{DUCKDB.ident(table)} as select {select} from {frm}")
                report.tables[f"{schema}.{table}"] = con.execute(
                    f"select count(*) from {DUCKDB.ident(schema)}.{DUCKDB.ident(table)}"
                ).fetchone()[0]
                treatments += [(schema, table, c.name, c.treatment) for c in cols]
            con.execute("detach " + PLATFORM)
            _write_manifest(con, role, on, gs, treatments)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return report


def _write_manifest(con, role: str, on: date, gs: list[Grant], treatments: list[tuple[str, str, str, str]]) -> None:
    """`_access.*`: what this file holds and why — grants, how each column was treated, the build."""
    con.execute("create schema _access")
    con.execute(
        "create table _access.grants (department varchar, resource varchar, mode varchar, basis varchar, "
        "approval_id varchar, expires_on date)"
    )
    con.executemany(
        "insert into _access.grants values (?, ?, ?, ?, ?, ?)",
        [(g.department, g.resource, g.mode, g.basis, g.approval_id, g.expires_on) for g in gs],
    )
    con.execute(
        "create table _access.columns (schema_name varchar, table_name varchar, column_name varchar, treatment varchar)"
    )
    con.executemany("insert into _access.columns values (?, ?, ?, ?)", treatments)
    built = {
        "role": role,
        "as_of": on.isoformat(),
        "built_at": datetime.now(UTC).isoformat(),
        "masking": MASKING_VERSION,
    }
    con.execute(
        "create table _access.build as select * from (values (?, ?, ?, ?)) t(role, as_of, built_at, masking_version)",
        list(built.values()),
    )


def build_all(on: date | None = None, settings: Settings | None = None) -> list[BuildReport]:
    """Every non-administrator role's warehouse."""
    reports = []
    for name, r in load_access().roles.items():
        if r.kind is not RoleKind.ADMINISTRATOR:
            reports.append(build_role_warehouse(name, on, settings))
    return reports

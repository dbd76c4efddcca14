"""Build one role's warehouse: a separate store holding only what the role may read.

The engine's adapter decides what the store is (a DuckDB file; on Spark a directory of Parquet tables)
and so where the privilege boundary lies; this module decides what goes in it. The build is planned in
full before anything is written — a column without a masking rule stops it (`MaskingMissing`) — and the
new store replaces the old one only when complete, so a failed build leaves the last good one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from pipelines import clock
from pipelines.access.columns import (
    Classification,
    MaskingMissing,
    OutputColumn,
    classify_mart_columns,
    shared_columns,
)
from pipelines.access.disclosure import (
    RISK_COLUMNS,
    DisclosureRisk,
    Risk,
    cell_joined,
    cells_select,
    generalised,
    quasi_identifiers,
    risk_sql,
    suppressed_select,
)
from pipelines.access.policy import AccessSpec, Grant, RoleKind, grants, load_access
from pipelines.catalog.loader import load_catalog
from pipelines.catalog.models import Catalog
from pipelines.engines import engine_for
from pipelines.engines.base import Entities, RoleBuild, RoleTable, RowKey
from pipelines.engines.dialects import HOUSE
from pipelines.privacy.keys import key_version
from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.quality.validate import current_failing_keys_sql
from pipelines.settings import Settings, get_settings
from pipelines.standards.masking import MASKING_VERSION, load_masking
from pipelines.transform.build import built_code


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
    history: str | None = None  # its `*_history` mart: each value with when it held and where it came from
    # the intermediate models digesting each entity's input to the lineage (and the current values) and to
    # the history: a role's rows of an entity change only when these do (`Entities`)
    digests: tuple[str, str] | None = None


SUBJECT_TABLES = (
    SubjectTable(
        "population",
        "population",
        "persons",
        lineage="person_attribute_lineage",
        history="persons_history",
        digests=("int_person_value_digests", "int_person_history_digests"),
    ),
    SubjectTable(
        "legal_entities",
        "legal_entities",
        "legal_entities",
        lineage="entity_attribute_lineage",
        history="legal_entities_history",
        digests=("int_entity_value_digests", "int_entity_history_digests"),
    ),
    SubjectTable(
        "licences",
        "licences",
        "licences",
        row_source=("issuing_department", "licence_type"),
        history="licences_history",
    ),
)
FILE = "(the file: copied, manifest written, replaced)"
# columns of a history mart shared as they are; its record ids (which carry record keys) are not shared
HISTORY_KEPT = ("attribute", "valid_from", "valid_to", "department", "resource", "is_authority")


@dataclass
class BuildReport:
    role: str
    path: Path
    as_of: date
    grants: list[Grant]
    tables: dict[str, int] = field(default_factory=dict)
    computed: dict[str, int] = field(default_factory=dict)  # rows computed now; the others kept from the last build
    seconds: dict[str, float] = field(default_factory=dict)  # per table, and the file's copy and replacement


def role_warehouse_path(role: str, settings: Settings | None = None) -> Path:
    return engine_for(settings or get_settings()).role_location(role)


def _grants_values(gs: list[Grant]) -> str:
    rows = ", ".join(f"('{g.department}', '{g.resource}', '{g.mode}')" for g in gs)
    return (
        f"(values {rows}) as grants(department, resource, mode)"
        if gs
        else "(select null, null, null where false) as grants(department, resource, mode)"
    )


def _subject_select(
    build: RoleBuild,
    t: SubjectTable,
    cols: dict[str, Classification],
    gs: list[Grant],
    id_column: str,
    visibility_once: bool = False,
) -> tuple[str, list[OutputColumn], Callable[[str | None], str] | None]:
    """SELECT of a mart for a role: rows reached by a grant, each value masked unless the role owns it.
    `visibility_once`: what each entity shows the role is computed once for the whole table (`scratch`),
    for a build that reads the whole table's FROM several times (disclosure control: cells, digests, rows)."""
    spec = load_masking()
    if t.lineage:
        # the attributes a role sees (and owns) of each entity as the bits of an integer: an aggregate of
        # integers, not of lists, since every build digests it for every entity of every role
        bits = {a: 1 << i for i, a in enumerate(sorted({c.attribute for c in cols.values() if c.attribute}))}
        bit = f"cast(case l.attribute {' '.join(f'when {HOUSE.lit(a)} then {b}' for a, b in bits.items())} else 0 end as bigint)"

        def visibility(scoped: str = "") -> str:
            return (
                f"select l.{id_column}, bit_or({bit}) as seen, "
                f"coalesce(bit_or({bit}) filter (where grants.mode = 'own'), 0) as own "
                f"from {build.platform(t.schema, t.lineage)} as l join {_grants_values(gs)} using (department, resource)"
                f"{scoped} group by l.{id_column}"
            )

        whole = (
            build.scratch(f"_visibility_{t.schema}_{t.table}", visibility()) if visibility_once else f"({visibility()})"
        )

        def frm_of(scope: str | None) -> str:
            """FROM the mart and the values each entity shows the role; of the entities in `scope` only."""
            source = (
                whole if scope is None else f"({visibility(f' where l.{id_column} in (select entity from {scope})')})"
            )
            joined = "" if scope is None else f"join {scope} as scope on scope.entity = m.{id_column} "
            return f"{build.platform(t.schema, t.table)} as m {joined}join {source} as vis using ({id_column})"

        frm = frm_of(None)

        def seen(a: str | None) -> str:
            return "true" if a is None else f"(vis.seen & {bits[a]}) != 0"

        def own(a: str | None) -> str:
            return "false" if a is None else f"(vis.own & {bits[a]}) != 0"
    else:
        dept_col, res_col = t.row_source or ("", "")
        frm = (
            f"{build.platform(t.schema, t.table)} as m join {_grants_values(gs)} "
            f"on m.{dept_col} = grants.department and m.{res_col} = grants.resource"
        )

        def seen(a: str | None) -> str:
            return "true"

        def own(a: str | None) -> str:
            return "grants.mode = 'own'"

        frm_of = None

    def pseudonymised(name: str, c: Classification, raw: str) -> OutputColumn:
        sql = f"case when {seen(c.attribute)} then pseudonym('{c.pseudonym}', {raw}) end"
        return OutputColumn(name, sql, f"pseudonym:{c.pseudonym}")

    out: list[OutputColumn] = []
    for name, c in cols.items():
        raw = f"m.{HOUSE.ident(name)}"
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
    return frm, out, frm_of


def _entities(
    build: RoleBuild, t: SubjectTable, which: int, id_column: str, frm_of, version: str, identity: Classification,
    column: str,
) -> Entities | None:  # fmt: skip
    """How the role's table of `t` (0: the current one, 1: the history) is kept entity by entity, when the
    platform keeps the digests of its entities' input; `frm_of(scope)` is the table's FROM, `version` the
    code that built the marts, `identity` how `id_column` is shared and `column` its name in the table."""
    if frm_of is None or t.digests is None or not build.exists(build.platform("intermediate", t.digests[which])):
        return None
    # the golden record is kept entity by entity from the same digests as its lineage, and carries its own
    # (a warehouse whose marts were built by older code has none: its table is computed whole)
    digests = build.platform(t.schema, t.table) if which == 0 else build.platform("intermediate", t.digests[which])
    if "input_digest" not in build.columns(digests):
        return None
    return Entities(
        f"(select {id_column} as entity, hash({id_column}, input_digest) as digest from {digests}) as e",
        frm_of,
        version,
        None if _masks(identity) else (column, _shared_value(identity, "entity")),
    )


def _history_select(
    build: RoleBuild, t: SubjectTable, cols: dict[str, Classification], gs: list[Grant], id_column: str
) -> tuple[str, list[OutputColumn], Callable[[str | None], str] | None]:
    """SELECT of a history mart for a role: a value is seen when the record it came from is granted, and
    treated as the same attribute is in the current table (masked, or a pseudonym), unless the role owns
    that record."""
    assert t.history is not None

    def frm_of(scope: str | None) -> str:
        joined = "" if scope is None else f"join {scope} as scope on scope.entity = h.{id_column} "
        return (
            f"{build.platform(t.schema, t.history)} as h {joined}join {_grants_values(gs)} "
            f"on h.department = grants.department and h.resource = grants.resource"
        )

    frm = frm_of(None)
    value = "h.attribute_value"
    cases = [
        f"when '{attribute}' then {shared}"
        for attribute, c in cols.items()
        if attribute != id_column and (shared := _shared_value(c, value)) != value
    ]
    shared = f"case h.attribute {' '.join(cases)} else {value} end" if cases else value
    identity = cols.get(id_column, Classification(None))
    name = f"{id_column.removesuffix('_id')}_pseudonym" if identity.replace_with_pseudonym else id_column
    out = [
        OutputColumn(name, _shared_value(identity, f"h.{id_column}"), _treatment(identity)),
        OutputColumn(
            "attribute_value",
            f"case when grants.mode = 'own' then cast({value} as varchar) else {shared} end",
            "as the attribute in the current table",
        ),
        *(OutputColumn(n, f"h.{n}", "kept") for n in HISTORY_KEPT),
    ]
    return frm, out, frm_of


def _masks(c: Classification) -> bool:
    """Whether `_shared_value` masks the value (many values to one), rather than pseudonymising or keeping it."""
    return not c.replace_with_pseudonym and c.rule is not None and load_masking().rule(c.rule).masks


def _treatment(c: Classification) -> str:
    """How `_shared_value` treats a value, as the manifest says it."""
    if c.replace_with_pseudonym:
        return f"pseudonym:{c.pseudonym}"
    return f"mask:{c.rule}" if _masks(c) else "kept"


def _shared_value(c: Classification, raw: str) -> str:
    """A value as a role that does not own it sees it: a pseudonym, masked, or as it is."""
    if c.replace_with_pseudonym:
        return f"pseudonym('{c.pseudonym}', {raw})"
    if _masks(c):
        return load_masking().rule(c.rule).sql(raw)
    return raw


# what names a staging row one to one (within its resource) and, with the staging code, decides it
STAGING_ROW_KEY = ("load_id", "source_row_number")
# a department's own rows of these quality marts, whole: its records followed for rectification, its quality
# by division in every period (the site shows the newest quarter's) and the division each record counted in,
# and its deliveries the gate held back
OWN_QUALITY_TABLES = ("rectification", "division_scores", "record_divisions", "held_deliveries")
RULE_SAMPLE_COLUMNS = ("department", "resource", "load_id", "column_name", "rule", "validated_at", "masked_samples")


def _plan(
    build: RoleBuild, catalog: Catalog, gs: list[Grant], settings: Settings, controlled: bool = False
) -> list[Planned]:
    """Every table of the role's warehouse, or `MaskingMissing`. A role under disclosure (`controlled`)
    has no history: a person's values over time single them out far more than one day's."""
    problems: list[str] = []
    plan, version, staging_code = [], built_code(settings), built_code(settings, "staging")
    for g in gs:
        resource = catalog.resource(g.department, g.resource)
        relation = build.platform("staging", f"stg_{g.department}__{g.resource}")
        names = build.columns(relation)
        if g.mode == "own":
            cols = [OutputColumn(n, HOUSE.ident(n), "kept (own data)") for n in names]
        else:
            cols = shared_columns(resource, names, g.table, problems)
        key = RowKey(STAGING_ROW_KEY, "s", staging_code)
        plan.append(Planned(g.department, g.resource, f"{relation} as s", cols, ("s",), row_key=key))
    for t in SUBJECT_TABLES:
        names = build.columns(build.platform(t.schema, t.table))
        classes = classify_mart_columns(catalog, t.subject, t.schema, t.table, names, problems)
        frm, cols, frm_of = _subject_select(build, t, classes, gs, names[0], visibility_once=controlled)
        identity = classes.get(names[0], Classification(None))
        entities = _entities(build, t, 0, names[0], frm_of, version, identity, cols[0].name)
        plan.append(Planned(t.schema, t.table, frm, cols, ("m", "vis") if t.lineage else ("m", "grants"), entities))
        if t.history and not controlled and build.exists(build.platform(t.schema, t.history)):
            frm, cols, frm_of = _history_select(build, t, classes, gs, names[0])
            entities = _entities(build, t, 1, names[0], frm_of, version, identity, cols[0].name)
            plan.append(Planned(t.schema, t.history, frm, cols, ("h", "grants"), entities))
    if problems:
        raise MaskingMissing(problems)
    own = sorted({g.department for g in gs if g.mode == "own"})
    scored = build.platform("quality", "fct_quality_results")
    if own and build.exists(scored):  # what the public site does not show: the department's own failing records
        departments = ", ".join(f"'{d}'" for d in own)
        sample_cols = [OutputColumn(n, HOUSE.ident(n), "kept (own data)") for n in RULE_SAMPLE_COLUMNS]
        plan.append(
            Planned(
                "quality",
                "rule_samples",
                _rows_of(scored, f"department in ({departments}) and masked_samples != '[]'", "q"),
                sample_cols,
                ("q",),
            )
        )
        keys = current_failing_keys_sql(settings, scored)
        if keys is not None:
            cols = [OutputColumn(n, HOUSE.ident(n), "kept (own data)") for n in build.columns(f"({keys}) as k")]
            plan.append(
                Planned(
                    "quality",
                    "failing_keys",
                    _rows_of(f"({keys}) as k", f"department in ({departments})", "k"),
                    cols,
                    ("k",),
                )
            )
        for table in OWN_QUALITY_TABLES:
            relation = build.platform("quality", table)
            if build.exists(relation):
                cols = [OutputColumn(n, HOUSE.ident(n), "kept (own data)") for n in build.columns(relation)]
                plan.append(
                    Planned(
                        "quality",
                        table,
                        _rows_of(relation, f"department in ({departments})", "q"),
                        cols,
                        ("q",),
                    )
                )
        disputes = build.platform("quality", "disputes")
        if build.exists(disputes):
            where = DISPUTE_PARTIES % (departments, departments)
            plan.append(
                Planned(
                    "quality",
                    "disputes",
                    _rows_of(f"{disputes} as d", where, "d"),
                    _dispute_columns(departments),
                    ("d",),
                )
            )
    return plan


def _rows_of(relation: str, where: str, alias: str) -> str:
    """FROM the rows of `relation` that `where` selects, as `alias`: a table of these rows whose alias is
    its row input is kept row by row (a day's changed rows computed), not copied whole each build."""
    return f"(select * from {relation} where {where}) as {alias}"


class Planned(NamedTuple):
    """A table of a role's warehouse: its FROM clause, its columns, the FROM's aliases each row is computed
    from, and how it is kept entity by entity where it can be."""

    schema: str
    table: str
    frm: str
    columns: list[OutputColumn]
    row_inputs: tuple[str, ...]
    entities: Entities | None = None
    row_key: RowKey | None = None


# a department's disputes: those routed to it as the authority, and those about its own records
DISPUTE_PARTIES = "d.authority_department in (%s) or d.department in (%s)"
DISPUTE_KEPT = (
    "dispute_id", "subject", "attribute", "status", "opened_on", "resolved_on", "age_days",
    "authority_department", "authority_resource", "department", "resource",
)  # fmt: skip
# each side's record and value, shown to that side only: neither sees the other's value
DISPUTE_SIDES = {
    "authority_record_id": "authority_department",
    "authority_value": "authority_department",
    "source_record_id": "department",
    "attribute_value": "department",
}


def _dispute_columns(departments: str) -> list[OutputColumn]:
    kept = [OutputColumn(n, f"d.{HOUSE.ident(n)}", "kept (dispute)") for n in DISPUTE_KEPT]
    sides = [
        OutputColumn(n, f"case when d.{side} in ({departments}) then d.{HOUSE.ident(n)} end", "own side only")
        for n, side in DISPUTE_SIDES.items()
    ]
    return kept + sides


def build_role_warehouse(
    role: str,
    settings: Settings | None = None,
    path: Path | None = None,
    full_refresh: bool = False,
    catalog: Catalog | None = None,
    spec: AccessSpec | None = None,
) -> BuildReport:
    """Build (replace) the role's warehouse (default: where the engine keeps it, `role_warehouse_path`)
    from the platform's subject databases and the role's grants today (the real date). Where the engine
    keeps the last build's rows, only rows whose source changed are computed, unless `full_refresh`.
    `catalog` and `spec` (the roles and approvals): as read already, by a build of every role."""
    settings = settings or get_settings()
    on = clock.today()
    spec = spec or load_access()
    if role not in spec.roles:
        raise KeyError(f"unknown role {role!r}; roles: {', '.join(spec.roles)}")
    if spec.roles[role].kind is RoleKind.ADMINISTRATOR:
        raise ValueError("the administrator reads the platform warehouse itself; there is nothing to build")
    catalog = catalog or load_catalog()
    gs = grants(role, on, catalog, spec)
    engine = engine_for(settings)
    report = BuildReport(role, path or engine.role_location(role), on, gs)
    masking = load_masking()
    control = (
        masking.disclosure_control if masking.disclosure_control and role in masking.disclosure_control.roles else None
    )
    pseudonymiser = Pseudonymiser.for_purpose(f"role/{role}", settings)
    started = time.perf_counter()
    with engine.role_build(role, path, full_refresh, _policy(gs, masking, pseudonymiser)) as build:
        build.register_pseudonym(pseudonymiser)
        plan = _plan(build, catalog, gs, settings, controlled=control is not None)
        treatments, risks = [], []
        for schema, table, frm, planned, row_inputs, entities, row_key in plan:
            cols = generalised(planned, control) if control else planned
            select = f"select {', '.join(f'{c.sql} as {HOUSE.ident(c.name)}' for c in cols)} from {frm}"
            qis = quasi_identifiers(cols, control) if control else []
            if qis:  # whether a row is suppressed depends on its cell: each row joins its cell's side of k
                cells = build.scratch(f"_cells_{schema}_{table}", cells_select(frm, cols, qis))
                select, risk = _controlled(build, f"{schema}.{table}", select, cols, qis, control, cells)
                risks.append(risk)
                frm, cols = cell_joined(frm, cols, qis, control.k, cells)
                # a row depends on its cell too: its source row and cell digested, not named by a key
                row_inputs, entities, row_key = (*row_inputs, "cell") if row_inputs else (), None, None
            columns = tuple((c.name, c.sql) for c in cols)
            if row_key and not _kept_as_they_are(row_key, columns):
                row_key = None  # a key generalised: the table's rows are digested
            name = f"{schema}.{table}"
            table_started = time.perf_counter()
            report.tables[name], report.computed[name] = build.refresh(
                RoleTable(schema, table, select, frm, columns, row_inputs, entities, row_key)
            )
            report.seconds[name] = time.perf_counter() - table_started
            treatments += [(schema, table, c.name, c.treatment) for c in cols]
        _write_manifest(build, role, on, gs, treatments, settings)
        if control:
            build.write("_access", "risk", RISK_COLUMNS, [r.as_row() for r in risks])
    report.seconds[FILE] = time.perf_counter() - started - sum(report.seconds.values())
    return report


def _kept_as_they_are(key: RowKey, columns: tuple[tuple[str, str], ...]) -> bool:
    """Whether the table keeps the key's columns as its source row has them."""
    sql = dict(columns)
    return all(sql.get(c) == HOUSE.ident(c) for c in key.columns)


def _policy(gs: list[Grant], masking, pseudonymiser: Pseudonymiser) -> str:
    """A digest of what decides which values a role sees and how: its grants, the masking standard (rules
    and disclosure control) and its pseudonym key (by a pseudonym of a constant, not the key). When it
    changes, the role's warehouse is built in a new file: nothing the role no longer may see stays in it."""
    parts = [repr([(g.department, g.resource, g.mode) for g in gs]), masking.model_dump_json()]
    return hashlib.sha256("\x1f".join([*parts, pseudonymiser.fingerprint()]).encode()).hexdigest()


def _controlled(
    build: RoleBuild, table: str, select: str, cols: list[OutputColumn], qis: list[str], control, cells: str
) -> tuple[str, Risk]:
    """The table's select with small cells suppressed, and its risk before and after (measured on the
    quasi-identifiers alone, the only columns the risk reads: `cells`, a relation of `cells_select`'s
    rows); `DisclosureRisk` if a cell under k would remain."""
    k = control.k
    controlled = suppressed_select(select, [c.name for c in cols], qis, k)
    cells = f"select * from {cells}"
    before, after = (build.rows(risk_sql(s, qis, k))[0] for s in (cells, suppressed_select(cells, qis, qis, k)))
    risk = Risk(table, before[0], tuple(qis), *before[1:4], *after[1:4], after[4])
    if risk.under_k_after:
        raise DisclosureRisk(f"{table}: {risk.under_k_after} rows remain in cells under k = {k} on {', '.join(qis)}")
    return controlled, risk


def _write_manifest(
    build: RoleBuild,
    role: str,
    on: date,
    gs: list[Grant],
    treatments: list[tuple[str, str, str, str]],
    settings: Settings,
) -> None:
    """`_access.*`: what this warehouse holds and why — grants, how each column was treated, the build."""
    grants_columns = ("department", "resource", "mode", "basis", "approval_id")
    build.write(
        "_access",
        "grants",
        {**dict.fromkeys(grants_columns, "string"), "expires_on": "date"},
        [(g.department, g.resource, g.mode, g.basis, g.approval_id, g.expires_on) for g in gs],
    )
    build.write(
        "_access",
        "columns",
        dict.fromkeys(("schema_name", "table_name", "column_name", "treatment"), "string"),
        treatments,
    )
    built = {
        "role": role,
        "as_of": on.isoformat(),
        "built_at": datetime.now(UTC).isoformat(),
        "masking_version": MASKING_VERSION,
        "pseudonym_key_version": str(key_version(f"pseudonym/role/{role}", settings)),
    }
    build.write("_access", "build", dict.fromkeys(built, "string"), [tuple(built.values())])


def build_all(settings: Settings | None = None, full_refresh: bool = False) -> list[BuildReport]:
    """Every non-administrator role's warehouse, as many at once as the engine builds (`role_build_workers`),
    reported in the roles' order. A role whose build fails does not stop the others: its error is raised once
    they are built."""
    settings = settings or get_settings()
    catalog, spec = load_catalog(), load_access()  # read and validated once, not once per role
    roles = [name for name, r in spec.roles.items() if r.kind is not RoleKind.ADMINISTRATOR]

    def build(role: str) -> BuildReport:
        return build_role_warehouse(role, settings, full_refresh=full_refresh, catalog=catalog, spec=spec)

    with ThreadPoolExecutor(max_workers=engine_for(settings).role_build_workers) as pool:
        futures = [pool.submit(build, role) for role in roles]
    return [f.result() for f in futures]  # every build done: the first failure, if any, raises here

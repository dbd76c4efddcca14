"""What each role can and cannot see: masking, sharing classes, approvals, lock-down, fail-closed builds."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings

from pipelines.access.build import OWN_QUALITY_TABLES, build_role_warehouse, role_warehouse_path
from pipelines.access.columns import MaskingMissing
from pipelines.access.policy import RoleKind, grants, load_access
from pipelines.access.query import QueryFailed, QueryRefused, run_query
from pipelines.catalog.loader import load_catalog
from pipelines.catalog.models import SharingClass
from pipelines.quality.validate import current_failing_keys_sql
from pipelines.standards.masking import MaskingSpec, load_masking
from tests.access.conftest import AS_OF, on_day
from tests.access.probes import analyst_queries, leaks, role_tables
from tests.pii import UNMASKED_PERSONAL_NUMBER

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("access")]


def test_analyst_holds_only_what_its_grants_allow(access_city):
    """Unconditional shares and live approvals; no not-shared, unapproved or expired resource."""
    catalog = load_catalog()
    tables = role_tables(access_city.settings, "analyst")
    resources = {f"{d.code}.{r.slug}": r for d, r in catalog.resources()}
    held = {t for t in tables if t in resources}
    assert "tax.taxpayer_registrations" not in tables  # not shared (不予共享)
    assert "health.birth_records" not in tables  # its approval expired on 2026-06-30
    assert "civil_affairs.marriage_registrations" not in tables  # conditional, never approved for analysts
    assert "public_security.household_registry" in held  # conditional, approved until 2027-08-31
    unconditional = {k for k, r in resources.items() if r.sharing.class_ is SharingClass.UNCONDITIONAL}
    assert held == unconditional | {"public_security.household_registry"}
    with duckdb.connect(str(role_warehouse_path("analyst", access_city.settings)), read_only=True) as con:
        departments = {r[0] for t in held for r in con.execute(f"select distinct department from {t}").fetchall()}
        lic = con.execute("select distinct issuing_department from licences.licences").fetchall()
    assert "tax" not in departments and lic == [("market_regulation",)]


def test_every_value_of_every_table_is_masked(access_city):
    """The whole analyst warehouse, every cell: no unmasked ID, phone or full name."""
    for table in role_tables(access_city.settings, "analyst"):
        result = run_query("analyst", f"select * from {table}", settings=access_city.settings)
        assert result.rows, table
        assert leaks(result.rows, access_city) == [], table


def test_generated_queries_never_unmask(access_city):
    """Property: whatever an analyst selects, filters, transforms or aggregates, nothing personal is clear."""
    tables = role_tables(access_city.settings, "analyst")

    @hyp_settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(analyst_queries(tables))
    def check(sql: str) -> None:
        try:
            result = run_query("analyst", sql, settings=access_city.settings)
        except QueryFailed:
            return  # a type error in a generated expression shows nothing
        assert leaks(result.rows, access_city) == [], sql

    check()


def test_values_from_withheld_sources_are_withheld_in_the_subject_databases(access_city):
    """A golden birth date whose source is the birth register (approval expired) is NULL for analysts."""
    settings = access_city.settings
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        from_births = con.execute(
            "select count(*) from population.person_attribute_lineage "
            "where attribute = 'birth_date' and resource = 'birth_records'"
        ).fetchone()[0]
    shown = run_query(
        "analyst",
        "select count(*) from population.persons where birth_date is not null",
        settings=settings,
    ).rows[0][0]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        total = con.execute("select count(*) from population.persons where birth_date is not null").fetchone()[0]
    assert from_births > 0
    assert shown <= total - from_births


def test_an_expired_approval_is_refused_until_rebuilt(access_city, tmp_path):
    settings = access_city.settings
    after = date(2027, 9, 1)  # APR-2026-0031 (household registry) ends 2027-08-31
    with on_day(after), pytest.raises(QueryRefused, match="APR-2026-0031"):
        run_query("analyst", "select 1", settings=settings)
    with on_day(after):
        rebuilt = build_role_warehouse("analyst", settings, path=tmp_path / "warehouse_analyst.duckdb")
    assert "public_security.household_registry" not in rebuilt.tables
    with on_day(date(2026, 3, 1)):
        before = build_role_warehouse("analyst", settings, path=tmp_path / "w_march.duckdb")
    assert "health.birth_records" in before.tables  # APR-2026-0007 was live then


def test_no_caller_names_the_day_approvals_are_judged_on():
    """`--as-of` is gone from `govlake query` and `govlake access build`: the clock is the real date."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    for command in (
        ["query", "--as-of", "2026-01-01", "select 1"],
        ["access", "build", "--as-of", "2026-01-01"],
    ):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2 and "--as-of" in result.output, result.output


def test_the_query_path_cannot_leave_the_role_warehouse(access_city):
    lake = access_city.settings.lake_root
    for sql in (
        f"attach '{access_city.settings.warehouse_path}' as platform",
        f"select * from read_parquet('{lake}/raw/dept=tax/**/*.parquet')",
        "copy (select 1) to '/tmp/out.csv'",
        "set enable_external_access = true",
        "create table t as select 1",
    ):
        with pytest.raises(QueryFailed):
            run_query("analyst", sql, settings=access_city.settings)


def test_departments_see_their_own_data_unmasked_and_others_masked(access_city):
    settings = access_city.settings
    own = run_query(
        "health",
        "select mother_citizen_id from health.birth_records where mother_citizen_id is not null limit 50",
        settings=settings,
    )
    assert all(UNMASKED_PERSONAL_NUMBER.fullmatch(r[0]) for r in own.rows)
    other = run_query(
        "health",
        "select citizen_id, person_name from public_security.household_registry limit 200",
        settings=settings,
    )
    assert leaks(other.rows, access_city) == []
    failing = run_query(
        "health", "select department, count(*) from quality.failing_keys group by 1", settings=settings
    ).rows
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        current = con.execute(
            f"select count(*) from ({current_failing_keys_sql(settings)}) where department = 'health'"
        ).fetchone()[0]
    assert failing == [("health", current)] and current > 0  # all of its current keys, no one else's
    samples = run_query("health", "select distinct department from quality.rule_samples", settings=settings).rows
    assert samples == [("health",)]  # its masked samples, which the public site no longer shows
    problems = run_query(
        "health", "select department, count(*) from quality.rectification group by 1", settings=settings
    ).rows
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        flagged = con.execute("select count(*) from quality.rectification where department = 'health'").fetchone()[0]
    assert problems == [("health", flagged)] and flagged > 0  # its records followed for rectification, only its own
    divisions = run_query(
        "health", "select department, sum(records_judged) from quality.division_scores group by 1", settings=settings
    ).rows
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        judged = con.execute(
            "select sum(records_judged) from quality.division_scores where department = 'health'"
        ).fetchone()[0]
    assert divisions == [("health", judged)] and judged > 0  # its quality by division, in every period
    # golden values: health is the authority for birth dates, public security for ID numbers
    persons = run_query(
        "health",
        "select count(*) filter (where birth_date not like '%*%'), count(*) filter (where citizen_id not like '%*%') "
        "from population.persons",
        settings=settings,
    ).rows[0]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        from_health = con.execute(
            "select count(*) filter (where attribute = 'birth_date'), count(*) filter (where attribute = 'citizen_id') "
            "from population.person_attribute_lineage where department = 'health'"
        ).fetchone()
    assert persons == from_health and from_health[0] > 0  # in the clear exactly where health is the source
    tables = {g.table for g in grants("market_regulation", AS_OF)}
    assert "tax.taxpayer_registrations" not in tables


def test_a_department_sees_its_own_side_of_its_disputes_only(access_city):
    """The authority sees its record and value, the disputing department its own; neither the other's."""
    settings = access_city.settings
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        routed = con.execute(
            "select count(*) filter (where authority_department = 'public_security'), "
            "count(*) filter (where department = 'hr_social_security') from quality.disputes"
        ).fetchone()
    assert routed[0] > 0 and routed[1] > 0
    sides = (
        "select authority_department = '{d}', department = '{d}', count(*), count(authority_value), "
        "count(authority_record_id), count(attribute_value), count(source_record_id) from quality.disputes group by 1, 2"
    )
    authority = run_query("public_security", sides.format(d="public_security"), settings=settings).rows
    assert {r[:2]: r[2:] for r in authority}[(True, False)] == (routed[0],) * 3 + (0, 0)
    disputing = run_query("hr_social_security", sides.format(d="hr_social_security"), settings=settings).rows
    assert {r[:2]: r[2:] for r in disputing}[(False, True)] == (routed[1], 0, 0, routed[1], routed[1])
    assert all(r[:2] != (False, False) for r in authority + disputing)  # no one else's disputes


def test_a_sensitive_column_without_a_masking_rule_stops_the_build(access_city, monkeypatch):
    settings = access_city.settings
    target = role_warehouse_path("analyst", settings)
    before = target.read_bytes()
    spec = load_masking()
    without_names = MaskingSpec(
        version=spec.version,
        rules=spec.rules,
        elements={k: v for k, v in spec.elements.items() if k != "person_name"},
        columns=spec.columns,
    )
    monkeypatch.setattr("pipelines.access.columns.load_masking", lambda: without_names)
    monkeypatch.setattr("pipelines.access.build.load_masking", lambda: without_names)
    with pytest.raises(MaskingMissing) as failure:
        build_role_warehouse("analyst", settings)
    assert "public_security.household_registry.person_name" in str(failure.value)
    assert "population.persons.person_name" in str(failure.value)
    assert target.read_bytes() == before  # the last good warehouse stays


def test_masks_survive_a_full_rebuild(access_city):
    """Every role warehouse rebuilt from nothing: still nothing in the clear. (A from-scratch build of the
    subject databases under the same masks is the equivalence test's, on both engines.)"""
    from pipelines.access.build import build_all

    settings = access_city.settings
    for old in settings.access_root.glob("warehouse_*.duckdb"):
        old.unlink()
    build_all(settings)
    for table in role_tables(settings, "analyst"):
        result = run_query("analyst", f"select * from {table}", settings=settings)
        assert result.rows and leaks(result.rows, access_city) == [], table


def test_history_is_shared_under_the_masks_of_the_current_tables(access_city):
    """A department's warehouse holds the subject databases' history: its own values in the clear, every
    other department's masked exactly as the current tables mask them, no record ids; the analyst, under
    disclosure control, holds none (a person's values over time single them out)."""
    settings = access_city.settings
    own = run_query(
        "health",
        "select attribute_value from population.persons_history "
        "where department = 'health' and attribute = 'citizen_id' limit 50",
        settings=settings,
    ).rows
    assert own and all(UNMASKED_PERSONAL_NUMBER.fullmatch(r[0]) for r in own)
    others = run_query(
        "health",
        "select attribute, attribute_value from population.persons_history where department != 'health'",
        settings=settings,
    ).rows
    assert len(others) > 1_000 and leaks(others, access_city) == []
    columns = run_query("health", "select * from population.persons_history limit 0", settings=settings).columns
    assert "person_pseudonym" in columns and "person_id" not in columns and "source_record_id" not in columns
    in_force = run_query(
        "health",
        "select count(distinct person_pseudonym) from population.persons_history where valid_to is null",
        settings=settings,
    ).rows[0][0]
    assert in_force > 1_000
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:  # the platform: open rows = current
        persons, open_rows = con.execute(
            "select (select count(*) from population.persons), "
            "(select count(distinct person_id) from population.persons_history where valid_to is null)"
        ).fetchone()
    assert open_rows == persons
    assert not [t for t in role_tables(settings, "analyst") if t.endswith("_history")]


def test_no_role_holds_the_platforms_bookkeeping(access_city):
    """The golden records carry a digest of each entity's input (what a day compares to compute only the
    changed entities): it is the platform's, a hash of unmasked records, and no role's warehouse holds it."""
    from pipelines.engines import engine_for

    settings = access_city.settings
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        marts = con.execute(
            "select table_schema || '.' || table_name from information_schema.columns "
            "where column_name = 'input_digest' and table_schema in ('population', 'legal_entities')"
        ).fetchall()
    assert {("population.persons",), ("legal_entities.legal_entities",)} <= set(marts)
    roles = [name for name, r in load_access().roles.items() if r.kind is not RoleKind.ADMINISTRATOR]
    assert len(roles) >= 7
    for role in roles:
        with engine_for(settings).role_reader(role) as reader:
            _, held = reader.execute(
                "select table_name from information_schema.columns where column_name = 'input_digest'"
            )
        assert held == [], role
        assert "input_digest" not in {c for cols in role_tables(settings, role).values() for c in cols}, role


def test_as_of_reads_the_versions_in_force_that_day():
    from pipelines.access.as_of import as_of

    sql = as_of(
        "select attribute_value from population.persons_history h where attribute = 'address'", date(2026, 9, 15)
    )
    assert "valid_from < CAST('2026-09-16' AS TIMESTAMP)" in sql and ") AS h WHERE" in sql
    with pytest.raises(ValueError, match="needs a history table"):
        as_of("select * from population.persons", date(2026, 9, 15))


def test_a_warehouse_is_updated_only_from_the_state_its_own_build_left(built_small_city, built_city, tmp_path):
    """Built again on the same marts (twice: a build updates the file the build before the last one left),
    a department's warehouse computes none of its rows, its quality tables' included, and its file holds no
    state. Other files put in the places of the live and the previous warehouse (a backup restored, an
    operator's copy), or a new pseudonym key, and every row is computed again, in a new file."""
    import os
    import shutil

    from pipelines.engines.duckdb_roles import Generations
    from pipelines.privacy.keys import rotate
    from pipelines.settings import Settings
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path / "data")
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    for _ in range(2):
        build_role_warehouse("health", settings)
    again = build_role_warehouse("health", settings)
    assert sum(again.tables.values()) > 10_000
    assert {f"quality.{t}" for t in OWN_QUALITY_TABLES} <= set(again.tables)
    assert {t for t, n in again.computed.items() if n} == set()
    path = role_warehouse_path("health", settings)
    with duckdb.connect(str(path), read_only=True) as con:
        held = {f"{s}.{t}" for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}
    assert held == set(again.tables) | {"_access.grants", "_access.columns", "_access.build"}

    previous = Generations.of(data / "role_state" / path.name).previous
    assert previous.exists()
    for file in (path, previous):
        shutil.copyfile(file, tmp_path / "other.duckdb")
        os.replace(tmp_path / "other.duckdb", file)
    rebuilt = build_role_warehouse("health", settings)
    assert rebuilt.computed == rebuilt.tables == again.tables

    before = os.stat(path).st_size
    rotate("pseudonym/role/health", settings)
    rekeyed = build_role_warehouse("health", settings)
    assert rekeyed.computed == rekeyed.tables == again.tables
    # a new file, about the old one's size: a kept file, its tables all replaced, holds both (twice the size)
    assert os.stat(path).st_size < 1.5 * before


def test_a_build_that_fails_midway_leaves_the_warehouse_and_starts_over(
    built_small_city, built_city, tmp_path, monkeypatch
):
    """A build that fails after updating some tables (as a killed run would) must leave the published
    warehouse as it was, and the next build must not trust the state that went ahead of it: it updates the
    published warehouse from that warehouse's own state (the marts unchanged: no row computed), and gives
    the rows a build from nothing gives."""
    import os

    from pipelines.engines.duckdb_roles import DuckDBRoleBuild
    from pipelines.settings import Settings
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path / "data")
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    first = build_role_warehouse("health", settings)
    path = role_warehouse_path("health", settings)
    published = (os.stat(path).st_mtime_ns, os.stat(path).st_size)

    refresh, done = DuckDBRoleBuild.refresh, []

    def fails_on_the_third_table(self, t):
        if len(done) == 2:
            raise RuntimeError("killed")
        done.append(t.table)
        return refresh(self, t)

    monkeypatch.setattr(DuckDBRoleBuild, "refresh", fails_on_the_third_table)
    with pytest.raises(RuntimeError, match="killed"):
        build_role_warehouse("health", settings)
    monkeypatch.undo()
    assert (os.stat(path).st_mtime_ns, os.stat(path).st_size) == published
    again = build_role_warehouse("health", settings)
    assert again.tables == first.tables and not any(again.computed.values())
    whole = build_role_warehouse("health", settings, path=tmp_path / "whole.duckdb")
    assert whole.computed == whole.tables == first.tables
    assert not _tables_apart(path, tmp_path / "whole.duckdb", first.tables)


def test_roles_are_built_two_at_a_time_and_one_failing_stops_none_of_the_others(
    built_small_city, built_city, tmp_path, monkeypatch
):
    """`build_all` builds DuckDB's role warehouses on two threads: the reports come in the roles' order, equal
    to building each alone, and a role whose build fails raises only once every other role's warehouse has
    replaced its last one (its own stays as it was)."""
    import os
    import threading

    from pipelines.access.build import build_all
    from pipelines.engines.duckdb_roles import DuckDBRoleBuild
    from pipelines.settings import Settings
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path / "data")
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    roles = [r for r, spec in load_access().roles.items() if spec.kind is not RoleKind.ADMINISTRATOR]
    paths = {r: role_warehouse_path(r, settings) for r in roles}
    published = {r: os.stat(p).st_mtime_ns for r, p in paths.items()}

    refresh, threads = DuckDBRoleBuild.refresh, set()

    def fails_for_health(self, t):
        threads.add(threading.get_ident())
        if self.target == paths["health"]:
            raise RuntimeError("health's build failed")
        return refresh(self, t)

    monkeypatch.setattr(DuckDBRoleBuild, "refresh", fails_for_health)
    with pytest.raises(RuntimeError, match="health's build failed"):
        build_all(settings)
    monkeypatch.undo()
    assert len(threads) == 2
    assert os.stat(paths["health"]).st_mtime_ns == published["health"]
    assert all(os.stat(paths[r]).st_mtime_ns != published[r] for r in roles if r != "health")

    reports = build_all(settings)
    assert [r.role for r in reports] == roles
    alone = build_role_warehouse("health", settings, path=tmp_path / "alone.duckdb")
    health = reports[roles.index("health")]
    assert health.tables == alone.tables
    assert not _tables_apart(paths["health"], tmp_path / "alone.duckdb", alone.tables)


def _tables_apart(a, b, tables) -> dict[str, int]:
    """Per table of two DuckDB files, the rows one holds and the other does not (as many copies as each holds)."""
    with duckdb.connect(str(a), read_only=True) as con:
        con.execute(f"attach '{b}' as other (read_only)")
        apart = {
            t: con.execute(
                f"select count(*) from ((select * from {t} except all select * from other.{t}) "
                f"union all (select * from other.{t} except all select * from {t}))"
            ).fetchone()[0]
            for t in tables
        }
    return {t: n for t, n in apart.items() if n}


def test_a_warehouse_catches_up_in_the_file_the_last_build_replaced(built_small_city, built_city, tmp_path):
    """Each build updates the warehouse the build before the last one left (kept, not copied): after two
    days of changes to the marts and the department's staging rows, it holds what a build from nothing holds.
    A reader that still holds that file open (a session begun two builds ago) makes the build copy the live
    warehouse instead."""
    import os
    import subprocess
    import sys
    from subprocess import PIPE

    from pipelines.settings import Settings
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path / "data")
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    path = role_warehouse_path("health", settings)
    first = build_role_warehouse("health", settings, full_refresh=True)
    files = [os.stat(path).st_ino]
    for day in (1, 2):
        _a_day_of_changes(settings.warehouse_path, day)
        report = build_role_warehouse("health", settings)
        files.append(os.stat(path).st_ino)
    assert len(set(files[:2])) == 2 and files[2] == files[0]  # the third build updated the first's file
    assert 0 < sum(report.computed.values()) < sum(report.tables.values()) / 10
    whole = build_role_warehouse("health", settings, path=tmp_path / "whole.duckdb")
    assert whole.tables == report.tables and set(whole.tables) == set(first.tables)
    assert not _tables_apart(path, tmp_path / "whole.duckdb", whole.tables)

    # a reader of today's warehouse, still there two builds on (another process: DuckDB's locks are the file's)
    opens = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); input()"
    with subprocess.Popen([sys.executable, "-c", opens, str(path)], stdin=PIPE, stdout=PIPE, text=True) as reader:
        assert reader.stdout.readline() == "open\n"
        for day in (3, 4):
            _a_day_of_changes(settings.warehouse_path, day)
            report = build_role_warehouse("health", settings)
        reader.communicate("\n")
    assert os.stat(path).st_ino not in files
    whole = build_role_warehouse("health", settings, path=tmp_path / "whole.duckdb")
    assert not _tables_apart(path, tmp_path / "whole.duckdb", whole.tables)


def _a_day_of_changes(warehouse, day: int) -> None:
    """A few persons' golden records and histories changed (with the digests of their input), one gone and one
    new, and a few of the health department's and another department's staging rows changed or gone."""
    persons = f"select person_id from population.persons order by hash(person_id, {day}) limit 3"
    with duckdb.connect(str(warehouse)) as con:
        for table in ("population.persons", "intermediate.int_person_history_digests"):
            con.execute(
                f"update {table} set input_digest = md5(input_digest || '{day}') where person_id in ({persons})"
            )
        con.execute(
            f"update population.persons set person_name = person_name || '{day}' where person_id in ({persons})"
        )
        con.execute(f"delete from population.persons_history where person_id in ({persons}) and attribute = 'address'")
        # one person gone (merged away), and one new, with a history of their own
        gone, like = (r[0] for r in con.execute(f"{persons.replace('limit 3', 'desc limit 2')}").fetchall())
        for table in ("population.persons", "intermediate.int_person_history_digests", "population.persons_history"):
            con.execute(f"delete from {table} where person_id = ?", [gone])
            con.execute(
                f"insert into {table} select * replace ('P-new-{day}' as person_id) from {table} where person_id = ?",
                [like],
            )
        for table in ("staging.stg_health__birth_records", "staging.stg_civil_affairs__marriage_registrations"):
            rows = f"select rowid from {table} order by hash(rowid, {day}) limit 4"
            con.execute(f"delete from {table} where rowid in ({rows} offset 2)")
            name = con.execute(f"select * from {table} limit 0").description[-1][0]
            # a record's new version: another delivered row (a staging row never changes in place)
            con.execute(f"update {table} set {name} = null, load_id = load_id || '-{day}' where rowid in ({rows})")
            # a row without a row number (no data test holds the column to one) is kept once, not once per build
            con.execute(f"update {table} set source_row_number = null where rowid in (select * from ({rows}) limit 1)")
        # a row of a third table renumbered within its block of row numbers (`RowKey.block`), nothing else of
        # the table changed: the block holds as many keys as before, not the same ones
        table = "staging.stg_hr_social_security__social_insurance_enrolments"
        one = f"select rowid from {table} where source_row_number is not null order by hash(rowid, {day}) limit 1"
        con.execute(f"update {table} set source_row_number = xor(source_row_number, 1) where rowid in ({one})")

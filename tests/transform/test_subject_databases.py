"""The small city end to end through the real DAGs (`dag.test()`): ingest, then build_subject_databases.

Checks the linkage against the ground truth, the golden-record rules against the records they were
chosen from, and that every landed record is in a subject database or in quarantine.
"""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines.linkage.evaluate import evaluate
from pipelines.settings import get_settings
from pipelines.synth.api import start_api_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]


@pytest.fixture(scope="session")  # once per worker, even when xdist interleaves other modules' tests
def built(small_city, tmp_path_factory):
    city, _ = small_city
    data = tmp_path_factory.mktemp("data")
    mp = pytest.MonkeyPatch()
    server, _ = start_api_server(city / "hr_social_security" / "enrolments", token="tkn")
    mp.setenv("GOVLAKE_DATA_DIR", str(data))
    mp.setenv("GOVLAKE_SOURCE_ROOT", str(city))
    # AIRFLOW_HOME is left as it is: Airflow reads it once per process, and another test of this worker
    # may have imported Airflow already; ensure_airflow_db() migrates whichever home that is.
    mp.setenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", f"http://127.0.0.1:{server.server_address[1]}")
    mp.setenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN", "tkn")
    from pipelines.orchestration.local_runs import test_dags

    try:
        states = test_dags("ingest_")
        states |= test_dags("build_subject_databases")
        states |= test_dags("publish_quality_scorecards")
        settings = get_settings()
    finally:
        server.shutdown()
        mp.undo()  # the environment is this fixture's only while the DAGs run: other tests share the worker
        get_settings.cache_clear()
    return states, settings, city


@pytest.fixture(scope="module")
def warehouse(built):
    _, settings, _ = built
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        yield con


def test_every_dag_succeeds(built):
    states, _, _ = built
    assert {"build_subject_databases", "publish_quality_scorecards"} <= set(states)
    assert set(states.values()) == {"success"}, states


def test_the_quality_dag_scores_every_department(warehouse):
    departments = {
        d for (d,) in warehouse.execute("select distinct department from quality.department_scorecards").fetchall()
    }
    assert departments == {
        "civil_affairs",
        "health",
        "hr_social_security",
        "market_regulation",
        "public_security",
        "tax",
    }


def test_linkage_meets_its_precision_and_recall_goals(built):
    _, settings, city = built
    scores = {s.subject: s for s in evaluate(settings, city / "truth")}
    for subject in ("population", "legal_entities"):
        s = scores[subject]
        assert s.records > 1_000
        assert s.precision >= 0.99 and s.recall >= 0.98, s


def test_every_landed_record_is_in_a_subject_database_or_quarantined(warehouse):
    rows = warehouse.execute(
        "select subject, department, resource, party, records_landed, records_in_subject_database, "
        "records_quarantined, is_balanced from quality.subject_record_accounting"
    ).fetchall()
    assert rows and all(r[-1] for r in rows), [r for r in rows if not r[-1]]
    landed = dict(
        warehouse.execute(
            "select department || '/' || resource, count(*) from intermediate.int_person_records_unioned "
            "where party in ('subject', 'husband') group by 1"
        ).fetchall()
    )
    accounted = dict(
        warehouse.execute(
            "select department || '/' || resource, sum(records_landed) from quality.subject_record_accounting "
            "where subject = 'population' and party in ('subject', 'husband') group by 1"
        ).fetchall()
    )
    assert landed == accounted


def test_each_record_landed_is_a_source_record_of_the_subject_database(built, warehouse):
    """Against the lake itself: one person_sources or quarantine row per household-registry row landed."""
    _, settings, _ = built
    lake = settings.lake_root / "raw" / "dept=public_security" / "resource=household_registry" / "*" / "*.parquet"
    (rows,) = warehouse.execute(f"select count(*) from read_parquet('{lake}')").fetchone()
    (mapped,) = warehouse.execute(
        "select count(*) from population.person_sources where resource = 'household_registry'"
    ).fetchone()
    (quarantined,) = warehouse.execute(
        "select count(*) from quality.subject_quarantine where resource = 'household_registry'"
    ).fetchone()
    assert rows == mapped + quarantined


def test_the_authority_supplies_each_attribute_it_has(warehouse):
    """Where public security gives a person's name, the golden name is its value; where health records a
    birth, the golden birth date is health's."""
    wrong = warehouse.execute(
        """select count(*) from population.person_attribute_lineage l
        where l.attribute in ('person_name', 'citizen_id', 'sex_code') and l.department != 'public_security'
          and exists (select 1 from intermediate.int_person_attribute_values v
                      where v.person_id = l.person_id and v.attribute = l.attribute
                        and v.department = 'public_security')"""
    ).fetchone()[0]
    assert wrong == 0
    (from_health, births) = warehouse.execute(
        """select count(*) filter (l.department = 'health'), count(*)
        from population.person_attribute_lineage l
        where l.attribute = 'birth_date' and exists (
            select 1 from intermediate.int_person_attribute_values v
            where v.person_id = l.person_id and v.attribute = 'birth_date' and v.resource = 'birth_records')"""
    ).fetchone()
    assert births > 0 and from_health == births


def test_conflicts_disagree_with_the_golden_value_of_the_authority(warehouse):
    (n, bad) = warehouse.execute(
        """select count(*), count(*) filter (c.authority_value != l.attribute_value or c.attribute_value = l.attribute_value)
        from quality.conflicts c
        join population.person_attribute_lineage l on l.person_id = c.subject_id and l.attribute = c.attribute
        where c.subject = 'population'"""
    ).fetchone()
    assert n > 0 and bad == 0


def test_injected_disagreements_show_up_as_conflicts(built, warehouse):
    """The city's `disagreement` defects (a name, sex or birth date differing from public security) are
    found in the conflicts mart for most of the records that carry them."""
    _, _, city = built
    with (city / "truth" / "defects.csv").open(encoding="utf-8") as f:
        injected = {
            (r["department"], r["resource"], r["record_key"])
            for r in csv.DictReader(f)
            if r["defect"] == "disagreement"
        }
    found = {
        tuple(r)
        for r in warehouse.execute(
            """select s.department, s.resource, s.record_key from quality.conflicts c
            join population.person_sources s using (source_record_id)"""
        ).fetchall()
    }
    assert injected
    assert len(injected & found) / len(injected) > 0.5


def test_licences_marked_valid_after_expiry_are_flagged(built, warehouse):
    _, _, city = built
    with (city / "truth" / "licences.csv").open(encoding="utf-8") as f:
        truly_expired = {r["licence_number"] for r in csv.DictReader(f) if r["status"] == "4"}
    rows = warehouse.execute(
        "select licence_number, licence_status, is_expired_but_valid from licences.licences where expires_on is not null"
    ).fetchall()
    marked_valid = [(n, flagged) for n, status, flagged in rows if n in truly_expired and status == "1"]
    assert marked_valid and all(flagged for _, flagged in marked_valid)
    assert warehouse.execute("select count(*) from licences.licences where holder_entity_id is null").fetchone()[0] == 0


def test_the_readme_first_query_runs_on_the_warehouse(built, monkeypatch, capsys):
    """The analyst's snippet in the README, as written, against this build's warehouse."""
    from pipelines.paths import REPO_ROOT

    _, settings, _ = built
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    snippet = next(b.split("\n", 1)[1] for b in readme.split("```")[1::2] if b.startswith("python\n"))
    monkeypatch.chdir(settings.data_root.parent)
    exec(compile(snippet.replace("data/warehouse.duckdb", str(settings.warehouse_path)), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "people" in out and "probabilistic" in out and "person_name" in out


def test_a_resource_with_no_batch_yet_stages_empty_and_the_build_goes_on(built, tmp_path):
    """A department catalogued before its first delivery must not stop everyone else's subject databases."""
    import shutil

    from pipelines.settings import Settings
    from pipelines.transform.build import build_subject_databases

    _, settings, _ = built
    shutil.copytree(settings.lake_root, tmp_path / "lake")
    shutil.rmtree(tmp_path / "lake" / "raw" / "dept=civil_affairs" / "resource=social_organisations")
    report = build_subject_databases(Settings(data_dir=tmp_path, source_root=settings.sources_dir))
    assert not report.unbalanced
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        per_resource = dict(
            con.execute("select resource, count(*) from legal_entities.entity_sources group by 1").fetchall()
        )
    assert "social_organisations" not in per_resource and per_resource["enterprise_registry"] > 0

"""The small city end to end through the real DAGs (`dag.test()`, the session's `built_small_city`): ingest,
then build_subject_databases.

Checks the linkage against the ground truth, the golden-record rules against the records they were
chosen from, and that every landed record is in a subject database or in quarantine.
"""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from pipelines.linkage.evaluate import evaluate

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]


@pytest.fixture(scope="session")
def built(built_city, built_small_city):
    """The session's small city, built through the DAGs (read only here: other packages copy it)."""
    from pipelines.settings import Settings

    city = built_city
    states = json.loads((built_small_city / "dag_states.json").read_text(encoding="utf-8"))
    return states, Settings(data_dir=built_small_city, source_root=city), city


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
        assert s.records > 500  # the 1,500-person city's, not an empty build's
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
    """Against the lake itself: one person_sources or quarantine row per household-registry record landed
    (a record the city changed on its second day landed twice, as two versions)."""
    from pipelines.catalog import load_catalog

    _, settings, _ = built
    key = load_catalog().resource("public_security", "household_registry").key_field.name
    lake = settings.lake_root / "raw" / "dept=public_security" / "resource=household_registry" / "*" / "*.parquet"
    (rows,) = warehouse.execute(f"select count(distinct {key}) from read_parquet('{lake}')").fetchone()
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

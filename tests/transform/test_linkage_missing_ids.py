"""Linkage when identifiers go missing: a 2,500-person city whose optional ID numbers are blanked on 40% of
the records that carry them (`--rate missing_id=0.4`), ingested, standardised and linked.

Measured (pairwise, persons): before records were compared by whom they name, recall 0.945 on this city;
then 0.967 at the person threshold 0.8 (2026-12-02); at 0.51 (2026-12-06, docs/decisions.md 41) 0.9745 at
precision 1.0, and 0.9721 at precision 0.9998 on 10,000 people. The bounds here are the issue's goals."""

from __future__ import annotations

import pytest

from pipelines.ingest.runner import ingest
from pipelines.linkage.evaluate import evaluate
from pipelines.settings import Settings
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig, DefectRates
from pipelines.transform.build import LINK_ORDER, link_subject, standardise
from tests.conftest import hr_api_served

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("missing_ids")]

CITY = CityConfig(people=2_500, seed=42, rates=DefectRates(missing_id=0.4))


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    city = tmp_path_factory.mktemp("city")
    generate_city(CITY, city)
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), source_root=city)
    with hr_api_served(city):
        ingest(settings=settings)
    standardise(settings)
    for subject in LINK_ORDER:
        link_subject(settings, subject)
    return settings, {s.subject: s for s in evaluate(settings, city / "truth")}


def test_people_are_found_when_four_in_ten_ids_are_missing(linked):
    _, scores = linked
    persons = scores["population"]
    assert persons.records > 7_000  # every party of every record, not a small build
    assert persons.precision >= 0.999 and persons.recall >= 0.97, persons


def test_a_record_with_a_valid_id_stays_in_its_ids_cluster(linked):
    """ID-less records never outvote an identifier: each identified record's cluster is its ID."""
    from pipelines.engines import engine_for

    settings, _ = linked
    moved = engine_for(settings).query(
        """select count(*) as n from linkage.population_links l
           join intermediate.int_person_linkage_features f using (source_record_id)
           where f.citizen_id is not null and (l.match_method != 'identifier' or l.cluster_key != f.citizen_id)"""
    )
    assert moved.column("n")[0].as_py() == 0


def test_explaining_a_link_through_whom_a_record_names_shows_no_one_in_the_clear(linked):
    """The contexts now hold the other people a record names, by ID and by name: explained, each is masked."""
    from pipelines.engines import engine_for
    from pipelines.linkage.explain import explain
    from tests.access.conftest import read_people

    settings, _ = linked
    records = (
        engine_for(settings)
        .query(
            """select u.department || '/' || u.resource || '/' || u.record_key || '#' || u.party as record
           from linkage.population_links l join intermediate.int_person_records_unioned u using (source_record_id)
           join linkage.population_edges e
             on e.source_record_id_l = l.source_record_id and e.source_record_id_r = l.matched_record_id
           where l.match_method = 'probabilistic' and list_contains(e.contexts_l, 'with name:' || e.person_name_r)
           order by 1 limit 5"""
        )
        .column("record")
        .to_pylist()
    )
    assert records, "no link made through a name the record names beside its party"
    shown = " ".join(c.left or "" for r in records for e in explain(settings, r) for c in e.comparisons)
    assert "with name:" in shown and "with:" in shown
    people = read_people(settings.source_root)
    clear = {v for p in people for v in (p["citizen_id"], p["name"]) if v and v in shown}
    assert not clear, sorted(clear)[:5]

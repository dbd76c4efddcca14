"""A city living five weeks, ingested every day and built twice: the history holds the truth's dated
events, invents (almost) none, every person keeps its id or is followed through population.id_changes, and
the two builds (the second standardising only the batches new since the first) give the subject databases
one full build of the same lake gives; the role warehouses updated after each build (the second computing
only the rows whose source changed) are those one build from nothing gives."""

from __future__ import annotations

import filecmp
from datetime import date

import pytest

from pipelines.settings import Settings
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from pipelines.synth.timeline import LivingCity
from pipelines.transform.evaluate_history import live_city
from tests.built_city import copy_lake

ROLES = ("health", "analyst")


def copy_linkage_models(source: Settings, target: Settings) -> None:
    """The models `source`'s builds trained and kept (with their term frequencies), kept in `target`'s
    warehouse too."""
    from pipelines.engines import engine_for
    from pipelines.linkage.run import SCHEMA, SUBJECTS

    kept = (
        engine_for(source)
        .query(f"select table_name from information_schema.tables where table_schema = '{SCHEMA}'")["table_name"]
        .to_pylist()
    )
    names = [t for t in kept if any(t == f"{s}_model" or t.startswith(f"{s}_model_tf_") for s in SUBJECTS)]
    assert len(names) == 2 + 3, names  # two models; person names and phones, entity names
    for name in names:
        table = engine_for(source).query(f"select * from {SCHEMA}.{name}")
        with engine_for(target).workspace() as ws:
            ws.register("_kept", table)
            ws.execute(f"create or replace table {ws.warehouse(SCHEMA, name)} as select * from _kept")


@pytest.mark.slow
def test_the_history_matches_the_living_citys_events(tmp_path):
    from pipelines.access.build import build_role_warehouse

    def build_roles(settings):
        """A department (rows updated, history included) and the analyst (tables under disclosure control,
        their rows joined with their cells): the seven roles' warehouses are built by the same code."""
        return [build_role_warehouse(role, settings) for role in ROLES]

    updates = []
    run = live_city(
        tmp_path,
        people=1_500,
        days=35,
        as_of=date(2026, 8, 31),
        seed=3,
        builds=2,
        then=lambda s: updates.append(build_roles(s)),
        periods=1,  # the city's records delivered in one month, not three: the same history, a third of the first batches
    )
    score = run.score
    assert sum(run.events.values()) > 50 and {"move", "marriage", "death", "birth", "moved_out"} <= set(run.events)
    assert score.events - score.awaiting_delivery > 50
    assert score.share_found >= 0.99, score.missing
    assert score.spurious_per_1000_persons <= 1.0, score
    assert run.records_followed > 3_000
    assert run.unexplained_id_changes == 0

    # the same lake built once, from nothing, with every batch standardised in one run, and linked with the
    # model the first build trained and the second kept
    from pipelines.engines import engine_for
    from pipelines.engines.fingerprint import differences, fingerprint, mart_tables, role_fingerprint
    from pipelines.transform.build import build_subject_databases

    incremental, full = Settings(data_dir=tmp_path / "data"), Settings(data_dir=copy_lake(tmp_path, tmp_path / "full"))
    assert run.linkage_models == {"trained": 2, "stored": 2, "changed only": 2}, run.linkage_models
    copy_linkage_models(incremental, full)
    assert not any(r.trained for r in build_subject_databases(full).linkage)
    standardised_in = "select count(distinct standardised_in) from staging.stg_public_security__household_registry_rows"
    assert engine_for(incremental).scalar(standardised_in) == 2  # the first build's batches were not done again
    assert engine_for(full).scalar(standardised_in) == 1
    # the models kept entity by entity computed again, in the second build, only the entities whose input changed
    # and each keeps, updated in place, the digest of every entity it computed: the digests there are now
    persons = engine_for(incremental).scalar("select count(*) from population.persons")
    values = "select person_id, input_digest from intermediate.int_person_value_digests"
    for model, digests in {
        "intermediate.int_person_attribute_values": values,
        "intermediate.int_attribute_comparisons": f"select 'population', * from ({values}) "
        "union all select 'legal_entities', entity_id, input_digest from intermediate.int_entity_value_digests",
        "population.persons": values,
        "population.persons_history": "select person_id, input_digest from intermediate.int_person_history_digests",
    }.items():
        schema, table = model.split(".")
        changed = engine_for(incremental).scalar(f'select count(*) from {schema}."{table}__changed"')
        assert 0 < changed < persons / 4, (model, changed, persons)
        now, held = f"select * from ({digests})", f'select * from {schema}."{table}__entities"'
        apart = f"select count(*) from (({now} except all {held}) union all ({held} except all {now}))"
        assert engine_for(incremental).scalar(apart) == 0, model
    # id_changes records what happened between builds, which one build has nothing of
    tables = [t for t in mart_tables(full) if not t.startswith("quality.") and not t.endswith(".id_changes")]
    assert len(tables) >= 10 and "population.persons_history" in tables
    # kept from the changes the loads and the linkage made: the digests, and the records' divisions
    tables += [
        "quality.record_divisions",
        *(f"intermediate.int_{s}_{t}_digests" for s in ("person", "entity") for t in ("value", "history")),
    ]
    # the second build scored only the pairs of records changed since the first: the same edges and links
    tables += [f"linkage.{s}_{t}" for s in ("population", "legal_entities") for t in ("edges", "links")]
    assert not differences(fingerprint(incremental, tables), fingerprint(full, tables))

    # the role warehouses: updated in place after each build, and built whole from the full build's marts
    from tests.access.probes import role_tables

    second = {r.role: r for r in updates[1]}
    assert (
        sum(sum(r.computed.values()) for r in second.values())
        < sum(sum(r.tables.values()) for r in second.values()) / 4
    )
    assert (
        second["health"].computed["population.persons_history"]
        < second["health"].tables["population.persons_history"] / 4
    )
    # under disclosure control too: a row is computed again when its source or its cell's side of k changed
    assert second["analyst"].computed["population.persons"] < second["analyst"].tables["population.persons"] / 4
    rebuilt = {r.role: r for r in build_roles(full)}
    assert all(r.computed == r.tables for r in rebuilt.values())
    for role in second:
        names = [*role_tables(full, role), "_access.grants", "_access.columns"]
        assert set(names) == {*second[role].tables, "_access.grants", "_access.columns"}
        assert not differences(role_fingerprint(incremental, role, names), role_fingerprint(full, role, names)), role


def test_the_timeline_is_deterministic_per_seed_and_goes_on_where_it_stopped(tmp_path):
    """The same seed gives the same city, whether it lives 40 days in one call or in steps (as the demo's
    quarter lives a month per step): a later call goes on from the day after the last one lived."""
    cities, lived = [], []
    for name, steps in (("a", [40]), ("b", [15, 25])):
        city = tmp_path / name
        generate_city(CityConfig(people=300, seed=5, as_of=date(2026, 8, 31)), city)
        living = LivingCity(city, 5, date(2026, 9, 1))
        lived.append([living.live(days) for days in steps])
        living.close()
        cities.append(city)
    a, b = cities
    (whole,), (first, second) = lived
    assert whole == {k: first.get(k, 0) + second.get(k, 0) for k in whole} and set(first) | set(second) == set(whole)
    events = (a / "truth" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert max(e.split(",")[0] for e in events[1:]) == "2026-10-10"
    assert (a / "truth" / "events.csv").read_bytes() == (b / "truth" / "events.csv").read_bytes()
    for folder in ("health/births", "health/deaths", "tax/taxpayers", "civil_affairs/marriages"):
        names = sorted(p.name for p in (a / folder).iterdir())
        assert names == sorted(p.name for p in (b / folder).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(a / folder, b / folder, names, shallow=False)
        assert not mismatch and not errors, (folder, mismatch)

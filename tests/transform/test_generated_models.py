"""The dbt files generated from the catalogue are current, and the catalogue's party and column rules hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Resource
from pipelines.catalog.subjects import SubjectRules, SubjectRulesInvalid, load_subject_rules
from pipelines.transform.generate import render
from pipelines.transform.staging_models import STAGING_DIR


def test_one_staging_model_per_resource_and_every_field_renamed_to_its_standard_column():
    files = render()
    for dept, resource in load_catalog().resources():
        name = f"stg_{dept.code}__{resource.slug}"
        current = files[STAGING_DIR / dept.code / f"{name}.sql"]
        versions = files[STAGING_DIR / dept.code / f"{name}_versions.sql"]
        sql = files[STAGING_DIR / dept.code / f"{name}_rows.sql"]
        assert f"ref('{name}_versions')" in current and "where is_current" in current
        assert f"ref('{name}_rows')" in versions
        # standardised once per batch: incremental, reading only the loads not in the table yet
        assert "materialized='incremental'" in sql and "if is_incremental()" in sql
        assert "where _load_id not in (select load_id from {{ this }}" in sql
        assert f"source('{dept.code}', '{resource.slug}')" in sql
        for f in resource.fields:
            assert f"adapter.quote('{f.name}')" in sql  # each engine quotes the source column its way
            assert f"as {'record_key' if f.key else f.staging_column}" in sql


def _resource(**changes) -> dict:
    base = load_catalog().resource("health", "birth_records").model_dump(by_alias=True)
    base.update(changes)
    return base


def test_a_party_must_be_declared():
    data = _resource(parties={"newborn": "population", "mother": "population"})
    with pytest.raises(ValidationError, match="not declared under `parties`: father"):
        Resource.model_validate(data)


def test_two_fields_cannot_stage_to_the_same_column():
    data = _resource()
    data["fields"][2]["column"] = "person_name"  # 出生时间 (newborn) onto newborn_person_name
    with pytest.raises(ValidationError, match="duplicate staging columns"):
        Resource.model_validate(data)


def test_declared_parties_of_the_records_own_subject_replace_it():
    catalog = load_catalog()
    assert catalog.resource("health", "birth_records").party_subjects() == {
        "newborn": "population",
        "mother": "population",
        "father": "population",
    }
    assert catalog.resource("tax", "taxpayer_registrations").party_subjects() == {
        "subject": "legal_entities",
        "legal_rep": "population",
    }


def test_golden_record_rules_name_only_sources_that_supply_the_attribute(tmp_path):
    (tmp_path / "population.yml").write_text(
        "subject: population\nattributes:\n"
        "  death_date: {authority: [tax/taxpayer_registrations]}\n"
        "  person_name: {authority: [health/nowhere]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SubjectRulesInvalid) as exc:
        load_subject_rules(load_catalog(), tmp_path)
    assert "death_date: tax/taxpayer_registrations has no field with column death_date" in str(exc.value)
    assert "person_name: health/nowhere is not a catalogued resource" in str(exc.value)


def test_the_authority_ranks_first_then_fallbacks_in_order():
    rules = SubjectRules.model_validate(
        {"subject": "population", "attributes": {"birth_date": {"authority": ["a/b"], "fallback": ["c/d", "e/f"]}}}
    )
    assert rules.ranking() == [
        ("birth_date", "a/b", 1, True),
        ("birth_date", "c/d", 2, False),
        ("birth_date", "e/f", 3, False),
    ]

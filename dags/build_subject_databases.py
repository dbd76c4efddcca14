"""Airflow DAG build_subject_databases: standardise, link and build the subject databases.

Runs when any of the 9 catalogued resources lands a batch in the lake: dbt builds the staging
and intermediate models, Splink links legal entities and then persons, dbt builds the marts
(population, legal_entities, licences, quality) with their contracts and tests.
Generated from catalog/ by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.subject_dag import build_subject_dag

dag = build_subject_dag(
    raw_assets=[
        ["civil_affairs", "marriage_registrations"],
        ["civil_affairs", "social_organisations"],
        ["health", "birth_records"],
        ["health", "death_records"],
        ["hr_social_security", "social_insurance_enrolments"],
        ["market_regulation", "enterprise_registry"],
        ["market_regulation", "food_business_licences"],
        ["public_security", "household_registry"],
        ["tax", "taxpayer_registrations"],
    ],
    doc_md=__doc__,
)

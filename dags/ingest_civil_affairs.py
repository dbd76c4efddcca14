"""Airflow DAG ingest_civil_affairs: 宁波市民政局 (Ningbo Civil Affairs Bureau).

One task per catalogued resource: marriage_registrations, social_organisations.
Generated from catalog/civil_affairs.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="civil_affairs",
    resources=["marriage_registrations", "social_organisations"],
    schedule="@monthly",
    doc_md=__doc__,
)

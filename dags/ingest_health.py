"""Airflow DAG ingest_health: 宁波市卫生健康委员会 (Ningbo Health Commission).

One task per catalogued resource: birth_records, death_records.
Generated from catalog/health.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="health",
    resources=["birth_records", "death_records"],
    schedule="@monthly",
    doc_md=__doc__,
)

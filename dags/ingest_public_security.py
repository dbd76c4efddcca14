"""Airflow DAG ingest_public_security: 宁波市公安局 (Ningbo Public Security Bureau).

One task per catalogued resource: household_registry.
Generated from catalog/public_security.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="public_security",
    resources=["household_registry"],
    schedule="@daily",
    doc_md=__doc__,
)

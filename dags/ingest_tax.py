"""Airflow DAG ingest_tax: 国家税务总局宁波市税务局 (Ningbo Tax Service, State Taxation Administration).

One task per catalogued resource: taxpayer_registrations.
Generated from catalog/tax.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="tax",
    resources=["taxpayer_registrations"],
    schedule="@monthly",
    doc_md=__doc__,
)

"""Airflow DAG ingest_market_regulation: 宁波市市场监督管理局 (Ningbo Administration for Market Regulation).

One task per catalogued resource: enterprise_registry, food_business_licences.
Generated from catalog/market_regulation.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="market_regulation",
    resources=["enterprise_registry", "food_business_licences"],
    schedule="@daily",
    doc_md=__doc__,
)

"""Airflow DAG ingest_hr_social_security: 宁波市人力资源和社会保障局 (Ningbo Human Resources and Social Security Bureau).

One task per catalogued resource: social_insurance_enrolments.
Generated from catalog/hr_social_security.yml by `govlake generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="hr_social_security",
    resources=["social_insurance_enrolments"],
    schedule="@monthly",
    doc_md=__doc__,
)

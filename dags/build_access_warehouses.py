"""Airflow DAG build_access_warehouses: one warehouse per role, and the verification index.

Runs after `publish_quality_scorecards` has scored the rebuilt subject databases, and nightly: each role's
warehouse holds only what its grants allow on that day (sharing classes in catalog/, approvals in
catalog/access/approvals.yml), personal data masked and pseudonymised; the build stops on any
sensitive column without a masking rule.
"""

from pipelines.orchestration.access_dag import build_access_dag

dag = build_access_dag(doc_md=__doc__)

"""Airflow DAG publish_quality_scorecards: Great Expectations validation and department scorecards.

Runs after `build_subject_databases` publishes the subject databases: every lake batch not validated
before is checked against its resource's suite (generated from standards/ + catalog/, thresholds and
waivers from expectations/), the results are stored as rows, dbt rebuilds the scorecards (with consistency, timeliness and
accessibility from the subject databases and the ledger), and the static site is published.
"""

from pipelines.orchestration.quality_dag import build_quality_dag

dag = build_quality_dag(doc_md=__doc__)

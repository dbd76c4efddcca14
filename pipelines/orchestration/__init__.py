"""Airflow wiring: DAG factories used by the generated files in `dags/` (no logic of their own)."""

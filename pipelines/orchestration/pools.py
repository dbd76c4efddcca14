"""The Airflow pool the warehouse's users queue in.

The subject databases' build, the scoring and the role warehouses' build all open the warehouse, and
DuckDB lets one process hold its file for writing (the nightly access build once met the subject
build there: "Could not set lock on file"). One slot makes the scheduler run them one at a time,
whichever DAG they belong to; the tasks declare the pool, `govlake airflow` creates it
(`airflow_local.prepare`)."""

from __future__ import annotations

WAREHOUSE_POOL = "govlake_warehouse"
POOLS = {WAREHOUSE_POOL: (1, "tasks that open the warehouse: one at a time (DuckDB's single writer)")}

"""The `ingest_<department>` DAG: one task per catalogued resource, each landing its new deliveries
and publishing the resource's Asset. The task body only calls `pipelines.ingest`.

The Asset's event is what starts the build downstream, so it is emitted only when a batch was
published (or a delivery refused whole, which the scorecards count) and carries the loads' ids and
row counts; a run that found nothing new ends skipped, and the chain stays still."""

from __future__ import annotations

from datetime import datetime, timedelta


def land_resource(department: str, resource: str, *, data_interval_end=None, outlet_events=None) -> dict:
    """Task body: ingest one resource; fail the task (so Airflow retries) if any delivery failed, skip
    it if nothing new was published. Files dropped after the run's data interval are left for a later
    run: a backfill over past dates lands each interval's files in its own run."""
    from airflow.sdk.exceptions import AirflowSkipException

    from pipelines.ingest.runner import ingest_resource
    from pipelines.orchestration.assets import raw_asset

    results = ingest_resource(department, resource, delivered_by=data_interval_end)
    summary = {
        "deliveries": len(results),
        "published": sum(r.status == "published" for r in results),
        "rejected": sum(r.status == "rejected" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "rows_in": sum(r.rows_in for r in results),
        "rows_landed": sum(r.rows_landed for r in results),
        "rows_quarantined": sum(r.rows_quarantined for r in results),
    }
    failed = [f"{r.delivery}: {r.message}" for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError(f"{department}/{resource}: {len(failed)} delivery(ies) failed: " + "; ".join(failed))
    loads = [
        {
            "load_id": r.load_id,
            "status": r.status,
            "rows_in": r.rows_in,
            "rows_landed": r.rows_landed,
            "rows_quarantined": r.rows_quarantined,
        }
        for r in results
        if r.status in ("published", "rejected")
    ]
    if not loads:
        raise AirflowSkipException(f"{department}/{resource}: nothing new to publish ({summary['skipped']} skipped)")
    if outlet_events is not None:  # dag.test() and the scheduler pass it; a direct call has no events
        outlet_events[raw_asset(department, resource)].extra = {**summary, "loads": loads}
    return summary


def build_ingest_dag(department: str, resources: list[str], schedule: str, doc_md: str):
    from airflow.sdk import dag, task

    from pipelines.orchestration.assets import raw_asset

    @dag(
        dag_id=f"ingest_{department}",
        schedule=schedule,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 3, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True},
        tags=["govlake", "ingest", department],
        doc_md=doc_md,
    )
    def ingest_department():
        for resource in resources:
            task(task_id=resource, outlets=[raw_asset(department, resource)])(land_resource)(department, resource)

    return ingest_department()

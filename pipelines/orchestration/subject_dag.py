"""The `build_subject_databases` DAG: when any resource lands in the lake, pass the quality gate (GX),
standardise (dbt), link (Splink) and build the marts (dbt). Task bodies only call `pipelines.transform.build`.

The first delivery of a day triggers the run, which then waits until no ingest run is in flight (or
the declared cut-off, `build_wait_minutes`, has passed) so it builds on the day's lake, not on the
first department's. Deliveries that arrived meanwhile queue one more run, which finds every load
already taken in (the ledger says which) and skips: one build per day's deliveries.

One task per stage rather than one per dbt model: see docs/decisions.md (astronomer-cosmos measured).
"""

from __future__ import annotations

from pipelines.transform.build import LINK_ORDER

WAIT_FOR_DELIVERIES = "wait_for_deliveries"


def deliveries_settled(departments: list[str], *, ti=None, dag_run=None) -> bool:
    """Sensor poke: no ingest DAG has a run queued or running, or the cut-off has passed (a department
    whose source hangs never holds the build)."""
    from datetime import UTC, datetime

    from pipelines.settings import get_settings

    in_flight = {d: ti.get_dr_count(dag_id=f"ingest_{d}", states=["queued", "running"]) for d in departments}
    started = dag_run.start_date or datetime.now(UTC)
    waited_minutes = (datetime.now(UTC) - started).total_seconds() / 60
    return not any(in_flight.values()) or waited_minutes >= get_settings().build_wait_minutes


def gate_task() -> dict:
    """The quality gate (`pipelines.quality.gate`): validate the new loads and hold the broken ones back. A
    hold fails this task, without retries (a retry would find the same delivery), red in the UI with the
    checks that tripped; the build goes on with the rest."""
    from airflow.sdk.exceptions import AirflowFailException

    from pipelines.quality.gate import describe, gate
    from pipelines.settings import get_settings
    from pipelines.transform.build import CONSUMER

    report = gate(get_settings(), CONSUMER)
    if report.held:
        held = "; ".join(
            f"{h['department']}/{h['resource']} {h['delivery']}: {describe(h['tripped'], 1)}" for h in report.held
        )
        raise AirflowFailException(f"{len(report.held)} delivery(ies) held back from the subject databases: {held}")
    return {"replaced": report.replaced}


def standardise_task(ds: str | None = None, *, ti=None, dag_run=None) -> dict:
    """Skipped when every load in the lake has been built already; returns the loads it takes in. The run's
    date (`ds`) as the marts' (`pipelines.transform.build.dbt_vars`). Runs whatever the gate's outcome, and
    passes the gate itself first (judged already: nothing to do), so no load is built unjudged.

    Its trigger rule (`all_done`) sees only the gate, which is `upstream_failed` alike when the deliveries
    sensor failed: so it asks the sensor itself, and builds nothing on a lake still being delivered."""
    from airflow.sdk.exceptions import AirflowSkipException

    from pipelines.quality.gate import gate
    from pipelines.settings import get_settings
    from pipelines.transform.build import CONSUMER, pending_loads, standardise

    if not ti.get_ti_count(
        dag_id=ti.dag_id, task_ids=[WAIT_FOR_DELIVERIES], run_ids=[dag_run.run_id], states=["success"]
    ):
        raise AirflowSkipException(f"{WAIT_FOR_DELIVERIES} did not succeed: nothing is built on a partial lake")
    settings = get_settings()
    gate(settings, CONSUMER)
    loads = pending_loads(settings)
    if not loads:
        raise AirflowSkipException("every published load is in the subject databases already")
    return {"seconds": round(standardise(settings, as_of=ds), 1), "loads": loads}


def link_task(subject: str) -> dict:
    from pipelines.settings import get_settings
    from pipelines.transform.build import link_subject

    r = link_subject(get_settings(), subject)
    return {
        "records": r.records,
        "clusters": r.clusters,
        "pairs_scored": r.pairs_scored,
        "seconds": round(r.seconds_total, 1),
    }


def marts_task(standardised: dict, ds: str | None = None) -> dict:
    """Airflow passes the run's date (`ds`): licence expiry is judged as of the run, not of the rerun."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import BuildFailed, build_marts, mark_built, summary

    settings = get_settings()
    build_marts(settings, as_of=ds)
    counts, unbalanced = summary(settings)
    if unbalanced:
        raise BuildFailed(f"records unaccounted for between the lake and the subject databases: {unbalanced}")
    mark_built(settings, standardised["loads"])
    return counts


def build_subject_dag(raw_assets: list[tuple[str, str]], doc_md: str):
    from airflow.sdk import AssetAny, dag, task

    from pipelines.orchestration.assets import ASSET_DAG_DEFAULTS, SUBJECT_ASSETS, raw_asset, subject_asset
    from pipelines.orchestration.pools import WAREHOUSE_POOL

    @dag(
        dag_id="build_subject_databases",
        schedule=AssetAny(*(raw_asset(d, r) for d, r in raw_assets)),
        **ASSET_DAG_DEFAULTS,
        tags=["govlake", "standardise", "dbt", "splink"],
        doc_md=doc_md,
    )
    def build_subject_databases():
        departments = sorted({d for d, _ in raw_assets})
        settled = task.sensor(task_id=WAIT_FOR_DELIVERIES, poke_interval=15, mode="reschedule")(deliveries_settled)(
            departments
        )
        gated = task(task_id="quality_gate", pool=WAREHOUSE_POOL, retries=0)(gate_task)()
        standardised = task(task_id="standardise", pool=WAREHOUSE_POOL, trigger_rule="all_done")(standardise_task)()
        settled >> gated >> standardised
        previous = standardised
        for subject in LINK_ORDER:
            linked = task(task_id=f"link_{subject}", pool=WAREHOUSE_POOL)(link_task)(subject)
            previous >> linked
            previous = linked
        marts = task(task_id="build_marts", pool=WAREHOUSE_POOL, outlets=[subject_asset(s) for s in SUBJECT_ASSETS])(
            marts_task
        )(standardised)
        previous >> marts

    return build_subject_databases()

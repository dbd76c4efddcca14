"""The `build_access_warehouses` DAG: every role's warehouse and the verification index, rebuilt
once the subject databases have been rebuilt and scored, and every night (an approval that expires
must leave the analysts' warehouse the day it does). It follows the scoring, not the subject
databases themselves: the departments' failing records come from the scored results, and a build
started beside the scoring's dbt run would find the warehouse locked by its writer. Task bodies only
call `pipelines.access` and `pipelines.verification`."""

from __future__ import annotations


def build_role_warehouses_task() -> dict:
    """Skipped, not failed, before the first scoring: the nightly schedule may come first."""
    from airflow.sdk.exceptions import AirflowSkipException

    from pipelines.access.build import build_all
    from pipelines.engines import engine_for
    from pipelines.settings import get_settings

    if not engine_for(get_settings()).has_mart("quality", "fct_quality_results"):
        raise AirflowSkipException("nothing scored yet: the role warehouses wait for the first build")
    return {r.role: sum(r.tables.values()) for r in build_all()}


def build_verification_index_task() -> dict:
    from pipelines.verification.index import build_index

    return build_index()


def build_access_dag(doc_md: str):
    from airflow.sdk import dag, task
    from airflow.timetables.assets import AssetOrTimeSchedule
    from airflow.timetables.trigger import CronTriggerTimetable

    from pipelines.orchestration.assets import ASSET_DAG_DEFAULTS, scorecards_asset
    from pipelines.orchestration.pools import WAREHOUSE_POOL

    @dag(
        dag_id="build_access_warehouses",
        schedule=AssetOrTimeSchedule(
            timetable=CronTriggerTimetable("30 0 * * *", timezone="Asia/Shanghai"),
            assets=scorecards_asset(),
        ),
        **ASSET_DAG_DEFAULTS,
        tags=["govlake", "access", "masking", "verification"],
        doc_md=doc_md,
    )
    def build_access_warehouses():
        (
            task(task_id="build_role_warehouses", pool=WAREHOUSE_POOL)(build_role_warehouses_task)()
            >> task(task_id="build_verification_index", pool=WAREHOUSE_POOL)(build_verification_index_task)()
        )

    return build_access_warehouses()

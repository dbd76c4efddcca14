"""The `publish_quality_scorecards` DAG: after the subject databases are rebuilt, validate the lake's
new batches against the generated suites (GX), rebuild the scorecards (dbt) and publish the site.
Task bodies only call `pipelines.quality`, `pipelines.transform.build` and `pipelines.publish`."""

from __future__ import annotations


def validate_task() -> dict:
    from pipelines.quality.validate import validate
    from pipelines.settings import get_settings

    rows = validate(get_settings())
    return {"results": len(rows), "failed": sum(not r["success"] and not r["waived"] for r in rows)}


def score_task(ds: str | None = None) -> float:
    """Airflow passes the run's date (`ds`): dormancy is judged as of the run, as the build's expiry is."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import build_scorecards

    return round(build_scorecards(get_settings(), as_of=ds), 1)


def publish_task() -> str:
    from pipelines.publish.site import publish
    from pipelines.settings import get_settings

    return str(publish(get_settings()))


def build_quality_dag(doc_md: str):
    from airflow.sdk import AssetAny, dag, task

    from pipelines.orchestration.assets import ASSET_DAG_DEFAULTS, SUBJECT_ASSETS, scorecards_asset, subject_asset
    from pipelines.orchestration.pools import WAREHOUSE_POOL

    @dag(
        dag_id="publish_quality_scorecards",
        schedule=AssetAny(*(subject_asset(s) for s in SUBJECT_ASSETS)),
        **ASSET_DAG_DEFAULTS,
        tags=["govlake", "quality", "great_expectations", "scorecards"],
        doc_md=doc_md,
    )
    def publish_quality_scorecards():
        (
            task(task_id="validate", pool=WAREHOUSE_POOL)(validate_task)()
            >> task(task_id="score", pool=WAREHOUSE_POOL, outlets=[scorecards_asset()])(score_task)()
            >> task(task_id="publish", pool=WAREHOUSE_POOL)(publish_task)()
        )

    return publish_quality_scorecards()

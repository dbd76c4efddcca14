"""The `build_subject_databases` DAG: when any resource lands in the lake, standardise (dbt), link
(Splink) and build the marts (dbt). Task bodies only call `pipelines.transform.build`.

One task per stage rather than one per dbt model: see docs/decisions.md (astronomer-cosmos measured).
"""

from __future__ import annotations

from pipelines.transform.build import LINK_ORDER


def standardise_task() -> float:
    from pipelines.settings import get_settings
    from pipelines.transform.build import standardise

    return round(standardise(get_settings()), 1)


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


def marts_task(ds: str | None = None) -> dict:
    """Airflow passes the run's date (`ds`): licence expiry is judged as of the run, not of the rerun."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import BuildFailed, build_marts, summary

    settings = get_settings()
    build_marts(settings, as_of=ds)
    counts, unbalanced = summary(settings)
    if unbalanced:
        raise BuildFailed(f"records unaccounted for between the lake and the subject databases: {unbalanced}")
    return counts


def build_subject_dag(raw_assets: list[tuple[str, str]], doc_md: str):
    from airflow.sdk import AssetAny, dag, task

    from pipelines.orchestration.assets import ASSET_DAG_DEFAULTS, SUBJECT_ASSETS, raw_asset, subject_asset

    @dag(
        dag_id="build_subject_databases",
        schedule=AssetAny(*(raw_asset(d, r) for d, r in raw_assets)),
        **ASSET_DAG_DEFAULTS,
        tags=["govlake", "standardise", "dbt", "splink"],
        doc_md=doc_md,
    )
    def build_subject_databases():
        standardised = task(task_id="standardise")(standardise_task)()
        previous = standardised
        for subject in LINK_ORDER:
            linked = task(task_id=f"link_{subject}")(link_task)(subject)
            previous >> linked
            previous = linked
        marts = task(task_id="build_marts", outlets=[subject_asset(s) for s in SUBJECT_ASSETS])(marts_task)()
        previous >> marts

    return build_subject_databases()

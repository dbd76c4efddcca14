"""Airflow Assets of the lake (one per catalogued resource) and of the subject databases, for
data-aware scheduling downstream."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipelines.catalog.models import Subject

# what every asset-scheduled govlake DAG shares: one run at a time, no backfill of missed schedules
ASSET_DAG_DEFAULTS = {
    "start_date": datetime(2026, 1, 1),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": {"retries": 2, "retry_delay": timedelta(minutes=2)},
}


def raw_asset_uri(department: str, resource: str) -> str:
    return f"file:///govlake/lake/raw/dept={department}/resource={resource}"


def raw_asset(department: str, resource: str):  # -> airflow.sdk.Asset (imported lazily: no Airflow at import)
    from airflow.sdk import Asset

    return Asset(name=f"raw.{department}.{resource}", uri=raw_asset_uri(department, resource), group="govlake-raw")


SUBJECT_ASSETS = tuple(s.value for s in Subject)


def subject_asset(subject: str):  # -> airflow.sdk.Asset
    from airflow.sdk import Asset

    return Asset(name=f"subject.{subject}", uri=f"file:///govlake/warehouse/{subject}", group="govlake-subjects")


def scorecards_asset():  # -> airflow.sdk.Asset
    """The scored quality results (`quality.fct_quality_results` and the scorecards)."""
    from airflow.sdk import Asset

    return Asset(name="quality.scorecards", uri="file:///govlake/warehouse/quality", group="govlake-subjects")

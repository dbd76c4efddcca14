"""The loads a build takes in, written where dbt reads them (`build/increment.parquet` in the lake).

The staging and intermediate models kept record by record compute again only the records these loads name
(dbt_project/macros/record_increments.sql). They are the loads no completed build has taken in, so the
loads of a build killed midway are taken in again by the next one: computing a record twice gives the same
rows.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.lake.layout import write_parquet_atomically
from pipelines.settings import Settings


def increment_path(settings: Settings) -> Path:
    return settings.lake_root / "build" / "increment.parquet"


def write_increment(settings: Settings, load_ids: list[str]) -> Path:
    import pyarrow as pa

    return write_parquet_atomically(pa.table({"load_id": pa.array(load_ids, pa.string())}), increment_path(settings))

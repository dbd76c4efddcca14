"""Engine adapters: everything that differs between DuckDB and Spark lives here (Splink's pattern).

Business code asks `engine_for(settings)` for the engine the settings select and talks to it through
`Engine`; it never branches on the engine's name.
"""

from __future__ import annotations

from pipelines.engines.base import Engine
from pipelines.settings import EngineName, Settings


def engine_for(settings: Settings) -> Engine:
    """The adapter for `GOVLAKE_ENGINE` (one per process and settings: a Spark session is costly)."""
    key = (settings.engine, settings.data_root)
    if key not in _ENGINES:
        if settings.engine is EngineName.SPARK:
            from pipelines.engines.spark import SparkEngine

            _ENGINES[key] = SparkEngine(settings)
        else:
            from pipelines.engines.duckdb import DuckDBEngine

            _ENGINES[key] = DuckDBEngine(settings)
    return _ENGINES[key]


_ENGINES: dict[tuple, Engine] = {}

__all__ = ["Engine", "engine_for"]

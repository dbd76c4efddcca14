"""Shared fixtures: telemetry off, a small synthetic city generated once per session."""

from __future__ import annotations

import os

for _key, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "SCARF_NO_ANALYTICS": "true",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "SPARK_LOCAL_IP": "127.0.0.1",
}.items():
    os.environ.setdefault(_key, _value)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from pipelines.synth.city import generate_city  # noqa: E402
from pipelines.synth.config import CityConfig  # noqa: E402

SMALL_CITY = CityConfig(people=3_000, seed=7)


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A 3,000-person city with the default defect rates: (folder, summary)."""
    out = tmp_path_factory.mktemp("city")
    return out, generate_city(SMALL_CITY, out)

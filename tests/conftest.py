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

import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from pipelines.synth.city import generate_city  # noqa: E402
from pipelines.synth.config import CityConfig  # noqa: E402

SMALL_CITY = CityConfig(people=3_000, seed=7)


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A 3,000-person city with the default defect rates: (folder, summary)."""
    out = tmp_path_factory.mktemp("city")
    return out, generate_city(SMALL_CITY, out)


SERVERS = {
    "postgresql": (
        "postgresql+psycopg://root@127.0.0.1:5432/postgres",
        "postgresql+psycopg://root@127.0.0.1:5432/{db}",
    ),
    "mariadb": ("mysql+pymysql://root@127.0.0.1:3306/test", "mysql+pymysql://root@127.0.0.1:3306/{db}?charset=utf8mb4"),
}


@pytest.fixture
def scratch_database(request):
    """A fresh database on a real server, dropped afterwards."""
    admin_url, url_template = SERVERS[request.param]
    name = f"govlake_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE {name}" + (" CHARACTER SET utf8mb4" if request.param == "mariadb" else "")
        )
    yield request.param, url_template.format(db=name)
    with admin.connect() as conn:
        if request.param == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        conn.exec_driver_sql(f"DROP DATABASE {name}")
    admin.dispose()

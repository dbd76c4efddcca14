"""The same writer fills the real PostgreSQL and MariaDB servers with exactly the SQLite content."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig

pytestmark = pytest.mark.db


def _rows(engine_or_path, table: str) -> list[tuple]:
    if isinstance(engine_or_path, str):
        engine = sa.create_engine(engine_or_path)
        with engine.connect() as conn:
            rows = [
                tuple(None if v is None else str(v) for v in r) for r in conn.exec_driver_sql(f"select * from {table}")
            ]
        engine.dispose()
    else:
        con = sqlite3.connect(engine_or_path)
        rows = [tuple(None if v is None else str(v) for v in r) for r in con.execute(f"select * from {table}")]
        con.close()
    return sorted(rows, key=lambda r: int(r[0]))


@pytest.mark.parametrize("scratch_database", ["postgresql", "mariadb"], indirect=True)
def test_server_sources_equal_the_embedded_ones(tmp_path, scratch_database):
    kind, url = scratch_database
    cfg = CityConfig(people=600, seed=5)
    generate_city(cfg, tmp_path / "embedded")
    if kind == "postgresql":
        generate_city(cfg.model_copy(update={"public_security_url": url}), tmp_path / "server")
        assert not (tmp_path / "server" / "public_security" / "hukou.sqlite").exists()
        pairs = [("rk_hjxx", tmp_path / "embedded" / "public_security" / "hukou.sqlite")]
    else:
        generate_city(cfg.model_copy(update={"market_regulation_url": url}), tmp_path / "server")
        pairs = [(t, tmp_path / "embedded" / "market_regulation" / "samr.sqlite") for t in ("qydj", "spjyxkz")]
    for table, sqlite_file in pairs:
        server_rows, embedded_rows = _rows(url, table), _rows(sqlite_file, table)
        assert len(server_rows) > 10
        assert _plain(server_rows) == _plain(embedded_rows), table


def _plain(rows: list[tuple]) -> list[tuple]:
    """Registered capital prints as 10.00 on the servers and 10 in SQLite: compare numbers as numbers."""
    return [
        tuple(v.rstrip("0").rstrip(".") if v and "." in v and v.replace(".", "").isdigit() else v for v in r)
        for r in rows
    ]

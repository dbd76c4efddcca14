"""The platform's DuckDB connections draw no progress bar, including a second connection to a file the
process has open already (as GX's engine opens the validation scratch file beside the platform's)."""

from __future__ import annotations

from pipelines.engines.duckdb_connect import connect

SETTING = "select current_setting('enable_progress_bar')"


def test_connections_are_quiet_and_share_a_file(tmp_path):
    path = str(tmp_path / "scratch.duckdb")
    first = connect(path)
    second = connect(path)  # the same database instance: a config-time setting would be refused here
    assert first.execute(SETTING).fetchone() == (False,) == second.execute(SETTING).fetchone()
    locked = connect(config={"lock_configuration": True})  # a role's reader: its settings are fixed
    assert locked.execute("select 42").fetchone() == (42,)
    for con in (first, second, locked):
        con.close()

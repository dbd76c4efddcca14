"""dbt runs in the platform's process on DuckDB: after each command, failed or not, the warehouse is closed
again (the linkage and the platform's read-only connections open it next) and the process is where it was."""

from __future__ import annotations

import os

import duckdb
import pytest

from pipelines.engines import engine_for
from pipelines.engines.base import BuildFailed
from pipelines.settings import Settings


def test_the_warehouse_is_closed_after_each_dbt_command(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", source_root=tmp_path / "city")
    settings.data_root.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("create table answers as select 42 as answer")
    engine, before = engine_for(settings), os.getcwd()

    engine.run_dbt(["show", "--inline", "select answer from main.answers"])  # dbt opens the warehouse
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:  # another configuration
        assert con.execute("select answer from answers").fetchone() == (42,)
    with pytest.raises(BuildFailed, match="answers"):
        engine.run_dbt(["show", "--inline", "select no_such_column from main.answers"])
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from answers").fetchone() == (1,)
    assert os.getcwd() == before


def test_dbt_leaves_the_processs_logging_as_it_found_it(tmp_path):
    """Importing dbt configures the root logger (a handler on stderr): after a command, every library's INFO
    lines would reach the demo's output and the task logs. A new process, since pytest's own handlers on
    the root logger would hide it."""
    import subprocess
    import sys

    script = (
        "import logging, sys, duckdb\n"
        "from pathlib import Path\n"
        "from pipelines.engines import engine_for\n"
        "from pipelines.settings import Settings\n"
        "root = Path(sys.argv[1])\n"
        "settings = Settings(data_dir=root / 'data', source_root=root / 'city')\n"
        "settings.data_root.mkdir(parents=True)\n"
        "duckdb.connect(str(settings.warehouse_path)).close()\n"
        "engine_for(settings).run_dbt(['show', '--inline', 'select 1 as one'])\n"
        "logging.getLogger('great_expectations').setLevel(logging.INFO)\n"
        "logging.getLogger('great_expectations').info('a library says something')\n"
        "print(len(logging.getLogger().handlers))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0"
    assert "a library says something" not in done.stderr

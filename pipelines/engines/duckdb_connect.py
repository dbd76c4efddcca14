"""Every platform connection to DuckDB: quiet. DuckDB's Python client draws a progress bar on stdout for
any query over two seconds, even into a file, which fills task logs and the demo's output. It is a
connection's own setting (set in `config`, it would fail on a file another connection in the process has
open), so each connection turns it off, unless its configuration is locked (a role's reader: short queries)."""

from __future__ import annotations

import duckdb


def connect(database: str = ":memory:", read_only: bool = False, config: dict | None = None):
    con = duckdb.connect(database, read_only=read_only, config=config or {})
    if not (config or {}).get("lock_configuration"):
        con.execute("set enable_progress_bar = false")
    return con

"""The workspace's kept-state helpers the linkage relies on: which records changed since they were scored,
and a table's stale rows replaced in place (all or nothing)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipelines.engines.base import Workspace
from pipelines.engines.duckdb import DuckDBWorkspace

WAS = {"id": ["a", "b", "c", "d"], "name": ["张三", None, "王五", "赵六"], "contexts": [["h:1"], ["h:2"], [], ["h:4"]]}
NOW = {  # b gained a name, c a context, d is unchanged, e is new; a is gone
    "id": ["b", "c", "d", "e"],
    "name": ["李四", "王五", "赵六", "钱七"],
    "contexts": [["h:2"], ["h:3"], ["h:4"], []],
}


def _changed(ws, sql: str) -> set[str]:
    return {r[0] for r in ws.fetch(sql)}


def test_the_hashed_comparison_finds_what_comparing_every_column_finds(tmp_path):
    with DuckDBWorkspace(tmp_path / "warehouse.duckdb") as ws:
        ws.register("_was", pa.table(WAS))
        ws.register("_now", pa.table(NOW))
        ws.execute("create table was as select * from _was")
        ws.execute("create table now as select * from _now")
        hashed = _changed(ws, ws.changed_keys("now", "was", "id"))
        compared = _changed(ws, Workspace.changed_keys(ws, "now", "was", "id"))
    assert hashed == compared == {"b", "c", "e"}


def test_rows_are_replaced_in_place_or_not_at_all(tmp_path):
    with DuckDBWorkspace(tmp_path / "warehouse.duckdb") as ws:
        ws.register("_was", pa.table(WAS))
        ws.execute("create table t as select id, name from _was")
        ws.replace_rows("t", "id in ('a', 'b')", "select 'b', '李四'")
        assert sorted(ws.fetch("select id, name from t")) == [("b", "李四"), ("c", "王五"), ("d", "赵六")]
        with pytest.raises(Exception, match="no_such_table"):
            ws.replace_rows("t", "id = 'c'", "select * from no_such_table")
        assert sorted(r[0] for r in ws.fetch("select id from t")) == ["b", "c", "d"]  # the delete rolled back
        ws.replace_rows("t", "id = 'd'")
        assert sorted(r[0] for r in ws.fetch("select id from t")) == ["b", "c"]

"""The linkage's string similarity counts characters, and gives the same numbers on both engines."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from pipelines.engines.duckdb import DuckDBWorkspace
from pipelines.settings import EngineName, Settings

PAIRS = [
    ("张三", "张四"),  # one character of a given name: 3 UTF-8 bytes
    ("欧阳娜娜", "欧阳娜"),
    ("浙江省宁波市海曙区中山西路1号", "浙江省宁波市江北区中山西路1号"),
    ("19900101", "19900110"),  # a transposition
    ("abc", "abc"),
    (None, "x"),
]
SQL = (
    "select char_levenshtein(l, r), char_damerau_levenshtein(l, r), round(char_jaro_winkler(l, r), 12) "
    "from pairs order by i"
)


def _similarities(ws) -> list[tuple]:
    ws.register("pairs", pa.table({"i": range(len(PAIRS)), "l": [p[0] for p in PAIRS], "r": [p[1] for p in PAIRS]}))
    ws.splink_api()  # registers the functions, as the linkage does
    return ws.fetch(SQL)


def test_distances_count_characters_where_duckdbs_own_count_bytes(tmp_path):
    with DuckDBWorkspace(tmp_path / "warehouse.duckdb") as ws:
        rows = _similarities(ws)
    assert [r[0] for r in rows] == [1, 1, 2, 2, 0, None]
    assert rows[3][1] == 1  # Damerau-Levenshtein: a transposition is one edit
    assert rows[4][2] == 1.0 and rows[5][2] is None
    assert duckdb.sql("select levenshtein('张三', '张四')").fetchone()[0] == 3  # why DuckDB's own is not used


@pytest.mark.spark
def test_spark_gives_the_same_similarities(tmp_path):
    from pipelines.engines.spark import SparkEngine

    with DuckDBWorkspace(tmp_path / "warehouse.duckdb") as ws:
        expected = _similarities(ws)
    engine = SparkEngine(Settings(data_dir=tmp_path, engine=EngineName.SPARK))
    try:
        with engine.workspace() as ws:
            assert _similarities(ws) == expected
    finally:
        engine.close()

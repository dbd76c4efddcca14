"""What the lake holds, read back independently with DuckDB: keys landed per resource, ledger totals."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import duckdb

from pipelines.catalog import load_catalog
from pipelines.lake.layout import LakeLayout
from tests.synth.sources import read_truth


def landed_keys(layout: LakeLayout, department: str, resource: str, key: str) -> Counter:
    folder = layout.raw_resource(department, resource)
    files = list(folder.glob("load_id=*/*.parquet"))
    if not files:
        return Counter()
    rows = duckdb.sql(
        f"select \"{key}\" from read_parquet('{folder}/load_id=*/*.parquet', union_by_name=true)"
    ).fetchall()
    return Counter(str(r[0]) for r in rows)


def assert_every_source_row_exactly_once(city: Path, layout: LakeLayout) -> int:
    """Every record of every well-formed delivery is in raw exactly once; returns the number checked."""
    truth: dict[tuple[str, str], set[str]] = {}
    for r in read_truth(city, "records"):
        truth.setdefault((r["department"], r["resource"]), set()).add(r["record_key"])
    checked = 0
    for dept, res in load_catalog().resources():
        keys = landed_keys(layout, dept.code, res.slug, res.key_field.name)
        expected = truth.get((dept.code, res.slug), set())
        assert set(keys) == expected, (res.slug, len(set(keys) ^ expected))
        dupes = {k: n for k, n in keys.items() if n > 1}
        assert not dupes, (res.slug, list(dupes)[:3])
        checked += len(expected)
    return checked


def ledger_states(layout: LakeLayout) -> Counter:
    con = sqlite3.connect(layout.ledger_path)
    states = Counter(s for (s,) in con.execute("select status from loads"))
    bad = con.execute(
        "select count(*) from loads where status in ('published','rejected') "
        "and rows_in != rows_landed + rows_quarantined"
    ).fetchone()[0]
    con.close()
    assert bad == 0
    return states


def assert_watermarks_match_the_lake(layout: LakeLayout) -> int:
    """Every table read by a watermark: the ledger's watermark is the greatest updated-at value in its
    published batches, neither ahead of the lake (rows skipped next time) nor behind it. Returns how many."""
    from pipelines.lake.ledger import Ledger

    ledger, checked = Ledger(layout.ledger_path), 0
    for dept, res in load_catalog().resources():
        if res.watermark_field is None:
            continue
        folder = layout.raw_resource(dept.code, res.slug)
        (greatest,) = duckdb.sql(
            f"select max(\"{res.watermark_field}\") from read_parquet('{folder}/load_id=*/*.parquet', union_by_name=true)"
        ).fetchone()
        assert ledger.watermark(dept.code, res.slug)[0] == greatest, res.slug
        checked += 1
    return checked

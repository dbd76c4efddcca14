"""Reading the synthetic city's sources back in tests, independently of the platform's connectors."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import openpyxl

from pipelines.catalog import load_catalog


def read_resource(city: Path, dept: str, resource: str) -> dict[str, dict[str, object]]:
    """All records of one resource as {record_key: row}, from every well-formed delivery."""
    res = load_catalog().resource(dept, resource)
    key = res.key_field.name
    src = res.source
    rows: list[dict[str, object]] = []
    if src.kind == "database":
        con = sqlite3.connect(city / src.sqlite_fallback)
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute(f"select * from {src.table}")]
        con.close()
    elif src.kind == "file" and src.format == "csv":
        for path in sorted(city.glob(src.path)):
            if "_resend" in path.name or "_mixed" in path.name:
                continue
            data = path.read_bytes()
            text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gb18030")
            rows.extend(csv.DictReader(text.splitlines()))
    elif src.kind == "file" and src.format == "xlsx":
        for path in sorted(city.glob(src.path)):
            if "_broken" in path.name:
                continue
            wb = openpyxl.load_workbook(path, read_only=True)
            it = wb[src.sheet].iter_rows(values_only=True)
            header = next(it)
            rows.extend(dict(zip(header, r, strict=True)) for r in it)
            wb.close()
    elif src.kind == "http":
        for path in sorted(city.glob(src.files_fallback)):
            rows.extend(json.loads(path.read_text(encoding="utf-8"))["data"])
    return {str(r[key]): r for r in rows}


def read_truth(city: Path, table: str) -> list[dict[str, str]]:
    with (city / "truth" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))

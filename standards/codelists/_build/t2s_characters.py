"""Rebuild `t2s_characters.csv`: every character OpenCC's `t2s` configuration changes when it is
converted on its own (CJK Unified Ideographs, Extension A and the compatibility block). The
normalisers of Python, DuckDB and Spark all apply this one table, so they agree character for
character. Run from the project root: `.venv/bin/python standards/codelists/_build/t2s_characters.py`."""

from __future__ import annotations

import csv
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parents[1] / "t2s_characters.csv"
RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]


def pairs() -> list[tuple[str, str]]:
    converter = opencc.OpenCC("t2s")
    out = []
    for low, high in RANGES:
        for point in range(low, high + 1):
            ch = chr(point)
            simplified = converter.convert(ch)
            if simplified != ch and len(simplified) == 1:
                out.append((ch, simplified))
    return out


if __name__ == "__main__":
    rows = pairs()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "simplified"])
        writer.writerows(rows)
    print(f"{len(rows)} characters -> {OUT}")

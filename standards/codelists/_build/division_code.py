"""Rebuild `division_code.csv` (GB/T 2260: every six-digit code ever valid, with its validity years)
from python-stdnum's `cn/loc.dat`, itself compiled from the GB/T 2260 revisions.
Run from the project root: `.venv/bin/python standards/codelists/_build/division_code.py`."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from stdnum import numdb

OUT = Path(__file__).resolve().parents[1] / "division_code.csv"
SPAN = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")
FIELDS = ["code", "name_zh", "level", "valid_from", "valid_to"]


def rows() -> list[dict[str, str]]:
    out = []
    for _len, province, _high, _props, children in numdb.get("cn/loc").prefixes:
        for _len2, rest, _high2, props, _ in children:
            level = "province" if rest == "0000" else "prefecture" if rest.endswith("00") else "county"
            for entry in props["county"].split(","):
                m = SPAN.match(entry.strip())
                assert m, entry
                out.append(dict(zip(FIELDS, [province + rest, m[3], level, m[1] or "", m[2] or ""], strict=True)))
    return out


if __name__ == "__main__":
    data = rows()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"{len(data)} rows -> {OUT}")

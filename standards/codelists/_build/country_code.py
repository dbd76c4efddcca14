"""Rebuild `country_code.csv` (GB/T 2659.1-2022 = ISO 3166-1): one row per accepted form of each
country (alpha-2, alpha-3, numeric), from pycountry. Validate codes, not names: pycountry's Chinese
names are not GB/T 2659's short names.
Run from the project root: `.venv/bin/python standards/codelists/_build/country_code.py`."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parents[1] / "country_code.csv"

if __name__ == "__main__":
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        for form, code in (("alpha-2", c.alpha_2), ("alpha-3", c.alpha_3), ("numeric", c.numeric)):
            rows.append({"code": code, "name_en": c.name, "form": form, "alpha_2": c.alpha_2})
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["code", "name_en", "form", "alpha_2"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows -> {OUT}")

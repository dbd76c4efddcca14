"""The code lists the checks look codes up in, as one table rather than as SQL text.

A code-list check compiles to `code in (select code from standard_codes where codelist = ...)` and the
division-at-birth rule to an `exists` over the same table, so the generated macros stay readable and
the lists stay data. Every place the standards' SQL runs has the table: a dbt seed in the warehouse
(generated from `standards/codelists/`), and the same rows registered beside the batches GX validates,
the values the agreement tests check and the file `govlake standards check` reads.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

import pyarrow as pa

from pipelines.generation import Generator
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.standards import spec
from pipelines.standards.registry import load_codelist, load_elements, load_rules

CODE_TABLE = "standard_codes"
SEED = DBT_PROJECT_DIR / "seeds" / f"{CODE_TABLE}.csv"
COLUMNS = ("codelist", "code", "valid_from", "valid_to")
DIVISIONS = "division_code"  # the list the division-at-birth rule reads its years from
OPEN_FROM, OPEN_TO = 0, 9999  # a code valid since always, or still valid


def codelists_used() -> list[str]:
    """Every code list a check or a cross-field rule reads."""
    names = {c.codelist for e in load_elements().values() for c in e.checks if isinstance(c, spec.CodelistCheck)}
    if any(r.kind == "id_division_at_birth" for r in load_rules()):
        names.add(DIVISIONS)
    return sorted(names)


@lru_cache(maxsize=1)
def code_rows() -> list[tuple[str, str, int, int]]:
    """(code list, code, first year valid, last year valid); a code may have several rows (spans)."""
    return [
        (name, r["code"], int(r.get("valid_from") or OPEN_FROM), int(r.get("valid_to") or OPEN_TO))
        for name in codelists_used()
        for r in load_codelist(name)
    ]


@lru_cache(maxsize=1)
def division_names() -> dict[str, str]:
    """Division code -> its name (the latest span's, for a code reused after a change)."""
    return {r["code"]: r["name_zh"] for r in load_codelist(DIVISIONS)}


def division_year_bounds() -> tuple[int, int]:
    """(lo, hi): one year before the earliest and one after the latest finite bound of the division list."""
    rows = [r for r in code_rows() if r[0] == DIVISIONS]
    bounds = [r[2] for r in rows if r[2] != OPEN_FROM] + [r[3] for r in rows if r[3] != OPEN_TO]
    return (min(bounds) - 1, max(bounds) + 1) if bounds else (OPEN_FROM, OPEN_FROM)


@lru_cache(maxsize=1)
def code_table() -> pa.Table:
    """The rows as an Arrow table, to register wherever the standards' SQL runs."""
    rows = code_rows()
    codelists, codes, first, last = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pa.table(
        {
            "codelist": pa.array(codelists, pa.string()),
            "code": pa.array(codes, pa.string()),
            "valid_from": pa.array(first, pa.int32()),
            "valid_to": pa.array(last, pa.int32()),
        }
    )


def render_seed() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(code_rows())
    return out.getvalue()


GENERATOR = Generator("code lists as a dbt seed (standards/codelists/)", lambda: {SEED: render_seed()})

"""A fingerprint of the subject databases and scorecards, comparable across engines.

For every mart (the dbt models under `marts/`, read from the run's manifest): its row count, a digest
of its keys (first column) and a checksum over its sorted rows, every value written in one canonical
form (dates and timestamps in ISO 8601, floating-point numbers to 9 significant digits: each engine
adds and multiplies in its own order, so a score or a match probability may differ in its last bits,
about 1e-16 of a score, 1e-10 of a probability near 1). Two columns say when and by which run a row
was made, not what it holds, and are left out: `run_id` and `validated_at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from pipelines.engines import engine_for
from pipelines.settings import Settings

RUN_COLUMNS = {"run_id", "validated_at"}
SIGNIFICANT_DIGITS = 9


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    keys: str
    checksum: str


def mart_tables(settings: Settings) -> list[str]:
    """`schema.table` of every mart the last dbt run knew."""
    manifest = json.loads((settings.data_root / "dbt-target" / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        f"{n['schema']}.{n['alias']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")
    )


def _canonical(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return format(float(value), f".{SIGNIFICANT_DIGITS}g")
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    return value


def _digest(lines: list[str]) -> str:
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def table_fingerprint(columns: list[str], rows: list[tuple]) -> TableFingerprint:
    """The fingerprint of one table's rows (`columns` name the values of each row)."""
    kept = [i for i, c in enumerate(columns) if c not in RUN_COLUMNS]
    lines = [json.dumps([_canonical(r[i]) for i in kept], ensure_ascii=False, default=str) for r in rows]
    keys = [json.dumps(_canonical(r[kept[0]]), ensure_ascii=False, default=str) for r in rows]
    return TableFingerprint(len(rows), _digest(keys), _digest(lines))


def fingerprint(settings: Settings, tables: list[str] | None = None) -> dict[str, TableFingerprint]:
    engine = engine_for(settings)
    out = {}
    for name in tables or mart_tables(settings):
        table = engine.query(f"select * from {name}")
        rows = list(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))
        out[name] = table_fingerprint(table.column_names, rows)
    return out


def role_fingerprint(settings: Settings, role: str, tables: list[str]) -> dict[str, TableFingerprint]:
    """The fingerprint of a role's warehouse, read as the role reads it."""
    with engine_for(settings).role_reader(role) as reader:
        return {name: table_fingerprint(*reader.execute(f"select * from {name}")) for name in tables}


def differences(a: dict[str, TableFingerprint], b: dict[str, TableFingerprint]) -> dict[str, tuple]:
    """Tables whose fingerprints differ (or exist on one side only): name -> (a's, b's)."""
    return {t: (a.get(t), b.get(t)) for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)}

"""A fingerprint of the subject databases and scorecards, comparable across engines.

For every mart (the dbt models under `marts/`, read from the run's manifest): its row count, a digest
of its keys (first column) and a checksum over its rows in sorted order, every value written in one canonical
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


UNCOMPARED = "input_digest"  # a history mart's digest of its inputs: DuckDB's own hash, NULL on Spark


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


class _SortedDigest:
    """SHA-256 over lines in sorted order, holding 32 bytes per line rather than the line: each line is
    hashed as it comes, and the line hashes are sorted at the end (a 1M-person mart fits in memory)."""

    def __init__(self) -> None:
        self.hashes: list[bytes] = []

    def add(self, line: str) -> None:
        self.hashes.append(hashlib.sha256(line.encode("utf-8")).digest())

    def hexdigest(self) -> str:
        h = hashlib.sha256()
        for line_hash in sorted(self.hashes):
            h.update(line_hash)
        return h.hexdigest()


def _fingerprint(columns: list[str], batches) -> TableFingerprint:
    kept = [i for i, c in enumerate(columns) if c not in RUN_COLUMNS]
    rows, keys = _SortedDigest(), _SortedDigest()
    for batch in batches:
        for r in batch:
            rows.add(json.dumps([_canonical(r[i]) for i in kept], ensure_ascii=False, default=str))
            keys.add(json.dumps(_canonical(r[kept[0]]), ensure_ascii=False, default=str))
    return TableFingerprint(len(rows.hashes), keys.hexdigest(), rows.hexdigest())


def table_fingerprint(columns: list[str], rows: list[tuple]) -> TableFingerprint:
    """The fingerprint of one table's rows (`columns` name the values of each row)."""
    return _fingerprint(columns, [rows])


def fingerprint(settings: Settings, tables: list[str] | None = None) -> dict[str, TableFingerprint]:
    """Every mart's fingerprint; rows become Python values a batch at a time."""
    engine = engine_for(settings)
    out = {}
    for name in tables or mart_tables(settings):
        table = engine.query(f"select * from {name}")
        if UNCOMPARED in table.column_names:  # how an engine keeps the table up to date, not what it holds
            table = table.drop_columns([UNCOMPARED])
        batches = (
            zip(*(column.to_pylist() for column in batch.columns), strict=True)
            for batch in table.to_batches(max_chunksize=50_000)
        )
        out[name] = _fingerprint(table.column_names, batches)
    return out


def role_fingerprint(settings: Settings, role: str, tables: list[str]) -> dict[str, TableFingerprint]:
    """The fingerprint of a role's warehouse, read as the role reads it."""
    with engine_for(settings).role_reader(role) as reader:
        return {name: table_fingerprint(*reader.execute(f"select * from {name}")) for name in tables}


def differences(a: dict[str, TableFingerprint], b: dict[str, TableFingerprint]) -> dict[str, tuple]:
    """Tables whose fingerprints differ (or exist on one side only): name -> (a's, b's)."""
    return {t: (a.get(t), b.get(t)) for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)}

"""The load ledger: one row per batch, in SQLite so parallel ingest tasks can share it safely.

States: `staged` (audited, ready to publish), `published`, `rejected` (whole delivery
quarantined: rows are in quarantine, nothing in raw), `failed` (nothing published; retry later).
A batch only reaches `published`/`rejected` if rows_in = rows_landed + rows_quarantined.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCHEMA = """
create table if not exists loads (
    load_id text primary key,
    department text not null,
    resource text not null,
    source text not null,
    delivery text not null,
    content_hash text not null,
    rows_in integer,
    rows_landed integer,
    rows_quarantined integer,
    schema_fingerprint text,
    new_columns text,
    missing_columns text,
    status text not null,
    error text,
    started_at text not null,
    finished_at text,
    seconds real
);
create index if not exists loads_by_hash on loads (department, resource, content_hash, status);
"""


@dataclass
class LoadRecord:
    load_id: str
    department: str
    resource: str
    source: str
    delivery: str
    content_hash: str
    started_at: str
    status: str = "staged"
    rows_in: int | None = None
    rows_landed: int | None = None
    rows_quarantined: int | None = None
    schema_fingerprint: str | None = None
    new_columns: str | None = None
    missing_columns: str | None = None
    error: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    extra: dict = field(default_factory=dict, repr=False)

    def row(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return d


class Ledger:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as con:
            con.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        con.execute("pragma journal_mode=wal")
        con.execute("pragma synchronous=full")
        con.row_factory = sqlite3.Row
        try:
            yield con
        finally:
            con.close()

    def already_loaded(self, department: str, resource: str, content_hash: str) -> str | None:
        """The load id that already holds this exact delivery, if any."""
        with self._connect() as con:
            row = con.execute(
                "select load_id from loads where department=? and resource=? and content_hash=? "
                "and status in ('staged', 'published', 'rejected') limit 1",
                (department, resource, content_hash),
            ).fetchone()
        return row["load_id"] if row else None

    def upsert(self, record: LoadRecord) -> None:
        row = record.row()
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        updates = ", ".join(f"{c}=excluded.{c}" for c in row if c != "load_id")
        with self._connect() as con:
            con.execute(
                f"insert into loads ({cols}) values ({marks}) on conflict(load_id) do update set {updates}",
                tuple(row.values()),
            )

    def set_status(self, load_id: str, status: str, **values: object) -> None:
        sets = ", ".join(f"{k}=?" for k in ("status", *values))
        with self._connect() as con:
            con.execute(f"update loads set {sets} where load_id=?", (status, *values.values(), load_id))

    def rows(self, where: str = "1=1", params: tuple = ()) -> list[dict]:
        with self._connect() as con:
            return [dict(r) for r in con.execute(f"select * from loads where {where} order by started_at", params)]

"""The load ledger: one row per batch, in SQLite so parallel ingest tasks can share it safely.

States: `staged` (audited, ready to publish), `published`, `rejected` (whole delivery
quarantined: rows are in quarantine, nothing in raw), `failed` (nothing published; retry later).
A batch only reaches `published`/`rejected` if rows_in = rows_landed + rows_quarantined.

Each load also says what it means (`semantics`: a whole `snapshot`, an `increment` or `changes`) and,
for a database table read by its updated-at column, the `watermark` it read up to. The watermark is
written in the same row as `staged`, so it becomes the next run's starting point exactly when the batch
is published (or rolled forward by `recover()` after a crash), never before.

What a downstream consumer (the subject databases' build) has taken in is kept beside the loads, load
by load: the loads it has still to take are exactly the published ones it has not marked, whatever
order they were published in.

A published load the quality gate held back (`pipelines.quality.gate`) has a row in `holds`: the checks
that tripped, and how the hold ended (`released` by an administrator, with who and why, or `replaced`
by the department's re-delivery). A held or replaced load is never pending; a released one is again.
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
    seconds real,
    semantics text,
    watermark text,
    delivered_at text
);
create index if not exists loads_by_hash on loads (department, resource, content_hash, status);
create table if not exists holds (
    load_id text primary key,
    held_at text not null,
    tripped text not null,
    ended_at text,
    outcome text,
    ended_by text,
    reason text
);
create table if not exists consumed (
    consumer text not null,
    load_id text not null,
    consumed_at text not null,
    primary key (consumer, load_id)
);
"""
# columns added after the first ledgers were written: an older ledger gains them on open
ADDED_COLUMNS = {"semantics": "text", "watermark": "text", "delivered_at": "text"}
# loads that changed what the lake holds: rows in raw, or a delivery refused whole into quarantine
IN_LAKE = "('published', 'rejected')"
# loads the quality gate keeps out of the subject databases: held now, or replaced by a re-delivery
KEPT_OUT = "(select load_id from holds where outcome is null or outcome = 'replaced')"
# loads whose content is in the lake, or was found identical to what is
ACCOUNTED = "('staged', 'published', 'rejected', 'skipped')"


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
    semantics: str | None = None
    watermark: str | None = None
    delivered_at: str | None = None
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
            have = {r["name"] for r in con.execute("pragma table_info(loads)")}
            for column, kind in ADDED_COLUMNS.items():
                if column not in have:
                    con.execute(f"alter table loads add column {column} {kind}")

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

    def latest_hash(self, department: str, resource: str) -> str | None:
        """The content hash of the most recent load in the lake: a table read again unchanged adds nothing,
        while a table that went back to an earlier state is loaded again (its earlier load is not the latest)."""
        with self._connect() as con:
            row = con.execute(
                "select content_hash from loads where department=? and resource=? and status in "
                "('staged', 'published', 'rejected') order by load_id desc limit 1",
                (department, resource),
            ).fetchone()
        return row["content_hash"] if row else None

    def watermark(self, department: str, resource: str) -> tuple[str | None, int | None]:
        """(the watermark the last accounted load read up to, loads since the last whole snapshot).

        The second is None when no snapshot was ever taken."""
        with self._connect() as con:
            rows = con.execute(
                f"select semantics, watermark from loads where department=? and resource=? and status in {ACCOUNTED} "
                "and semantics is not null order by load_id desc",
                (department, resource),
            ).fetchall()
        mark = next((r["watermark"] for r in rows if r["watermark"] is not None), None)
        since_full = next((i for i, r in enumerate(rows) if r["semantics"] == "snapshot"), None)
        return mark, since_full

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

    def pending(self, consumer: str) -> list[str]:
        """The load ids in the lake that `consumer` has not marked consumed, oldest first."""
        with self._connect() as con:
            rows = con.execute(
                f"select load_id from loads where status in {IN_LAKE} and load_id not in "
                f"(select load_id from consumed where consumer = ?) and load_id not in {KEPT_OUT} order by load_id",
                (consumer,),
            ).fetchall()
        return [r["load_id"] for r in rows]

    def has_consumed(self, consumer: str) -> bool:
        """Whether `consumer` has ever marked a load consumed (it has completed a run)."""
        with self._connect() as con:
            return con.execute("select 1 from consumed where consumer = ? limit 1", (consumer,)).fetchone() is not None

    def mark_consumed(self, consumer: str, load_ids: list[str], at: str) -> None:
        with self._connect() as con:
            con.executemany(
                "insert into consumed (consumer, load_id, consumed_at) values (?, ?, ?) on conflict do nothing",
                [(consumer, load_id, at) for load_id in load_ids],
            )

    def hold(self, load_id: str, at: str, tripped: str) -> None:
        """Hold a load back (idempotent: a load held already keeps its first hold)."""
        with self._connect() as con:
            con.execute(
                "insert into holds (load_id, held_at, tripped) values (?, ?, ?) on conflict do nothing",
                (load_id, at, tripped),
            )

    def end_hold(self, load_id: str, outcome: str, at: str, by: str, reason: str) -> None:
        with self._connect() as con:
            con.execute(
                "update holds set outcome = ?, ended_at = ?, ended_by = ?, reason = ? where load_id = ? and outcome is null",
                (outcome, at, by, reason, load_id),
            )

    def holds(self, where: str = "1=1", params: tuple = ()) -> list[dict]:
        """Holds with their loads' department, resource, delivery and delivery time, oldest first."""
        with self._connect() as con:
            return [
                dict(r)
                for r in con.execute(
                    "select h.*, l.department, l.resource, l.delivery, l.delivered_at, l.rows_landed "
                    f"from holds as h join loads as l using (load_id) where {where} order by h.held_at, h.load_id",
                    params,
                )
            ]

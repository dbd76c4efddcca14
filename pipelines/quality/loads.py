"""The load ledger as the scorecards read it: a Parquet snapshot in the lake (`quality/loads.parquet`).

The ledger is SQLite, written by the ingest tasks; dbt reads Parquet on every engine. The snapshot
keeps what timeliness and accessibility need (status, when the department delivered, the month that
falls in) and the quality gate's holds (held, released or replaced, with the checks that tripped: rule,
column and counts, no values), and leaves out error texts, which are for the engineers' console, not the scorecards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipelines.lake.layout import LakeLayout, write_parquet_atomically
from pipelines.lake.ledger import Ledger
from pipelines.settings import Settings

COLUMNS = ("load_id", "department", "resource", "status", "rows_in", "rows_landed", "rows_quarantined", "started_at")
# the quality gate's hold on a load, if any: held (standing), released or replaced; when; the checks tripped
HOLD = (
    "case when holds.load_id is null then null else coalesce(holds.outcome, 'held') end, holds.held_at, holds.tripped"
)
# when the department delivered (a file's time, or the moment a read stands for); older ledgers lack it
DELIVERED_AT = "coalesce(delivered_at, started_at)"


def delivery_period(delivered_at: str) -> str:
    """The month a delivery counts in: the month the department delivered it, whatever its file is named
    (a month's births delivered early the next month count in the next month, as late as they were)."""
    return delivered_at[:7]


def loads_snapshot_path(settings: Settings) -> Path:
    return settings.lake_root / "quality" / "loads.parquet"


def export_loads(settings: Settings) -> Path:
    """Write the snapshot (an empty one when nothing was ever delivered); returns its path."""
    import pyarrow as pa

    ledger = LakeLayout(settings.lake_root).ledger_path
    rows: list[dict] = []
    if ledger.exists():
        with sqlite3.connect(ledger) as con:
            Ledger(ledger)  # an older ledger gains the holds table
            cursor = con.execute(
                f"select {', '.join('loads.' + c for c in COLUMNS)}, {DELIVERED_AT}, {HOLD} "
                "from loads left join holds using (load_id)"
            )
            for *values, delivered_at, hold, held_at, tripped in cursor.fetchall():
                row = dict(zip(COLUMNS, values, strict=True))
                row["delivered_at"], row["period"] = delivered_at, delivery_period(delivered_at)
                row["hold"], row["held_at"], row["hold_checks"] = hold, held_at and _timestamp(held_at), tripped
                rows.append(row)
    schema = pa.schema(
        [
            ("load_id", pa.string()),
            ("department", pa.string()),
            ("resource", pa.string()),
            ("status", pa.string()),
            ("rows_in", pa.int64()),
            ("rows_landed", pa.int64()),
            ("rows_quarantined", pa.int64()),
            ("started_at", pa.timestamp("us")),
            ("delivered_at", pa.timestamp("us")),
            ("period", pa.string()),
            ("hold", pa.string()),
            ("held_at", pa.timestamp("us")),
            ("hold_checks", pa.string()),
        ]
    )
    table = pa.Table.from_pylist(
        [{**r, "started_at": _timestamp(r["started_at"]), "delivered_at": _timestamp(r["delivered_at"])} for r in rows],
        schema=schema,
    )
    return write_parquet_atomically(table, loads_snapshot_path(settings))


def _timestamp(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text).replace(tzinfo=None)

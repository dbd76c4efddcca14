"""Write-audit-publish of one batch.

Rows and quarantine rows are written as Parquet under a hidden staging folder; after the audit the
batch becomes visible by atomic renames into `raw/` and `quarantine/`. A crash at any point leaves
either nothing visible or a `staged` ledger row that `recover()` rolls forward.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger

# every raw row carries its batch, where it came from, its place in the delivery, what the delivery means
# (snapshot / increment / changes) and when it was delivered: versions are derived from these alone
LINEAGE = ["_load_id", "_source_ref", "_row_number", "_semantics", "_delivered_at"]
QUARANTINE_SCHEMA = pa.schema(
    [
        ("department", pa.string()),
        ("resource", pa.string()),
        ("load_id", pa.string()),
        ("source_ref", pa.string()),
        ("record_no", pa.int64()),
        ("reason", pa.string()),
        ("raw_text", pa.string()),
    ]
)
ROW_GROUP = 10_000


def raw_schema(columns: list[str]) -> pa.Schema:
    return pa.schema(
        [(c, pa.string()) for c in columns] + [(c, pa.int64() if c == "_row_number" else pa.string()) for c in LINEAGE]
    )


class StagedBatch:
    """One batch being written under `_staging/<load_id>/`."""

    def __init__(
        self,
        layout: LakeLayout,
        department: str,
        resource: str,
        load_id: str,
        semantics: str = "increment",
        delivered_at: str = "",
    ):
        self.layout, self.department, self.resource, self.load_id = layout, department, resource, load_id
        self.semantics, self.delivered_at = semantics, _utc_text(delivered_at)
        self.dir = layout.staging_batch(department, resource, load_id)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.raw_dir, self.quarantine_dir = self.dir / "raw", self.dir / "quarantine"
        self.raw_dir.mkdir(parents=True)
        self.quarantine_dir.mkdir()
        self.columns: list[str] | None = None
        self.rows_landed = 0
        self.rows_quarantined = 0
        self._raw: pq.ParquetWriter | None = None
        self._buffer: list[list[str | None]] = []
        self._refs: list[str] = []
        self._q: list[dict] = []
        self._qwriter: pq.ParquetWriter | None = None

    # --- rows, one at a time (database, xlsx, JSON, careful CSV) -----------------------------------
    def set_columns(self, columns: list[str]) -> None:
        self.columns = columns
        self._raw = pq.ParquetWriter(self.raw_dir / "part-00000.parquet", raw_schema(columns))

    def add_row(self, values: list[str | None], source_ref: str) -> None:
        self._buffer.append(values)
        self._refs.append(source_ref)
        if len(self._buffer) >= ROW_GROUP:
            self._flush_rows()

    def _flush_rows(self) -> None:
        if not self._buffer or self._raw is None:
            return
        assert self.columns is not None
        n = len(self._buffer)
        arrays = [pa.array([r[i] for r in self._buffer], pa.string()) for i in range(len(self.columns))]
        arrays += [
            pa.array([self.load_id] * n, pa.string()),
            pa.array(self._refs, pa.string()),
            pa.array(range(self.rows_landed + 1, self.rows_landed + n + 1), pa.int64()),
            pa.array([self.semantics] * n, pa.string()),
            pa.array([self.delivered_at] * n, pa.string()),
        ]
        self._raw.write_table(pa.Table.from_arrays(arrays, schema=self._raw.schema))
        self.rows_landed += n
        self._buffer, self._refs = [], []

    def quarantine(self, record_no: int, reason: str, raw_text: str, source_ref: str) -> None:
        self._q.append(
            {
                "department": self.department,
                "resource": self.resource,
                "load_id": self.load_id,
                "source_ref": source_ref,
                "record_no": record_no,
                "reason": reason,
                "raw_text": raw_text,
            }
        )
        self.rows_quarantined += 1
        if len(self._q) >= ROW_GROUP:
            self._flush_quarantine()

    def _flush_quarantine(self) -> None:
        if not self._q:
            return
        if self._qwriter is None:
            self._qwriter = pq.ParquetWriter(self.quarantine_dir / "part-00000.parquet", QUARANTINE_SCHEMA)
        self._qwriter.write_table(pa.Table.from_pylist(self._q, schema=QUARANTINE_SCHEMA))
        self._q = []

    def close(self) -> None:
        """Finish the files; a batch with no accepted rows keeps an empty raw part with its schema."""
        self._flush_rows()
        self._flush_quarantine()
        if self._raw is not None:
            self._raw.close()
        if self._qwriter is not None:
            self._qwriter.close()
        for folder in (self.raw_dir, self.quarantine_dir):
            for f in folder.iterdir():
                _fsync(f)

    def discard(self) -> None:
        for w in (self._raw, self._qwriter):
            if w is not None:
                with contextlib.suppress(Exception):  # discarding: the files are deleted next
                    w.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _utc_text(moment: str) -> str:
    """An ISO time as naive UTC text (`2026-12-01 07:50:18.354000`), which every engine casts alike."""
    if not moment:
        return ""
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat(sep=" ", timespec="microseconds")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(layout: LakeLayout, department: str, resource: str, load_id: str) -> bool:
    """Make a staged batch visible (idempotent: safe to call again after a crash). Returns True if
    it published raw rows, False if only quarantine (a rejected delivery)."""
    staging = layout.staging_batch(department, resource, load_id)
    targets = [
        (staging / "quarantine", layout.quarantine_batch(department, resource, load_id)),
        (staging / "raw", layout.raw_batch(department, resource, load_id)),
    ]
    for src, dst in targets:
        if src.is_dir() and any(src.iterdir()) and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, dst)
            _fsync(dst.parent)
    shutil.rmtree(staging, ignore_errors=True)
    return layout.raw_batch(department, resource, load_id).exists()


def recover(layout: LakeLayout, ledger: Ledger, department: str, resource: str) -> list[str]:
    """Roll forward batches of this resource that were audited but not fully published; delete
    staging leftovers of batches that never passed the audit. Returns the load ids rolled forward."""
    rolled = []
    staged = ledger.rows("department=? and resource=? and status='staged'", (department, resource))
    staged_ids = {r["load_id"] for r in staged}
    for row in staged:
        raw = publish(layout, department, resource, row["load_id"])
        ledger.set_status(row["load_id"], "published" if raw else "rejected")
        rolled.append(row["load_id"])
    prefix = f"{department}__{resource}__"
    if layout.staging.is_dir():
        for leftover in layout.staging.iterdir():
            if leftover.name.startswith(prefix) and leftover.name.removeprefix(prefix) not in staged_ids:
                shutil.rmtree(leftover, ignore_errors=True)
    for row in ledger.rows("department=? and resource=? and status='running'", (department, resource)):
        ledger.set_status(row["load_id"], "failed", error="interrupted before the audit; nothing was published")
    return rolled

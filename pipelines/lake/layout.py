"""Where things live in the lake. Readers only ever see `raw/` and `quarantine/` (and `held/`, batches the
quality gate keeps out of the build); batches are prepared under `_staging/` (hidden: leading
underscore) and appear by an atomic rename."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LakeLayout:
    root: Path

    @property
    def staging(self) -> Path:
        return self.root / "_staging"

    @property
    def ledger_path(self) -> Path:
        return self.root / "_ledger.sqlite"

    def raw_resource(self, department: str, resource: str) -> Path:
        return self.root / "raw" / f"dept={department}" / f"resource={resource}"

    def raw_batch(self, department: str, resource: str, load_id: str) -> Path:
        return self.raw_resource(department, resource) / f"load_id={load_id}"

    def held_batch(self, department: str, resource: str, load_id: str) -> Path:
        """A batch the quality gate held back: out of `raw/`, so no build reads it."""
        return self.root / "held" / f"dept={department}" / f"resource={resource}" / f"load_id={load_id}"

    def quarantine_batch(self, department: str, resource: str, load_id: str) -> Path:
        return self.root / "quarantine" / f"dept={department}" / f"resource={resource}" / f"load_id={load_id}"

    def staging_batch(self, department: str, resource: str, load_id: str) -> Path:
        return self.staging / f"{department}__{resource}__{load_id}"


def write_parquet_atomically(table, path: Path) -> Path:
    """Write an Arrow table so readers see the old file or the whole new one, never a half-written one."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    tmp.rename(path)
    return path

"""What every connector provides: the deliveries on offer, and their records written into a batch."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.catalog.models import FileSource, Resource, Semantics
from pipelines.lake.batch import StagedBatch
from pipelines.sources.schema import HeaderCheck


class SourceError(Exception):
    """A delivery or source that cannot be read; `reason` is a stable code, the message names no personal data."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class SourceUnavailable(SourceError):
    """The source cannot be reached now (connection refused, HTTP 5xx, timeout): retry later."""


@dataclass(frozen=True)
class Previous:
    """What the ledger remembers of a resource's earlier loads."""

    watermark: str | None = None  # the updated-at value the last load read up to
    loads_since_snapshot: int | None = None  # None: no whole snapshot was ever taken


@dataclass(frozen=True)
class Delivery:
    ref: str  # what the department delivered: a file, a table snapshot, an API period
    content_hash: str | None = None  # known up front for files; computed while reading otherwise
    path: Path | None = None
    semantics: Semantics | None = None  # what this delivery says, when it differs from the catalogue's
    since: str | None = None  # an incremental read: only records updated after this watermark
    delivered_at: str | None = None  # when the department delivered it (a file's time); else when it is read


@dataclass
class Extracted:
    rows_in: int
    columns: list[str]
    content_hash: str
    rejected: str | None = None  # reason code when the whole delivery went to quarantine
    header_check: HeaderCheck | None = None
    watermark: str | None = None  # the greatest updated-at value read (database tables with a watermark)


class Source(ABC):
    # True when every delivery is the source's current state (a database table): a read identical to the
    # latest load adds nothing, but a state identical to an older load is loaded again (it came back)
    reads_current_state = False

    def __init__(self, department: str, resource: Resource, sources_dir: Path):
        self.department, self.resource, self.sources_dir = department, resource, sources_dir

    @property
    def expected_columns(self) -> list[str]:
        return [f.name for f in self.resource.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.resource.fields if f.required or f.key]

    @abstractmethod
    def deliveries(self, previous: Previous) -> Iterator[Delivery]: ...

    @abstractmethod
    def extract(self, delivery: Delivery, batch: StagedBatch) -> Extracted: ...


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class FileDropSource(Source):
    """Files a department drops under the sources dir: one delivery per file, hashed up front so a
    file already loaded is skipped without being parsed again."""

    @property
    def spec(self) -> FileSource:
        assert isinstance(self.resource.source, FileSource)
        return self.resource.source

    def deliveries(self, previous: Previous) -> Iterator[Delivery]:
        for path in sorted(self.sources_dir.glob(self.spec.path)):
            if path.is_file():
                dropped = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
                yield Delivery(
                    ref=str(path.relative_to(self.sources_dir)),
                    content_hash=file_sha256(path),
                    path=path,
                    delivered_at=dropped,
                )

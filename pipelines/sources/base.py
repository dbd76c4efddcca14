"""What every connector provides: the deliveries on offer, and their records written into a batch."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.catalog.models import FileSource, Resource
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
class Delivery:
    ref: str  # what the department delivered: a file, a table snapshot, an API period
    content_hash: str | None = None  # known up front for files; computed while reading otherwise
    path: Path | None = None


@dataclass
class Extracted:
    rows_in: int
    columns: list[str]
    content_hash: str
    rejected: str | None = None  # reason code when the whole delivery went to quarantine
    header_check: HeaderCheck | None = None


class Source(ABC):
    def __init__(self, department: str, resource: Resource, sources_dir: Path):
        self.department, self.resource, self.sources_dir = department, resource, sources_dir

    @property
    def expected_columns(self) -> list[str]:
        return [f.name for f in self.resource.fields]

    @property
    def required_columns(self) -> list[str]:
        return [f.name for f in self.resource.fields if f.required or f.key]

    @abstractmethod
    def deliveries(self) -> Iterator[Delivery]: ...

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

    def deliveries(self) -> Iterator[Delivery]:
        for path in sorted(self.sources_dir.glob(self.spec.path)):
            if path.is_file():
                yield Delivery(ref=str(path.relative_to(self.sources_dir)), content_hash=file_sha256(path), path=path)

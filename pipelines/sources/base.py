"""What every connector provides: the deliveries on offer, and their records written into a batch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.catalog.models import Resource
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

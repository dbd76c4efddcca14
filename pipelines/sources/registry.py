"""The connector for a catalogue resource, chosen by its source kind and format."""

from __future__ import annotations

from pathlib import Path

from pipelines.catalog.models import DatabaseSource, FileSource, HttpSource, Resource
from pipelines.sources.base import Source
from pipelines.sources.csv_file import CsvFileSource
from pipelines.sources.database import DatabaseTableSource
from pipelines.sources.http_json import HttpJsonSource
from pipelines.sources.xlsx_file import XlsxFileSource


def source_for(department: str, resource: Resource, sources_dir: Path) -> Source:
    spec = resource.source
    if isinstance(spec, DatabaseSource):
        return DatabaseTableSource(department, resource, sources_dir)
    if isinstance(spec, HttpSource):
        return HttpJsonSource(department, resource, sources_dir)
    if isinstance(spec, FileSource) and spec.format == "csv":
        return CsvFileSource(department, resource, sources_dir)
    if isinstance(spec, FileSource) and spec.format == "xlsx":
        return XlsxFileSource(department, resource, sources_dir)
    raise ValueError(f"no connector for {spec.kind}/{getattr(spec, 'format', '')}")

"""A one-department catalogue over a scratch sources dir, for feeding single deliveries to the ingest runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipelines.catalog.models import Catalog, DepartmentCatalog
from pipelines.ingest.runner import LoadResult, ingest_resource
from pipelines.lake.layout import LakeLayout
from pipelines.settings import Settings

FIELDS = [
    {"name": "编号", "element": "record_key", "key": True},
    {"name": "姓名", "element": "person_name", "required": True},
    {"name": "身份证号", "element": "citizen_id"},
    {"name": "日期", "element": "date"},
    {"name": "备注", "element": "free_text"},
]
SOURCES = {
    "csv_drop": {"kind": "file", "format": "csv", "path": "drop/*.csv"},
    "xlsx_drop": {"kind": "file", "format": "xlsx", "path": "drop/*.xlsx", "sheet": "登记"},
    "json_api": {
        "kind": "http",
        "base_url_env": "TEST_API_URL",
        "token_env": "TEST_API_TOKEN",
        "endpoint": "/api/v1/records",
        "timeout_seconds": 1.0,
        "files_fallback": "drop/*/page-*.json",
    },
    "db_table": {"kind": "database", "url_env": "TEST_DB_URL", "table": "records"},
}


def test_catalog() -> Catalog:
    resources = [
        {
            "code": f"101009/{i:05d}",
            "slug": slug,
            "name": {"zh": slug, "en": slug},
            "summary": "test",
            "subject": "population",
            "source": src,
            "update_cycle": "daily",
            "observed_on": "date",
            "delivery": {"semantics": "increment"},
            "sharing": {"class": "unconditional"},
            "opening": {"class": "closed"},
            "fields": FIELDS,
        }
        for i, (slug, src) in enumerate(SOURCES.items(), start=1)
    ]
    dept = DepartmentCatalog.model_validate(
        {"department": {"code": "test_dept", "name": {"zh": "测试", "en": "Test"}}, "resources": resources}
    )
    return Catalog(departments={"test_dept": dept})


class Harness:
    def __init__(self, root: Path):
        self.root = root
        self.sources = root / "sources"
        self.settings = Settings(data_dir=root / "data", source_root=self.sources)
        self.layout = LakeLayout(self.settings.lake_root)
        self.catalog = test_catalog()

    def drop(self, *files: Path) -> None:
        folder = self.sources / "drop"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for f in files:
            (shutil.copytree if f.is_dir() else shutil.copyfile)(f, folder / f.name)

    def ingest(self, resource: str) -> list[LoadResult]:
        return ingest_resource("test_dept", resource, self.settings, self.catalog)

    def raw_rows(self, resource: str, load_id: str) -> list[dict]:
        path = self.layout.raw_batch("test_dept", resource, load_id)
        if not path.exists():
            return []
        rel = duckdb.sql(f"select * from read_parquet('{path}/*.parquet')")
        return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]

    def quarantine_rows(self, resource: str, load_id: str) -> list[dict]:
        path = self.layout.quarantine_batch("test_dept", resource, load_id)
        if not path.exists() or not list(path.glob("*.parquet")):
            return []
        rel = duckdb.sql(f"select * from read_parquet('{path}/*.parquet')")
        return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]

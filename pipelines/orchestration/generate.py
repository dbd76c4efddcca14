"""Writes `dags/ingest_<department>.py` from the catalogue: constants only, no I/O when parsed."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.catalog import Catalog, load_catalog
from pipelines.orchestration.ingest_dag import schedule_for
from pipelines.paths import DAGS_DIR

TEMPLATE = '''"""Airflow DAG ingest_{dept}: {name_zh} ({name_en}).

One task per catalogued resource: {resource_list}.
Generated from catalog/{dept}.yml by `govlake dags generate`; do not edit by hand.
"""

from pipelines.orchestration.ingest_dag import build_ingest_dag

dag = build_ingest_dag(
    department="{dept}",
    resources={resources},
    schedule="{schedule}",
    doc_md=__doc__,
)
'''


def render(catalog: Catalog) -> dict[str, str]:
    files = {}
    for code, dept in sorted(catalog.departments.items()):
        resources = [r.slug for r in dept.resources]
        files[f"ingest_{code}.py"] = TEMPLATE.format(
            dept=code,
            name_zh=dept.department.name.zh,
            name_en=dept.department.name.en,
            resource_list=", ".join(resources),
            resources=json.dumps(resources),
            schedule=schedule_for([r.update_cycle.value for r in dept.resources]),
        )
    return files


def write_dags(dags_dir: Path = DAGS_DIR) -> list[Path]:
    """(Re)write the generated DAG files; remove generated files of departments no longer catalogued."""
    files = render(load_catalog())
    for stale in dags_dir.glob("ingest_*.py"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = dags_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_dags(dags_dir: Path = DAGS_DIR) -> list[str]:
    """Names of generated DAG files that differ from what the catalogue renders."""
    files = render(load_catalog())
    present = {p.name for p in dags_dir.glob("ingest_*.py")}
    wrong = [
        n for n, t in files.items() if not (dags_dir / n).exists() or (dags_dir / n).read_text(encoding="utf-8") != t
    ]
    return sorted(wrong + [n for n in present if n not in files])

"""Writes `dags/ingest_<department>.py` and `dags/build_subject_databases.py` from the catalogue: constants only, no I/O when parsed."""

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


SUBJECT_TEMPLATE = '''"""Airflow DAG build_subject_databases: standardise, link and build the subject databases.

Runs when any of the {n} catalogued resources lands a batch in the lake: dbt builds the staging
and intermediate models, Splink links legal entities and then persons, dbt builds the marts
(population, legal_entities, licences, quality) with their contracts and tests.
Generated from catalog/ by `govlake dags generate`; do not edit by hand.
"""

from pipelines.orchestration.subject_dag import build_subject_dag

dag = build_subject_dag(
    raw_assets=[
{assets}
    ],
    doc_md=__doc__,
)
'''
SUBJECT_DAG = "build_subject_databases.py"


def render(catalog: Catalog) -> dict[str, str]:
    assets = [f"        {json.dumps([d.code, r.slug])}," for d, r in catalog.resources()]
    files = {SUBJECT_DAG: SUBJECT_TEMPLATE.format(n=len(assets), assets="\n".join(assets))}
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
    for stale in _generated(dags_dir):
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
    present = {p.name for p in _generated(dags_dir)}
    wrong = [
        n for n, t in files.items() if not (dags_dir / n).exists() or (dags_dir / n).read_text(encoding="utf-8") != t
    ]
    return sorted(wrong + [n for n in present if n not in files])


def _generated(dags_dir: Path) -> list[Path]:
    return [*dags_dir.glob("ingest_*.py"), *dags_dir.glob(SUBJECT_DAG)]

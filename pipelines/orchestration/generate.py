"""Writes `dags/ingest_<department>.py` and `dags/build_subject_databases.py` from the catalogue: constants only, no I/O when parsed."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.catalog import Catalog, load_catalog
from pipelines.catalog.models import UpdateCycle
from pipelines.generation import Generator
from pipelines.paths import DAGS_DIR


def schedule_for(cycles: list[UpdateCycle]) -> str:
    """The department's DAG runs as often as its most frequently updated resource (the catalogue lists the
    cycles most frequent first), on Airflow's preset of that name; hourly for "realtime" deliveries."""
    most_frequent = min(cycles, key=list(UpdateCycle).index)
    return "@hourly" if most_frequent is UpdateCycle.REALTIME else f"@{most_frequent.value}"


TEMPLATE = '''"""Airflow DAG ingest_{dept}: {name_zh} ({name_en}).

One task per catalogued resource: {resource_list}.
Generated from catalog/{dept}.yml by `govlake generate`; do not edit by hand.
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
Generated from catalog/ by `govlake generate`; do not edit by hand.
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
            schedule=schedule_for([r.update_cycle for r in dept.resources]),
        )
    return files


def _rendered() -> dict[Path, str]:
    return {DAGS_DIR / name: text for name, text in render(load_catalog()).items()}


def _generated() -> set[Path]:
    return {*DAGS_DIR.glob("ingest_*.py"), *DAGS_DIR.glob(SUBJECT_DAG)}


GENERATOR = Generator("Airflow DAG files (catalog/)", _rendered, _generated)

"""Repository-relative locations of the data folders, so no module hard-codes a layout.

Only `pipelines` is a Python package; `standards/`, `catalog/`, `expectations/`, `dbt_project/`
and `dags/` are data and configuration folders read through these paths.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STANDARDS_DIR = REPO_ROOT / "standards"
ELEMENTS_DIR = STANDARDS_DIR / "elements"
CODELISTS_DIR = STANDARDS_DIR / "codelists"
CATALOG_DIR = REPO_ROOT / "catalog"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGS_DIR = REPO_ROOT / "dags"

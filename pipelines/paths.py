"""Locations of the declaration folders, so no module hard-codes a layout.

Only `pipelines` is a Python package; `standards/`, `catalog/`, `expectations/`, `dbt_project/`
and `dags/` are data and configuration folders read through these paths. They are this repository's
unless `GOVLAKE_PROJECT_DIR` names another folder holding the same five (a copy with one more
department, say): the code stays, the declarations change.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(os.environ.get("GOVLAKE_PROJECT_DIR") or REPO_ROOT).resolve()

STANDARDS_DIR = PROJECT_DIR / "standards"
ELEMENTS_DIR = STANDARDS_DIR / "elements"
CODELISTS_DIR = STANDARDS_DIR / "codelists"
SCORING_FILE = STANDARDS_DIR / "scoring.yml"
CATALOG_DIR = PROJECT_DIR / "catalog"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
DEPARTMENT_OVERRIDES_DIR = EXPECTATIONS_DIR / "departments"
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
DAGS_DIR = PROJECT_DIR / "dags"
STANDARDS_DOCS_DIR = PROJECT_DIR / "docs" / "standards"

# the folders `GOVLAKE_PROJECT_DIR` must hold
DECLARATION_DIRS = ("standards", "catalog", "expectations", "dbt_project", "dags")

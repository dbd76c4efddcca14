"""Build the subject databases: dbt up to the intermediate models, the linkage, then dbt for the marts.

dbt runs in its own process, selected by the linkage source: everything not downstream of
`source:linkage` first, then everything downstream of it. Each stage is timed for the run report and
for `make bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Subject
from pipelines.catalog.subjects import load_subject_rules
from pipelines.lake.layout import LakeLayout
from pipelines.linkage.run import LinkageResult, link
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import Settings

# the scorecards read validation results, built by `govlake quality score` once validation has run
BEFORE_LINKAGE = ["build", "--exclude", "source:linkage+", "source:quality+"]
AFTER_LINKAGE = ["build", "--select", "source:linkage+", "--exclude", "source:quality+"]
SCORECARDS = ["build", "--select", "source:quality+", "dimension_weights", "catalogued_resources"]
LINK_ORDER = ["legal_entities", "population"]
SUBJECT_TABLES = [
    "population.persons",
    "population.person_sources",
    "legal_entities.legal_entities",
    "legal_entities.entity_sources",
    "licences.licences",
    "quality.conflicts",
    "quality.subject_quarantine",
]


class BuildFailed(RuntimeError):
    pass


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    linkage: list[LinkageResult] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    unbalanced: list[tuple] = field(default_factory=list)


def dbt_variables(settings: Settings) -> dict[str, str]:
    """The variables profiles.yml and the sources read, derived from the settings."""
    return {
        "GOVLAKE_WAREHOUSE": str(settings.warehouse_path),
        "GOVLAKE_LAKE_ROOT": str(settings.lake_root),
        "GOVLAKE_DBT_TARGET": settings.dbt_target,
        "DBT_TARGET_PATH": str(settings.data_root / "dbt-target"),
        "DBT_LOG_PATH": str(settings.data_root / "dbt-target" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


def run_dbt(settings: Settings, args: list[str], quiet: bool = True) -> str:
    """One dbt command in its own process: dbt-duckdb keeps the warehouse open for the life of the
    process, and the linkage step needs it next."""
    dbt = Path(sys.executable).parent / "dbt"
    flags = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    env = {**os.environ, **dbt_variables(settings)}
    proc = subprocess.run([str(dbt), *args, *flags], capture_output=True, text=True, check=False, env=env)
    if not quiet:
        print(proc.stdout, end="")
    if proc.returncode != 0:
        problems = [line for line in proc.stdout.splitlines() if "ERROR" in line or "FAIL" in line or "Error" in line]
        detail = "\n  ".join(problems[-20:]) or proc.stderr[-2000:]
        raise BuildFailed(f"dbt {' '.join(args)} failed:\n  {detail}")
    done = [line for line in proc.stdout.splitlines() if "Done. PASS=" in line]
    return done[-1].split("Done. ", 1)[1] if done else ""


def missing_resources(settings: Settings) -> list[str]:
    """Catalogued resources with no published batch: dbt cannot read a source that has no file yet."""
    lake = LakeLayout(settings.lake_root)
    return [
        f"{d.code}/{r.slug}"
        for d, r in load_catalog().resources()
        if not any(lake.raw_resource(d.code, r.slug).glob("load_id=*/*.parquet"))
    ]


def standardise(settings: Settings, quiet: bool = True) -> float:
    """dbt: seeds, staging and intermediate models and their tests. Returns seconds.

    A resource with no published batch yet (a department just catalogued) stages as empty."""
    missing = missing_resources(settings)
    if len(missing) == len(load_catalog().resources()):
        raise BuildFailed("nothing has landed in the lake yet: run the ingest DAGs first")
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run_dbt(settings, [*BEFORE_LINKAGE, "--vars", json.dumps({"resources_without_batches": missing})], quiet)
    return time.perf_counter() - started


def link_subject(settings: Settings, subject: str) -> LinkageResult:
    """Splink: link one subject's records at the threshold its catalogue rules declare."""
    rules = load_subject_rules(load_catalog())
    return link(settings.warehouse_path, subject, rules[Subject(subject)].linkage.threshold)


def build_marts(settings: Settings, quiet: bool = True, as_of: str | None = None) -> float:
    """dbt: the marts downstream of the linkage, with their contracts and tests. Returns seconds.

    `as_of` (YYYY-MM-DD, default today) is the date lifecycle checks judge expiry against: a DAG run
    passes its own date, so a rerun of an old run judges as that run did."""
    started = time.perf_counter()
    run_dbt(settings, [*AFTER_LINKAGE, *(["--vars", json.dumps({"as_of": as_of})] if as_of else [])], quiet)
    return time.perf_counter() - started


def build_scorecards(settings: Settings, quiet: bool = True) -> float:
    """dbt: the scorecard models over the stored validation results and the ledger. Returns seconds."""
    from pipelines.quality.loads import export_loads

    started = time.perf_counter()
    export_loads(settings)
    run_dbt(settings, SCORECARDS, quiet)
    return time.perf_counter() - started


def build_subject_databases(settings: Settings, quiet: bool = True, as_of: str | None = None) -> BuildReport:
    """Standardise, link and build the marts in the warehouse; raise BuildFailed with the reason."""
    report = BuildReport()
    report.seconds["dbt: staging and intermediate"] = standardise(settings, quiet)
    for subject in LINK_ORDER:
        result = link_subject(settings, subject)
        report.linkage.append(result)
        report.seconds[f"linkage: {subject}"] = result.seconds_total
    report.seconds["dbt: marts and tests"] = build_marts(settings, quiet, as_of)
    report.row_counts, report.unbalanced = summary(settings.warehouse_path)
    return report


def summary(warehouse: Path) -> tuple[dict[str, int], list[tuple]]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in SUBJECT_TABLES}
        unbalanced = con.execute("select * from quality.subject_record_accounting where not is_balanced").fetchall()
    return counts, unbalanced

"""Build the subject databases: dbt up to the intermediate models, the linkage, then dbt for the marts.

dbt runs in its own process, selected by the linkage source: everything not downstream of
`source:linkage` first, then everything downstream of it. Each stage is timed for the run report and
for `make bench`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Subject
from pipelines.catalog.subjects import load_subject_rules
from pipelines.engines import engine_for
from pipelines.engines.base import BuildFailed
from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger
from pipelines.linkage.run import LinkageResult, link
from pipelines.settings import Settings

# the scorecards read validation results, built by `govlake quality score` once validation has run
BEFORE_LINKAGE = ["build", "--exclude", "source:linkage+", "source:quality+"]
AFTER_LINKAGE = ["build", "--select", "source:linkage+", "--exclude", "source:quality+"]
SCORECARDS = ["build", "--select", "source:quality+", "dimension_weights", "catalogued_resources"]
LINK_ORDER = ["legal_entities", "population"]
CONSUMER = "subject_databases"  # the build's name in the ledger's record of what each consumer took in
SUBJECT_TABLES = [
    "population.persons",
    "population.person_sources",
    "legal_entities.legal_entities",
    "legal_entities.entity_sources",
    "licences.licences",
    "quality.conflicts",
    "quality.subject_quarantine",
]


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    linkage: list[LinkageResult] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    unbalanced: list[tuple] = field(default_factory=list)


def run_dbt(settings: Settings, args: list[str], quiet: bool = True) -> str:
    """One dbt command on the settings' engine; returns dbt's summary, raises BuildFailed."""
    return engine_for(settings).run_dbt(args, quiet)


def missing_resources(settings: Settings) -> list[str]:
    """Catalogued resources with no published batch: dbt cannot read a source that has no file yet."""
    lake = LakeLayout(settings.lake_root)
    return [
        f"{d.code}/{r.slug}"
        for d, r in load_catalog().resources()
        if not any(lake.raw_resource(d.code, r.slug).glob("load_id=*/*.parquet"))
    ]


def dbt_vars(missing: list[str], as_of: str | None = None) -> list[str]:
    """The `--vars` of every dbt command of a build, the same for each: dbt parses the whole project again
    whenever they differ from the previous command's (about 8 of a small build's 15 s per command), and
    reuses its parse when they do not.

    `resources_without_batches` (`missing`, from `missing_resources`): catalogued resources with no
    published batch yet, which stage as empty. `as_of` (YYYY-MM-DD, default today): the date expiry and
    dormancy are judged against."""
    return ["--vars", json.dumps({"resources_without_batches": missing, "as_of": as_of})]


def standardise(settings: Settings, quiet: bool = True, as_of: str | None = None) -> float:
    """dbt: seeds, staging and intermediate models and their tests. Returns seconds.

    A resource with no published batch yet (a department just catalogued) stages as empty."""
    missing = missing_resources(settings)
    if len(missing) == len(load_catalog().resources()):
        raise BuildFailed("nothing has landed in the lake yet: run the ingest DAGs first")
    settings.data_root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run_dbt(settings, [*BEFORE_LINKAGE, *dbt_vars(missing, as_of)], quiet)
    return time.perf_counter() - started


def link_subject(settings: Settings, subject: str) -> LinkageResult:
    """Splink: link one subject's records as its catalogue rules declare (threshold, parties' ages), and as
    clerks decided the records held for review."""
    from pipelines.linkage.decisions import load_decisions

    linkage = load_subject_rules(load_catalog())[Subject(subject)].linkage
    decided = [(d.record, d.person) for d in load_decisions(settings, subject)]
    return link(settings, subject, linkage.threshold, linkage.older_than, decided)


def build_marts(settings: Settings, quiet: bool = True, as_of: str | None = None) -> float:
    """dbt: the marts downstream of the linkage, with their contracts and tests. Returns seconds.

    `as_of` (YYYY-MM-DD, default today) is the date lifecycle checks judge expiry against: a DAG run
    passes its own date, so a rerun of an old run judges as that run did."""
    started = time.perf_counter()
    run_dbt(settings, [*AFTER_LINKAGE, *dbt_vars(missing_resources(settings), as_of)], quiet)
    return time.perf_counter() - started


def build_scorecards(settings: Settings, quiet: bool = True, as_of: str | None = None) -> float:
    """dbt: the scorecard models over the stored validation results and the ledger. Returns seconds."""
    from pipelines.quality.loads import export_loads

    started = time.perf_counter()
    export_loads(settings)
    run_dbt(settings, [*SCORECARDS, *dbt_vars(missing_resources(settings), as_of)], quiet)
    return time.perf_counter() - started


def _ledger(settings: Settings) -> Ledger:
    return Ledger(LakeLayout(settings.lake_root).ledger_path)


def pending_loads(settings: Settings) -> list[str]:
    """The loads in the lake that no completed build has taken in yet (none: nothing to rebuild)."""
    return _ledger(settings).pending(CONSUMER)


def mark_built(settings: Settings, load_ids: list[str]) -> None:
    """Record that a completed build took these loads in (listed before it started: a load published
    while it ran stays pending for the next one)."""
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    _ledger(settings).mark_consumed(CONSUMER, load_ids, at)


def build_subject_databases(settings: Settings, quiet: bool = True, as_of: str | None = None) -> BuildReport:
    """Standardise, link and build the marts in the warehouse; raise BuildFailed with the reason."""
    loads = pending_loads(settings)
    report = BuildReport()
    report.seconds["dbt: staging and intermediate"] = standardise(settings, quiet, as_of)
    for subject in LINK_ORDER:
        result = link_subject(settings, subject)
        report.linkage.append(result)
        report.seconds[f"linkage: {subject}"] = result.seconds_total
    report.seconds["dbt: marts and tests"] = build_marts(settings, quiet, as_of)
    report.row_counts, report.unbalanced = summary(settings)
    if not report.unbalanced:
        mark_built(settings, loads)
    return report


def summary(settings: Settings) -> tuple[dict[str, int], list[tuple]]:
    """Rows per subject table, and the batches whose records are not all in a subject database or quarantine."""
    engine = engine_for(settings)
    counts = {t: engine.scalar(f"select count(*) from {t}") for t in SUBJECT_TABLES}
    unbalanced = engine.query("select * from quality.subject_record_accounting where not is_balanced")
    return counts, [tuple(r.values()) for r in unbalanced.to_pylist()]

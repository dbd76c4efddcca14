"""Build the subject databases: dbt up to the intermediate models, the linkage, then dbt for the marts.

dbt runs once per stage, selected by the linkage source: everything not downstream of
`source:linkage` first, then everything downstream of it. Each stage is timed for the run report and
for `make bench`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pipelines.catalog import load_catalog
from pipelines.catalog.models import Subject
from pipelines.catalog.subjects import load_subject_rules
from pipelines.engines import engine_for
from pipelines.engines.base import BuildFailed
from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger
from pipelines.linkage.run import LinkageResult, forget_links_changed, link
from pipelines.quality.gate import GateReport, gate
from pipelines.settings import Settings
from pipelines.transform.code_digest import code_digest
from pipelines.transform.increment import write_increment
from pipelines.transform.seeds import excluding_loaded_seeds, record_loaded_seeds
from pipelines.transform.staging_models import rows_model

# the scorecards read validation results, built by `govlake quality score` once validation has run
EXCLUDED = ["--exclude", "source:linkage+", "source:quality+"]
# dbt's unit tests check the models' SQL on fixed inputs: the same answer every build, so (as dbt advises) they
# run in the test suite (`tests/transform/test_dbt_unit_tests.py`), not in the platform's builds
BUILD = ["build", "--exclude-resource-type", "unit_test"]
BEFORE_LINKAGE = [*BUILD, *EXCLUDED]
# the disputes mart lists what the build routed after its marts: it is built with the scorecards
AFTER_LINKAGE = [*BUILD, "--select", "source:linkage+", "--exclude", "source:quality+", "disputes"]
SCORECARDS = [
    *BUILD, "--select", "source:quality+", "disputes",
    "dimension_weights", "catalogued_resources", "scoring_rules", "scoring_vetoes",
]  # fmt: skip
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
    restaged: list[str] = field(default_factory=list)  # "department/resource", or "*" for every one
    linkage: list[LinkageResult] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    unbalanced: list[tuple] = field(default_factory=list)
    gate: GateReport | None = None  # what the quality gate held back before the build


def run_dbt(settings: Settings, args: list[str], quiet: bool = True) -> str:
    """One dbt command on the settings' engine, loading only the seeds that changed (`seeds`); returns dbt's
    summary, raises BuildFailed."""
    summary = engine_for(settings).run_dbt(excluding_loaded_seeds(settings, args), quiet)
    if args[:1] == ["build"]:
        record_loaded_seeds(settings)
    return summary


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


# what standardising a row depends on: the generated staging models, the standards' macros, the code lists
STAGING_INPUTS = ["dbt_project.yml", "models/staging", "macros", "seeds"]
# what a history mart kept entity by entity depends on besides its rows: every model and macro before it
MARTS_INPUTS = ["dbt_project.yml", "models/staging", "models/intermediate", "models/marts", "macros", "seeds"]


def staging_code_digest() -> str:
    return code_digest(STAGING_INPUTS)


def _code_state(settings: Settings, layer: str = "staging"):
    """Where the digest of the code that computed the engine's incremental tables of `layer` is kept."""
    return settings.data_root / f"{layer}-code-{settings.engine.value}.sha256"


def built_code(settings: Settings, layer: str = "marts") -> str:
    """The digest of the code that computed the engine's `layer` tables now in the warehouse ('' if none)."""
    state = _code_state(settings, layer)
    return state.read_text() if state.exists() else ""


def _code_stale(settings: Settings, code: str, layer: str = "staging") -> bool:
    """Whether the engine's `layer` tables were computed by other code than `code` (or by none)."""
    return built_code(settings, layer) != code


def _run_staging(
    settings: Settings, args: list[str], quiet: bool, as_of: str | None, refresh: bool, code: str
) -> float:
    """A dbt command that standardises batches: every batch again with `refresh`, else only the new ones;
    then records `code` (`staging_code_digest`) as what did it. The models kept record by record compute
    again the records of the loads no completed build has taken in (`write_increment`). Returns seconds."""
    missing = missing_resources(settings)
    if len(missing) == len(load_catalog().resources()):
        raise BuildFailed("nothing has landed in the lake yet: run the ingest DAGs first")
    settings.data_root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_increment(settings, pending_loads(settings))
    run_dbt(settings, [*args, *dbt_vars(missing, as_of), *(["--full-refresh"] if refresh else [])], quiet)
    _code_state(settings).write_text(code)
    return time.perf_counter() - started


def standardise(settings: Settings, quiet: bool = True, as_of: str | None = None, full_refresh: bool = False) -> float:
    """dbt: seeds, staging and intermediate models and their tests. Returns seconds.

    The staging rows are incremental: only batches not standardised yet are, unless `full_refresh` or the
    staging code changed since they were (`staging_code_digest`). After a first completed build, only the
    resources with batches no build has taken in yet are staged again, with everything downstream of them
    (`staging_plan`). A resource with no published batch yet (a department just catalogued) stages as
    empty."""
    return _standardise(settings, staging_plan(settings, full_refresh), quiet, as_of)


def _standardise(settings: Settings, plan: tuple, quiet: bool, as_of: str | None) -> float:
    """`standardise` as `plan` (`staging_plan`) says. Returns seconds."""
    refresh, changed, code = plan
    if changed == []:
        return 0.0
    if changed is None:
        return _run_staging(settings, BEFORE_LINKAGE, quiet, as_of, refresh, code)
    downstream = [f"{rows_model(*r)}+" for r in changed]
    return _run_staging(settings, [*BUILD, "--select", *downstream, *EXCLUDED], quiet, as_of, refresh, code)


def staging_plan(settings: Settings, full_refresh: bool = False) -> tuple[bool, list[tuple[str, str]] | None, str]:
    """(whether the staging rows are standardised again from the first batch, the resources staged again
    — None: every model before the linkage is built — and the staging code's digest). A resource's staging
    tables depend on its batches and the code alone, so once a build has completed, the next stages again
    only the resources with batches it has not taken in."""
    code = staging_code_digest()
    refresh = full_refresh or _code_stale(settings, code)
    if refresh or not _ledger(settings).has_consumed(CONSUMER):
        return refresh, None, code
    return refresh, resources_with_pending_loads(settings), code


def resources_with_pending_loads(settings: Settings) -> list[tuple[str, str]]:
    """(department, resource) of every load in the lake no completed build has taken in yet."""
    pending = set(pending_loads(settings))
    loads = _ledger(settings).rows()
    return sorted({(r["department"], r["resource"]) for r in loads if r["load_id"] in pending})


def standardise_batches(settings: Settings, resources: list[str] | None = None, quiet: bool = True) -> float:
    """Only the staging rows (`stg_*_rows`) of `resources` ("department/resource"; default all): the batches in
    the lake standardised, nothing built on them yet; the next build standardises only what landed since.
    When the staging code changed, every resource's rows are standardised again, not only these; when no
    code has standardised any yet, only these are. Returns seconds."""
    code = staging_code_digest()
    stale = _code_state(settings).exists() and _code_stale(settings, code)
    models = (
        ["config.materialized:incremental"]
        if stale or not resources
        else [rows_model(*r.split("/", 1)) for r in resources]
    )
    return _run_staging(settings, [*BUILD, "--select", *(f"+{m}" for m in models)], quiet, None, stale, code)


def link_subject(settings: Settings, subject: str, retrain: bool = False) -> LinkageResult:
    """Splink: link one subject's records as its catalogue rules declare (threshold, parties' ages), and as
    clerks decided the records held for review; with the stored model unless `retrain`."""
    from pipelines.linkage.decisions import load_decisions

    linkage = load_subject_rules(load_catalog())[Subject(subject)].linkage
    decided = [(d.record, d.person) for d in load_decisions(settings, subject)]
    return link(settings, subject, linkage.threshold, linkage.older_than, decided, retrain)


def build_marts(settings: Settings, quiet: bool = True, as_of: str | None = None, full_refresh: bool = False) -> float:
    """dbt: the marts downstream of the linkage, with their contracts and tests, then the conflicts they
    found routed to their authorities as disputes (`pipelines.quality.disputes`). Returns seconds.

    `as_of` (YYYY-MM-DD, default today) is the date lifecycle checks judge expiry against: a DAG run
    passes its own date, so a rerun of an old run judges as that run did. The history marts kept entity by
    entity are built whole with `full_refresh`, or when the code before them changed since they were.
    The golden records take the values authorities confirmed in disputes resolved before the build."""
    from pipelines.quality.disputes import export_disputes

    code = code_digest(MARTS_INPUTS)
    refresh = full_refresh or _code_stale(settings, code, "marts")
    started = time.perf_counter()
    export_disputes(settings)
    args = [*AFTER_LINKAGE, *dbt_vars(missing_resources(settings), as_of), *(["--full-refresh"] if refresh else [])]
    run_dbt(settings, args, quiet)
    forget_links_changed(settings)
    _code_state(settings, "marts").write_text(code)
    route_disputes(settings, as_of)
    return time.perf_counter() - started


def route_disputes(settings: Settings, as_of: str | None = None):
    """Route the conflicts the marts hold as disputes, as of `as_of` (default today)."""
    from pipelines.quality.disputes import DisputeKey, route

    columns = ", ".join(DisputeKey.model_fields)
    conflicts = engine_for(settings).query(f"select distinct {columns} from quality.conflicts").to_pylist()
    return route(settings, conflicts, date.fromisoformat(as_of) if as_of else date.today())


def build_scorecards(settings: Settings, quiet: bool = True, as_of: str | None = None) -> float:
    """dbt: the scorecard models over the stored validation results and the ledger. Returns seconds."""
    from pipelines.quality.disputes import export_disputes
    from pipelines.quality.exposures import export_exposures
    from pipelines.quality.loads import export_loads

    started = time.perf_counter()
    export_loads(settings)
    export_disputes(settings)
    export_exposures(settings)
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


def build_subject_databases(
    settings: Settings, quiet: bool = True, as_of: str | None = None, full_refresh: bool = False
) -> BuildReport:
    """Standardise, link and build the marts in the warehouse; raise BuildFailed with the reason.
    `full_refresh`: standardise every batch again, not only the new ones, and train the linkage models
    again. The quality gate judges the new loads first: a broken one is held back, and the build goes on with the rest."""
    started = time.perf_counter()
    report = BuildReport(gate=gate(settings, CONSUMER))
    report.seconds["quality gate: new loads validated"] = time.perf_counter() - started
    loads = pending_loads(settings)
    plan = staging_plan(settings, full_refresh)  # the digest and the ledger read once
    changed = plan[1]
    report.restaged = ["*"] if changed is None else [f"{d}/{r}" for d, r in changed]
    report.seconds["dbt: staging and intermediate"] = _standardise(settings, plan, quiet, as_of)
    for subject in LINK_ORDER:
        result = link_subject(settings, subject, retrain=full_refresh)
        report.linkage.append(result)
        report.seconds[f"linkage: {subject}"] = result.seconds_total
    report.seconds["dbt: marts and tests"] = build_marts(settings, quiet, as_of, full_refresh)
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

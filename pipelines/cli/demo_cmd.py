"""`govlake demo ...`: the synthetic city and the end-to-end demo."""

from __future__ import annotations

import itertools
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.cli.console import console
from pipelines.lake.layout import LakeLayout
from pipelines.settings import get_settings
from pipelines.synth.config import DEMO_PROFILES, CityConfig, DefectRates

app = typer.Typer(no_args_is_help=True, help="The synthetic city: demo data and test oracle.")


def _parse_rates(rates: list[str], no_defects: bool) -> DefectRates:
    base = DefectRates.none() if no_defects else DefectRates()
    overrides: dict[str, float] = {}
    for item in rates:
        name, _, value = item.partition("=")
        if name not in DefectRates.model_fields or not value:
            raise typer.BadParameter(
                f"{item!r}: expected KIND=RATE with KIND one of {', '.join(DefectRates.model_fields)}"
            )
        overrides[name] = float(value)
    return base.model_copy(update=overrides) if overrides else base


def generate_with_progress(cfg: CityConfig, out: Path) -> dict:
    from pipelines.synth.city import generate_city

    with Progress(
        TextColumn("[bold]synthetic city"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("people"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("people", total=cfg.people)
        pending = [0]

        def advance(n: int) -> None:  # redraw every 1,000 people, not every household
            pending[0] += n
            if pending[0] >= 1_000:
                progress.advance(task, pending[0])
                pending[0] = 0

        return generate_city(cfg, out, advance)


def print_city_summary(summary: dict, out: Path, seconds: float) -> None:
    table = Table(
        "department / resource",
        "records",
        title=f"synthetic city: {summary['people']:,} people ({seconds:.1f} s) in {out}",
    )
    for name, n in summary["records"].items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    defects = Table(
        "defect", "injected", "eligible", "rate", "configured", title="injected defects (truth/defects.csv)"
    )
    for kind, s in summary["defects"].items():
        defects.add_row(kind, f"{s['injected']:,}", f"{s['eligible']:,}", f"{s['rate']:.4f}", f"{s['configured']:.4f}")
    console.print(defects)


@app.command("generate")
def generate(
    people: int = typer.Option(10_000, min=10, help="Number of residents."),
    seed: int = typer.Option(42, help="Random seed; the same seed gives byte-identical sources."),
    out: Path = typer.Option(None, help="Output folder (default: the settings' sources dir)."),
    periods: int = typer.Option(3, min=1, max=24, help="Monthly deliveries ending with the as-of month."),
    rate: list[str] = typer.Option([], help="Defect rate override KIND=RATE (repeatable)."),
    no_defects: bool = typer.Option(False, help="Generate clean sources (all defect rates 0)."),
    public_security_url: str = typer.Option(
        None, envvar="GOVLAKE_SRC_PUBLIC_SECURITY_URL", help="SQLAlchemy URL (PostgreSQL) instead of the SQLite file."
    ),
    market_regulation_url: str = typer.Option(
        None, envvar="GOVLAKE_SRC_MARKET_REGULATION_URL", help="SQLAlchemy URL (MariaDB) instead of the SQLite file."
    ),
    quiet: bool = typer.Option(False, help="No tables, just the output folder."),
    as_of: datetime = typer.Option(
        "2026-10-31", formats=["%Y-%m-%d"], help="The city's reference date: its last monthly delivery is this month's."
    ),
    start: datetime = typer.Option(
        None, formats=["%Y-%m-%d"], help="Then live the city day by day from this date (default: the day after as-of)."
    ),
    days: int = typer.Option(0, min=0, max=3_650, help="Days the city lives after it is generated (a timeline)."),
    ingest_daily: bool = typer.Option(
        False, help="Ingest every department after each day, as a daily pipeline run would (the lake sees each day)."
    ),
) -> None:
    """Write the departmental sources of the synthetic city and its ground truth; with --days, the city then
    lives day by day (births, deaths, moves, marriages, enterprises, licences, each department delivering on its
    own cycle) and truth/events.csv records every event."""
    cfg = CityConfig(
        people=people,
        seed=seed,
        periods=periods,
        as_of=as_of.date(),
        rates=_parse_rates(rate, no_defects),
        public_security_url=public_security_url,
        market_regulation_url=market_regulation_url,
    )
    out = out or get_settings().sources_dir
    started = time.perf_counter()
    summary = generate_with_progress(cfg, out)
    if quiet:
        console.print(str(out))
    else:
        print_city_summary(summary, out, time.perf_counter() - started)
    if days:
        live_timeline(cfg, out, (start.date() if start else cfg.as_of + timedelta(days=1)), days, ingest_daily, quiet)


def live_timeline(cfg: CityConfig, out: Path, start: date, days: int, ingest_daily: bool, quiet: bool) -> dict:
    from pipelines.ingest.runner import ingest
    from pipelines.synth.timeline import LivingCity

    settings = get_settings()
    if ingest_daily and settings.sources_dir.resolve() != out.resolve():
        settings = settings.model_copy(update={"source_root": out})
    city = LivingCity(out, cfg.seed, start, cfg.public_security_url, cfg.market_regulation_url)
    started = time.perf_counter()
    try:
        counts = city.live(days, (lambda on: ingest(settings=settings)) if ingest_daily else None)
    finally:
        city.close()
    if not quiet:
        table = Table(
            "event", "count", title=f"the city lived {days} days from {start} ({time.perf_counter() - started:.1f} s)"
        )
        for name, n in sorted(counts.items()):
            table.add_row(name, f"{n:,}")
        console.print(table)
    return counts


@app.command("serve")
def serve(
    folder: Path = typer.Option(None, "--dir", help="…/hr_social_security/enrolments (default: from settings)."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8765),
    token_env: str = typer.Option("GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN", help="Env var holding the bearer token."),
) -> None:
    """Serve the human-resources department's paginated JSON API until interrupted."""
    from pipelines.synth.api import start_api_server

    folder = folder or get_settings().sources_dir / "hr_social_security" / "enrolments"
    server, thread = start_api_server(folder, host, port, os.environ.get(token_env) or None)
    console.print(f"serving {folder} at http://{host}:{server.server_address[1]}/api/v1/enrolments (Ctrl-C stops)")
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()


def quarter_months(quarter: str) -> list[tuple[date, date]]:
    """The (first, last) day of each month of a calendar quarter named like `2026Q3`."""
    year, _, q = quarter.upper().partition("Q")
    if not (year.isdigit() and q in ("1", "2", "3", "4")):
        raise typer.BadParameter(f"{quarter!r}: expected a quarter such as 2026Q3")
    months = []
    for month in range(3 * int(q) - 2, 3 * int(q) + 1):
        first = date(int(year), month, 1)
        months.append((first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)))
    return months


@app.command("run")
def run(
    # a quarter's runs cost mostly per run, not per resident: 5,000 keep the demo under five minutes here
    people: int = typer.Option(5_000, min=10),
    seed: int = typer.Option(42),
    quarter: str = typer.Option("2026Q3", help="The calendar quarter the city lives through, month by month."),
) -> None:
    """The end-to-end demo on the embedded engine: catalogue, synthetic city, then one quarter of the city's
    life, a month per step, each step's deliveries ingested and built through the real DAGs at the step's
    logical date; then the quarter's scorecards (their periods, timeliness and dormancy from those
    simulated deliveries) and the role warehouses."""
    import secrets

    from pipelines.cli.catalog_cmd import valid_catalog_or_exit
    from pipelines.cli.disputes_cmd import print_dispute_summary
    from pipelines.cli.exposures_cmd import print_exposure_vetoes
    from pipelines.cli.ingest_cmd import print_ledger
    from pipelines.cli.quality_cmd import print_league_table
    from pipelines.orchestration.generate import GENERATOR as dag_files
    from pipelines.synth.api import start_api_server
    from pipelines.synth.timeline import LivingCity

    # the DAG runs' own logs (a held delivery's failed gate task, Airflow's deprecation notices) stay out of
    # the demo's output: it prints what each step did, and how a run failed (`_run_dag`)
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", QUIET_AIRFLOW)
    settings = get_settings()
    months = quarter_months(quarter)
    if months[-1][1] >= date.today():
        raise typer.BadParameter(f"{quarter} has not ended yet: the city lives only through past days")
    console.rule("[bold]govlake demo")
    console.print(f"engine [bold]{settings.engine.value}[/bold], data in [bold]{settings.data_root}[/bold]")
    catalog = valid_catalog_or_exit()
    console.print(
        f"[green]1. catalogue valid[/green]: {len(catalog.departments)} departments, "
        f"{len(catalog.resources())} resources"
    )
    stale = dag_files.stale()
    if stale:
        console.print(f"[red]DAG files out of date: {', '.join(p.name for p in stale)}; run `govlake generate`[/red]")
        raise typer.Exit(1)
    # departments of uneven quality (DEMO_PROFILES): the quarter's league table should rank them in that order
    cfg = CityConfig(people=people, seed=seed, as_of=months[0][0] - timedelta(days=1), profiles=DEMO_PROFILES)
    started = time.perf_counter()
    summary = generate_with_progress(cfg, settings.sources_dir)
    console.print(f"[green]2. synthetic city generated[/green] as of {cfg.as_of} (its monthly files up to then)")
    print_city_summary(summary, settings.sources_dir, time.perf_counter() - started)

    token = secrets.token_urlsafe(16)
    server, _ = start_api_server(settings.sources_dir / "hr_social_security" / "enrolments", token=token)
    os.environ["GOVLAKE_SRC_HR_SOCIAL_SECURITY_API"] = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN"] = token
    city = LivingCity(settings.sources_dir, seed, months[0][0])
    steps = Table(
        "month", "events", "live s", "ingest s", "loads", "build s", title=f"3. the quarter {quarter}, a month per step"
    )
    try:
        for i, (first, last) in enumerate(months):
            steps.add_row(*_live_month(city, first, last))
            if i == 0:  # the next month's build takes the authority's resolutions in
                resolved = resolve_examples(settings, last + timedelta(days=3))
            if i == 1:
                report_spot_check_exposure(settings, catalog, first + timedelta(days=11))
    finally:
        city.close()
        server.shutdown()
    console.print(steps)
    print_ledger()
    print_subject_databases(settings)
    # the scorecards read every month's deliveries whenever they run: once, at the quarter's end, is enough
    _run_dag(
        "publish_quality_scorecards",
        "4. scoring (dbt; every batch was validated by its build's quality gate, Great Expectations) and publishing the site",
        "4. scorecards published",
        _end_of(months[-1][1]),
    )
    print_league_table(settings)
    print_profile_agreement(settings, quarter)
    print_exposure_vetoes(settings, quarter)
    console.print(
        f"   disputes routed to their authorities; after the first month public security resolved {resolved}:"
    )
    print_dispute_summary(settings)
    print_rectification(settings)
    print_division_rollup(settings, quarter)
    print_holds(settings)
    _run_dag(
        "build_access_warehouses",
        "5. building each role's warehouse (sharing classes, approvals, masking, pseudonyms) and the verification index",
        "5. role warehouses built",
        _end_of(months[-1][1]),
    )
    print_access_example(settings)
    console.rule("results")
    console.print(f"departmental sources: {settings.sources_dir}")
    console.print(f"ground truth:         {settings.sources_dir / 'truth'}  (events.csv: the quarter's events)")
    console.print(
        f"lake (Parquet):       {settings.lake_root / 'raw'}  (quarantine: {settings.lake_root / 'quarantine'})"
    )
    console.print(f"load ledger:          {settings.lake_root / '_ledger.sqlite'}")
    console.print(
        f"warehouse (DuckDB):   {settings.warehouse_path}  (schemas population, legal_entities, licences, quality)"
    )
    console.print(f"scorecard site:       {settings.site_root / 'index.html'}  (or `govlake serve`)")
    console.print(
        f"role warehouses:      {settings.access_root}  (`govlake access serve`, `govlake access users add NAME "
        '--role analyst`, then `govlake query "SQL"` with that token)'
    )
    console.print(f"audit log:            {settings.access_root / 'audit' / 'audit.jsonl'}  (`govlake audit verify`)")


def _end_of(day: date) -> datetime:
    """A step's logical date: the last second of its last day, so the day's deliveries fall inside it."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)


def _live_month(city, first: date, last: date) -> tuple[str, ...]:
    """One step of the demo's quarter: the city lives the month, then the month's runs of the ingest DAGs
    and of the build, at the month's end as their logical date. Returns the step's row."""
    from pipelines.lake.ledger import Ledger
    from pipelines.orchestration.local_runs import test_dags

    settings = get_settings()
    clocks = [time.perf_counter()]
    events = sum(city.live((last - first).days + 1).values())
    clocks.append(time.perf_counter())
    logical = _end_of(last)
    ledger = Ledger(LakeLayout(settings.lake_root).ledger_path)
    before = len(ledger.rows("status = 'published'"))
    with console.status(f"3. {first:%Y-%m}: the ingest DAGs at {logical:%Y-%m-%d %H:%M}"):
        states = test_dags("ingest_", logical)
    clocks.append(time.perf_counter())
    failed = {d: s for d, s in states.items() if s != "success"}
    if failed:
        console.print(f"[red]ingest runs of {first:%Y-%m} did not succeed: {failed}[/red]{_logs_hint()}")
        raise typer.Exit(1)
    loads = len(ledger.rows("status = 'published'")) - before
    _run_dag(
        "build_subject_databases", f"3. {first:%Y-%m}: building the subject databases (dbt, Splink)", None, logical
    )
    clocks.append(time.perf_counter())
    took = [f"{b - a:.1f}" for a, b in itertools.pairwise(clocks)]
    return (f"{first:%Y-%m}", f"{events:,}", took[0], took[1], f"{loads:,}", took[2])


def report_spot_check_exposure(settings, catalog, on: date) -> None:
    """The quarter's spot check finds the city's one not-shared resource (tax's taxpayer registrations) posted
    on a county website: reported, audited, it must fail tax for the quarter and be named."""
    from pipelines.catalog.models import SharingClass
    from pipelines.cli.exposures_cmd import audited
    from pipelines.quality.exposures import report_exposure

    department, resource = next(
        (d.code, r.slug) for d, r in catalog.resources() if r.sharing.class_ is SharingClass.NOT_SHARED
    )
    reason = "the quarter's spot check found the full register posted as a spreadsheet"
    audit = audited(settings, "exposure report")
    report_exposure(
        settings, catalog, department, resource, on, "a county website", reason, "spot-check team", audit, on
    )


def resolve_examples(settings, on: date) -> str:
    """As public security's clerk would: confirm the first open dispute routed to it and reject the second."""
    from pipelines.cli.disputes_cmd import audited
    from pipelines.quality.disputes import Status, load_disputes, resolve

    routed = sorted(
        (d for d in load_disputes(settings).values() if d.key.authority_department == "public_security"),
        key=lambda d: d.dispute_id,
    )
    decided = []
    for d, status, reason in zip(
        routed,
        (Status.CONFIRMED, Status.REJECTED),
        ("the registry was out of date", "the registry is right"),
        strict=False,
    ):
        resolve(settings, d.dispute_id, "public_security", status, reason, "demo clerk", on, audited(settings))
        decided.append(f"{d.dispute_id} ({d.key.attribute}) {status}")
    return ", ".join(decided) or "nothing"


def print_profile_agreement(settings, quarter: str) -> None:
    """How well the quarter's ranking follows the departments' configured quality (DEMO_PROFILES): the
    Spearman rank correlation between the two, 1.0 when the league table puts them in that order."""
    from pipelines.engines import engine_for
    from pipelines.engines.dialects import HOUSE

    rows = (
        engine_for(settings)
        .query(
            f"select department, rank_in_period from quality.department_scorecards where period = {HOUSE.lit(quarter)}"
        )
        .to_pylist()
    )
    ranked = {r["department"]: r["rank_in_period"] for r in rows if r["department"] in DEMO_PROFILES}
    configured = sorted(ranked, key=lambda d: DEMO_PROFILES[d].defects)
    n = len(configured)
    if n < 2:
        return
    d2 = sum((configured.index(d) + 1 - ranked[d]) ** 2 for d in ranked)
    rho = 1 - 6 * d2 / (n * (n * n - 1))
    console.print(
        f"   configured quality, best first: {', '.join(configured)}; "
        f"the league table's ranks against it: Spearman ρ = {rho:.3f}"
    )


def print_rectification(settings) -> None:
    """Per department, the problems its records were flagged with and what became of them; then, of the
    problems flagged, those the living city's clerks corrected in a later delivery (truth/rectifications.csv)
    against those the platform found rectified: the two are equal when every correction was followed."""
    import csv

    from pipelines.catalog import load_catalog
    from pipelines.engines import engine_for

    engine = engine_for(settings)
    rows = engine.query(
        "select department, status, count(*) as n, sum(case when is_repeat then 1 else 0 end) as repeats, "
        "max(case when status = 'open' then age_days end) as oldest from quality.rectification group by all"
    ).to_pylist()
    table = Table("department", "problems", "rectified", "gone", "open", "repeat", "oldest open (days)")
    for dept in sorted({r["department"] for r in rows}):
        by = {r["status"]: r for r in rows if r["department"] == dept}
        n = [by[s]["n"] if s in by else 0 for s in ("rectified", "gone", "open")]
        repeats = sum(r["repeats"] for r in by.values())
        oldest = by["open"]["oldest"] if "open" in by else None
        table.add_row(dept, str(sum(n)), *map(str, n), str(repeats), "" if oldest is None else str(oldest))
    console.print("   rectification (整改): records flagged by record-level checks, followed across later deliveries")
    console.print(table)
    problems = {
        (r["department"], r["resource"], r["record_key"], r["column_name"]): (r["status"], r["opened_on"])
        for r in engine.query(
            "select department, resource, record_key, column_name, status, opened_on from quality.rectification"
        ).to_pylist()
    }
    catalog = load_catalog()
    truth = set()  # problems a correction was delivered for after they were opened
    with (settings.sources_dir / "truth" / "rectifications.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            fields = {x.name: x.staging_column for x in catalog.resource(r["department"], r["resource"]).fields}
            problem = (r["department"], r["resource"], r["record_key"], fields[r["field"]])
            if problem in problems and date.fromisoformat(r["date"]) > problems[problem][1]:
                truth.add(problem)
    found = {p for p, (status, _) in problems.items() if status == "rectified"}
    same = (
        "equal"
        if truth == found
        else f"[red]differ: {len(truth - found)} missed, {len(found - truth)} not corrected[/red]"
    )
    console.print(
        f"   problems rectified: {len(found)} found; of the problems flagged, {len(truth)} corrected in the truth ({same})"
    )


def print_division_rollup(settings, quarter: str) -> None:
    """The quarter's records by district, every department together, worst first; then whether each city and
    province is the sum of its districts, per department (as `quality.division_scores` rolls them up)."""
    from collections import Counter

    from pipelines.engines import engine_for
    from pipelines.publish.data import divisions_of

    rows = engine_for(settings).query(f"select * from quality.division_scores where period = '{quarter}'").to_pylist()
    parts: dict[tuple, Counter] = {}
    for r in rows:
        if r["parent_division_code"]:
            counts = Counter(judged=r["records_judged"], failing=r["records_failing"])
            parts.setdefault((r["department"], r["parent_division_code"]), Counter()).update(counts)
    lines = divisions_of(rows, None)["rows"]  # as the league page shows them: worst first, the unknown last
    districts = [line for line in lines if line["level"] == "county"]
    table = Table("district", "records", "failing", "rate")
    for d in districts:
        name = f"{d['name'] or ''} {d['code']}" if d["code"] else "unknown"
        table.add_row(name, str(d["judged"]), str(d["failing"]), f"{d['failure_rate']:.2%}")
    console.print(f"   {quarter} by division (区划): records delivered by each district, every department")
    console.print(table)
    sums = all(
        parts[r["department"], r["division_code"]] == Counter(judged=r["records_judged"], failing=r["records_failing"])
        for r in rows
        if r["division_level"] != "county" and r["division_code"]
    )
    cities = sum(1 for line in lines if line["level"] == "prefecture")
    console.print(
        f"   {cities} city, {sum(1 for d in districts if d['code'])} districts; every city and province the sum of its districts, "
        f"per department: {'yes' if sums else '[red]no[/red]'}"
    )


def print_holds(settings) -> None:
    """The deliveries the quality gate held back and how each hold ended, then the living city's broken files
    (truth/broken_deliveries.csv) against them: every broken file held, every re-delivery ending its hold."""
    import csv

    from pipelines.quality.gate import describe, holds

    held = holds(settings, ended_too=True)
    table = Table("department/resource", "delivery", "held on", "checks tripped", "outcome")
    for h in held:
        outcome = h["outcome"] or "[red]held[/red]"
        table.add_row(
            f"{h['department']}/{h['resource']}", h["delivery"], h["held_at"][:10], describe(h["tripped"], 3), outcome
        )
    console.print("   quality gate (质量闸门): deliveries held back from the subject databases")
    console.print(table)
    truth = settings.sources_dir / "truth" / "broken_deliveries.csv"
    events = list(csv.DictReader(truth.open(encoding="utf-8", newline=""))) if truth.exists() else []
    delivered = {e["delivery"] for e in events if e["event"] == "broken"}
    redelivered = {e["delivery"] for e in events if e["event"] == "redelivered"}
    names = {h["delivery"].rsplit("/", 1)[-1]: h for h in held}
    caught = {n for n in delivered if n in names}
    ended = {n for n in redelivered if n in names and names[n]["outcome"] == "replaced"}
    verdict = "every one" if caught == delivered and len(names) == len(delivered) else "[red]not the same[/red]"
    console.print(
        f"   broken files the city delivered: {len(delivered)}; held: {len(caught)} of {len(held)} holds ({verdict}); "
        f"re-delivered: {len(redelivered)}, ending their hold: {len(ended)}"
    )


def print_access_example(settings) -> None:
    """One audited analyst query and one verification, as a user would run them."""
    from pipelines.access.audit import AuditLog
    from pipelines.access.query import run_query

    sql = (
        "select birth_date, sex_code, count(*) as persons from population.persons "
        "where birth_date is not null group by all order by persons desc limit 3"
    )
    result = run_query("analyst", sql, user="demo", settings=settings)
    console.print(f'   govlake query "{sql}"   (as an analyst: birth years in bands, cells of at least 5)')
    for row in result.rows:
        console.print("   " + " | ".join("" if v is None else str(v) for v in row))
    check = AuditLog.open(settings).verify()
    console.print(f"   audit log: {check.entries} entries, {'intact' if check.ok else 'TAMPERED'}")


QUIET_AIRFLOW = "CRITICAL"


def _logs_hint() -> str:
    if os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL") == QUIET_AIRFLOW:
        return " (run again with AIRFLOW__LOGGING__LOGGING_LEVEL=INFO for the tasks' logs)"
    return ""


def _run_dag(dag_id: str, doing: str, done: str | None, logical_date: datetime) -> None:
    """One DAG run with `dag.test()` at `logical_date`; exits the demo if it did not succeed. Its state
    is printed with `done` (when given), or only when it failed."""
    from pipelines.orchestration.local_runs import test_dags

    started = time.perf_counter()
    with console.status(doing):
        state = test_dags(dag_id, logical_date).get(dag_id, "missing")
    if state != "success":
        console.print(f"   {dag_id} at {logical_date:%Y-%m-%d}: [red]{state}[/red]{_logs_hint()}")
        raise typer.Exit(1)
    if done:
        console.print(f"   {dag_id}: [green]{state}[/green]")
        console.print(f"[green]{done}[/green] in {time.perf_counter() - started:.1f} s")


def print_subject_databases(settings) -> None:
    from rich.table import Table

    from pipelines.linkage.evaluate import evaluate
    from pipelines.transform.build import summary

    counts, unbalanced = summary(settings)
    table = Table("table", "rows", title="subject databases (warehouse)")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)
    scores = Table("subject", "records", "precision", "recall", title="linkage against the city's ground truth")
    for s in evaluate(settings, settings.sources_dir / "truth"):
        scores.add_row(s.subject, f"{s.records:,}", f"{s.precision:.4f}", f"{s.recall:.4f}")
    console.print(scores)
    if unbalanced:
        console.print(f"[red]records unaccounted for: {unbalanced}[/red]")
        raise typer.Exit(1)
    console.print("every landed record is in a subject database or in quality.subject_quarantine")

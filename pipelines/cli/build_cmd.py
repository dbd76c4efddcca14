"""`govlake build`: standardise, link and build the subject databases in the warehouse."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from pipelines.cli.console import console, err_console


def print_gate(report) -> None:
    """What the quality gate held back (red: each a department's broken delivery) and which holds ended."""
    from pipelines.quality.gate import describe

    if not report:
        return
    for h in report.held:
        checks = describe(h["tripped"])
        err_console.print(
            f"[red]held back[/red] {h['department']}/{h['resource']} {h['delivery']} ({h['load_id']}): {checks}"
        )
    for load_id in report.replaced:
        console.print(f"hold on {load_id} ended: the department re-delivered")


def print_report(report) -> None:
    print_gate(report.gate)
    stages = Table("stage", "seconds", title="build")
    for stage, seconds in report.seconds.items():
        stages.add_row(stage, f"{seconds:.1f}")
    console.print(stages)
    linkage = Table(
        "subject", "records", "by identifier", "unresolved", "linked by Splink", "clusters", "pairs scored", "model"
    )
    for r in report.linkage:
        linkage.add_row(
            r.subject,
            f"{r.records:,}",
            f"{r.identified:,}",
            f"{r.unresolved:,}",
            f"{r.linked_probabilistically:,}",
            f"{r.clusters:,}",
            f"{r.pairs_scored:,}",
            "trained" if r.trained else "stored",
        )
    console.print(linkage)
    counts = Table("table", "rows", title="subject databases")
    for table, n in report.row_counts.items():
        counts.add_row(table, f"{n:,}")
    console.print(counts)
    if report.unbalanced:
        err_console.print(f"[red]records unaccounted for: {report.unbalanced}[/red]")


def build_command(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show dbt's log."),
    as_of: str = typer.Option(None, help="Date (YYYY-MM-DD) licence expiry is judged against; default today."),
    full_refresh: bool = typer.Option(
        False,
        "--full-refresh",
        help="Standardise every batch in the lake again, not only those new since the last build, and train "
        "the linkage models again.",
    ),
) -> None:
    """dbt staging and intermediate models, Splink linkage, then the marts, each with their tests."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import BuildFailed, build_subject_databases

    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError:
            err_console.print(f"[red]--as-of must be a date YYYY-MM-DD, got {as_of!r}[/red]")
            raise typer.Exit(2) from None
    try:
        report = build_subject_databases(get_settings(), quiet=not verbose, as_of=as_of, full_refresh=full_refresh)
    except BuildFailed as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    print_report(report)
    if report.unbalanced:
        raise typer.Exit(1)

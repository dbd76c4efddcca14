"""`govlake ingest`: land catalogued resources in the lake without Airflow, then show the ledger."""

from __future__ import annotations

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.cli.console import console
from pipelines.ingest.runner import LoadResult, ingest
from pipelines.ingest.summary import ledger_summary

STATUS_STYLE = {"published": "green", "rejected": "yellow", "skipped": "dim", "failed": "red"}


def print_results(results: list[LoadResult]) -> None:
    table = Table(
        "department", "resource", "delivery", "status", "in", "landed", "quarantined", "note", title="this run"
    )
    for r in results:
        style = STATUS_STYLE.get(r.status, "")
        table.add_row(
            r.department,
            r.resource,
            r.delivery,
            f"[{style}]{r.status}[/{style}]",
            f"{r.rows_in:,}",
            f"{r.rows_landed:,}",
            f"{r.rows_quarantined:,}",
            r.message,
        )
    console.print(table)


def print_ledger() -> None:
    table = Table(
        "department",
        "resource",
        "batches",
        "rejected",
        "failed",
        "rows in",
        "landed",
        "quarantined",
        "in = landed + quarantined",
        title="load ledger (lake/_ledger.sqlite)",
    )
    for s in ledger_summary():
        ok = s["rows_in"] == s["rows_landed"] + s["rows_quarantined"]
        table.add_row(
            s["department"],
            s["resource"],
            str(s["published"]),
            str(s["rejected"]),
            str(s["failed"]),
            f"{s['rows_in']:,}",
            f"{s['rows_landed']:,}",
            f"{s['rows_quarantined']:,}",
            "[green]yes[/green]" if ok else "[red]NO[/red]",
        )
    console.print(table)


def ingest_command(
    dept: str = typer.Option(None, "--dept", help="Only this department."),
    resource: str = typer.Option(None, "--resource", help="Only this resource."),
) -> None:
    """Land every new delivery of the catalogued resources (write-audit-publish), then summarise the ledger."""
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task("ingest", total=None)
        results = ingest(
            dept, resource, on_delivery=lambda d, r, ref: progress.update(task, description=f"{d}/{r}: {ref}")
        )
    print_results(results)
    print_ledger()
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)

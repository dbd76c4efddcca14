"""`govlake standards ...`: check a file's column against a data element, write the docs, and
regenerate the dbt macros."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="National data standards: checks, documentation, generated SQL.")


@app.command("check")
def check(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv, .parquet or .json file"),
    column: str = typer.Option(..., "--column", "-c", help="the column to check"),
    element: str = typer.Option(..., "--element", "-e", help="the data element it should hold, e.g. citizen_id"),
    examples: int = typer.Option(5, help="masked failing examples per check"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Pass/fail counts per check of ELEMENT over COLUMN of FILE, with masked failing examples."""
    from dataclasses import asdict

    from pipelines.standards.check_file import check_file
    from pipelines.standards.registry import load_elements

    if element not in load_elements():
        err_console.print(f"[red]unknown data element {element!r}[/red]; known: {', '.join(sorted(load_elements()))}")
        raise typer.Exit(2)
    try:
        report = check_file(file, column, element, examples)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps(asdict(report), ensure_ascii=False))
        return
    table = Table(
        "check",
        "dimension",
        "severity",
        "passed",
        "failed",
        "n/a",
        "failed %",
        "masked examples",
        title=f"{file.name} · {column} as {element}: {report.rows:,} rows, {report.missing:,} missing",
    )
    for c in report.checks:
        evaluated = c.passed + c.failed
        rate = f"{100 * c.failed / evaluated:.2f}" if evaluated else "-"
        style = "red" if c.failed and c.severity == "error" else "yellow" if c.failed else "green"
        table.add_row(
            c.check,
            c.dimension,
            c.severity,
            f"{c.passed:,}",
            f"[{style}]{c.failed:,}[/{style}]",
            f"{c.not_applicable:,}",
            rate,
            ", ".join(c.examples),
        )
    console.print(table)

"""`govlake dags ...`: generate the DAG files from the catalogue, or check they are current."""

from __future__ import annotations

import typer

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="Airflow DAG files generated from the catalogue.")


@app.command("generate")
def generate() -> None:
    """(Re)write dags/ingest_<department>.py from the catalogue."""
    from pipelines.orchestration.generate import write_dags

    for path in write_dags():
        console.print(f"wrote {path}")


@app.command("check")
def check() -> None:
    """Exit 1 if a generated DAG file differs from what the catalogue renders."""
    from pipelines.orchestration.generate import stale_dags

    stale = stale_dags()
    if stale:
        err_console.print(f"[red]out of date:[/red] {', '.join(stale)} — run `govlake dags generate`")
        raise typer.Exit(1)
    console.print("[green]DAG files match the catalogue[/green]")

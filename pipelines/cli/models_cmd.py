"""`govlake models ...`: the dbt files generated from the catalogue (staging, golden-record seed)."""

from __future__ import annotations

import typer

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="dbt files generated from the catalogue.")


@app.command("generate")
def generate() -> None:
    """(Re)write dbt_project/models/staging/ and seeds/attribute_sources.csv from the catalogue."""
    from pipelines.transform.generate import write_models

    paths = write_models()
    console.print(f"wrote {len(paths)} files under dbt_project/")


@app.command("check")
def check() -> None:
    """Exit 1 if a generated dbt file differs from what the catalogue renders."""
    from pipelines.transform.generate import stale_models

    stale = stale_models()
    if stale:
        err_console.print(f"[red]out of date:[/red] {', '.join(stale)} — run `govlake models generate`")
        raise typer.Exit(1)
    console.print("[green]dbt staging models match the catalogue[/green]")

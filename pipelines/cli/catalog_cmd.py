"""`govlake catalog ...`: validate and list the resource catalogue."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from pipelines.catalog import Catalog, validate_catalog
from pipelines.cli.console import console, err_console
from pipelines.paths import CATALOG_DIR

app = typer.Typer(no_args_is_help=True, help="The government information resource catalogue.")

SHARING_ZH = {"unconditional": "无条件共享", "conditional": "有条件共享", "not_shared": "不予共享"}


def valid_catalog_or_exit(directory: Path = CATALOG_DIR) -> Catalog:
    """The validated catalogue; otherwise print every problem as file:line and exit 1."""
    catalog, problems = validate_catalog(directory)
    if catalog is None:
        for p in problems:
            err_console.print(f"[red]error[/red] {p}")
        err_console.print(f"[red]{len(problems)} problem(s) in the catalogue[/red]")
        raise typer.Exit(1)
    return catalog


@app.command("validate")
def validate(directory: Path = typer.Option(CATALOG_DIR, "--dir", help="Catalogue folder.")) -> None:
    """Validate every catalogue file; report each problem with file and line; exit 1 if any."""
    catalog = valid_catalog_or_exit(directory)
    console.print(
        f"[green]catalogue valid[/green]: {len(catalog.departments)} departments, "
        f"{len(catalog.resources())} resources, "
        f"{sum(len(r.fields) for _, r in catalog.resources())} fields"
    )


@app.command("list")
def list_resources(directory: Path = typer.Option(CATALOG_DIR, "--dir", help="Catalogue folder.")) -> None:
    """List the catalogued resources with their sharing class and update cycle."""
    catalog = valid_catalog_or_exit(directory)
    table = Table("code", "department", "resource", "name", "source", "cycle", "sharing", title="catalogue")
    for dept, res in catalog.resources():
        table.add_row(
            res.code,
            dept.code,
            res.slug,
            res.name.zh,
            res.source.kind,
            res.update_cycle.value,
            SHARING_ZH[res.sharing.class_.value],
        )
    console.print(table)

"""`govlake generate [--check]`: every generated file (DAGs, dbt staging models, party list, seeds, standards
macros, standards docs) from catalog/ and standards/, in one command."""

from __future__ import annotations

import typer

from pipelines.cli.console import console, err_console
from pipelines.paths import PROJECT_DIR


def _generators():
    from pipelines.orchestration.generate import GENERATOR as dags
    from pipelines.standards.codetable import GENERATOR as codes
    from pipelines.standards.dbt_macros import GENERATOR as macros
    from pipelines.standards.docs import GENERATOR as docs
    from pipelines.transform.generate import GENERATOR as models

    return [codes, macros, models, dags, docs]


def _shown(path) -> str:
    return str(path.relative_to(PROJECT_DIR)) if path.is_relative_to(PROJECT_DIR) else str(path)


def generate_command(
    check: bool = typer.Option(False, "--check", help="write nothing; exit 1 if a generated file is out of date"),
) -> None:
    """Write every generated file from catalog/ and standards/ (or, with --check, list those out of date)."""
    stale_total = 0
    for generator in _generators():
        if check:
            stale = generator.stale()
            stale_total += len(stale)
            for path in stale:
                err_console.print(f"[red]out of date:[/red] {_shown(path)} ({generator.name})")
        else:
            changed = generator.write()
            console.print(f"{generator.name}: {len(changed)} file(s) changed")
            for path in changed:
                console.print(f"  {_shown(path)}")
    if check:
        if stale_total:
            err_console.print(f"{stale_total} generated file(s) out of date: run `govlake generate`")
            raise typer.Exit(1)
        console.print("[green]every generated file matches catalog/ and standards/[/green]")

"""`govlake airflow`: the project's Airflow on its real scheduler, on loopback, until Ctrl-C."""

from __future__ import annotations

import typer
from rich.markup import escape

from pipelines.cli.console import console

COLOURS = {"scheduler": "blue", "dag-processor": "yellow", "triggerer": "cyan", "api-server": "magenta"}


def airflow_command(port: int = typer.Option(8080, "--port", help="The UI and API's port (on 127.0.0.1).")) -> None:
    """Start Airflow (scheduler, DAG processor, triggerer, API server) with the project's DAGs and
    pools; stop every component and its children on Ctrl-C or SIGTERM."""
    from pipelines.orchestration.airflow_local import serve

    def echo(name: str, line: str) -> None:
        console.print(f"[{COLOURS.get(name, 'white')}]{name:13}[/] | {escape(line)}")

    def ready(airflow) -> None:
        console.print(
            f"[bold green]Airflow is ready[/] at {airflow.url}  (user admin; password in {airflow.password_file})\n"
            f"component logs in {airflow.env['AIRFLOW_HOME']}/logs/components; Ctrl-C stops everything"
        )

    code = serve(port, echo=echo, ready=ready)
    console.print("every Airflow component and its children stopped")
    raise typer.Exit(code)

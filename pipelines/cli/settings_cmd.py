"""`govlake settings`: show the derived settings (never secrets)."""

from rich.table import Table

from pipelines.cli.console import console
from pipelines.settings import get_settings


def show_settings() -> None:
    """Show the environment, engine and every location derived from them."""
    table = Table("setting", "value", title="govlake settings")
    for key, value in get_settings().describe().items():
        table.add_row(key, value)
    console.print(table)

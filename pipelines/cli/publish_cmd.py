"""`govlake publish` and `govlake serve`: the static scorecard site."""

from __future__ import annotations

from pathlib import Path

import typer

from pipelines.cli.console import console


def publish_command(
    out: Path = typer.Option(None, "--out", help="Write the site here (default: site/ under the data directory)."),
) -> None:
    """Write the bilingual scorecard site from the warehouse's quality marts (run `govlake quality score` first)."""
    from pipelines.publish.site import publish
    from pipelines.settings import get_settings

    path = publish(get_settings(), out)
    console.print(f"scorecard site written to {path}  (open {path / 'index.html'} or run `govlake serve`)")


def serve_command(
    port: int = typer.Option(8000, "--port"),
    host: str = typer.Option("127.0.0.1", "--host"),
    site: Path = typer.Option(None, "--site", help="Site folder (default: site/ under the data directory)."),
) -> None:
    """Serve the published site over HTTP (read-only, static files)."""
    from pipelines.publish.serve import serve
    from pipelines.settings import get_settings

    root = site or get_settings().site_root
    if not (root / "index.html").exists():
        console.print(f"[red]no site at {root}: run `govlake publish` first[/red]")
        raise typer.Exit(1)
    console.print(f"serving {root} on http://{host}:{port}/  (Ctrl-C stops)")
    serve(root, host, port)

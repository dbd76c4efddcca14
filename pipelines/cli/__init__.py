"""`govlake`: the command line of the platform (wiring only; the work is in the package)."""

from __future__ import annotations

import typer

from pipelines.cli import (
    access_cmd,
    airflow_cmd,
    build_cmd,
    catalog_cmd,
    demo_cmd,
    disputes_cmd,
    exposures_cmd,
    generate_cmd,
    ingest_cmd,
    linkage_cmd,
    publish_cmd,
    quality_cmd,
    settings_cmd,
    standards_cmd,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="govlake: government data-governance platform.")
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(standards_cmd.app, name="standards")
app.add_typer(linkage_cmd.app, name="linkage")
app.add_typer(quality_cmd.app, name="quality")
app.add_typer(disputes_cmd.app, name="disputes")
app.add_typer(exposures_cmd.app, name="exposures")
app.add_typer(access_cmd.app, name="access")
app.add_typer(access_cmd.audit_app, name="audit")
app.add_typer(access_cmd.verify_app, name="verify")
app.command("query")(access_cmd.query_command)
app.command("build")(build_cmd.build_command)
app.command("generate")(generate_cmd.generate_command)
app.command("settings")(settings_cmd.show_settings)
app.command("ingest")(ingest_cmd.ingest_command)
app.command("publish")(publish_cmd.publish_command)
app.command("serve")(publish_cmd.serve_command)
app.command("airflow")(airflow_cmd.airflow_command)

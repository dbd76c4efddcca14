"""`govlake exposures ...`: not-shared resources (不予共享) found exposed, a single-veto item."""

from __future__ import annotations

import getpass
from datetime import date, datetime

import typer
from rich.table import Table

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="Not-shared resources found exposed outside the platform (单项否决).")


def audited(settings, action: str):
    """What a report calls before it is kept: an entry in the platform's audit log, free text scrubbed."""
    from pipelines.access.audit import AuditLog
    from pipelines.standards.scrub import scrub_text

    def audit(r) -> None:
        AuditLog.open(settings).append(
            r.by,
            action,
            exposure=r.withdraws or r.exposure_id,
            resource=f"{r.department}/{r.resource}",
            found_on=r.found_on.isoformat(),
            reason=scrub_text(r.reason),
        )

    return audit


def _kept(step) -> None:
    from pipelines.access.audit import AuditUnavailable
    from pipelines.quality.exposures import ExposureRefused

    try:
        r = step()
    except (ExposureRefused, AuditUnavailable) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    what = f"withdraws {r.withdraws}" if r.withdraws else f"{r.department}/{r.resource} exposed, found {r.found_on}"
    console.print(f"{r.exposure_id}: {what} (by {r.by}); the next scorecards take it in")


@app.command("report")
def report_command(
    dept: str = typer.Option(..., "--dept", help="The department whose resource was exposed."),
    resource: str = typer.Option(..., help="The not-shared resource, by its slug."),
    found_on: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="The day it was found."),
    found_where: str = typer.Option(..., "--where", help="Where it was seen (a site, a release, a mailing)."),
    reason: str = typer.Option(..., help="What was seen, without any record's values."),
    by: str = typer.Option(None, help="Who reports it (default: the user running the command)."),
) -> None:
    """Report a not-shared resource found exposed: the department fails the period it was found in."""
    from pipelines.catalog import load_catalog
    from pipelines.quality.exposures import report_exposure
    from pipelines.settings import get_settings

    settings = get_settings()
    who = by or getpass.getuser()
    audit = audited(settings, "exposure report")
    _kept(
        lambda: report_exposure(
            settings, load_catalog(), dept, resource, found_on.date(), found_where, reason, who, audit, date.today()
        )
    )


@app.command("withdraw")
def withdraw_command(
    exposure: str = typer.Argument(..., help="The exposure, as `govlake exposures list` shows it."),
    reason: str = typer.Option(..., help="Why the report was a mistake."),
    by: str = typer.Option(None, help="Who withdraws it (default: the user running the command)."),
) -> None:
    """Withdraw a report filed by mistake: its veto no longer counts from the next scorecards on."""
    from pipelines.quality.exposures import withdraw_exposure
    from pipelines.settings import get_settings

    settings = get_settings()
    audit = audited(settings, "exposure withdrawal")
    _kept(lambda: withdraw_exposure(settings, exposure, reason, by or getpass.getuser(), audit))


@app.command("list")
def list_command(dept: str = typer.Option(None, "--dept", help="Only this department's.")) -> None:
    """The exposures standing, in the order they were found."""
    from pipelines.quality.exposures import standing_exposures
    from pipelines.settings import get_settings

    found = [r for r in standing_exposures(get_settings()) if dept in (None, r.department)]
    table = Table("exposure", "department", "resource", "found on", "where", "reported by")
    for r in found:
        table.add_row(r.exposure_id, r.department, r.resource, str(r.found_on), r.found_where, r.by)
    console.print(table if found else "no exposure reported")


def print_exposure_vetoes(settings, period: str) -> None:
    """Each exposure standing in `period` beside its department's scorecard: failed, the veto named."""
    from pipelines.engines import engine_for
    from pipelines.engines.dialects import HOUSE
    from pipelines.quality.exposures import standing_exposures

    cards = {
        r["department"]: r
        for r in engine_for(settings)
        .query(
            "select department, is_passing, veto_items from quality.department_scorecards "
            f"where period = {HOUSE.lit(period)}"
        )
        .to_pylist()
    }
    table = Table("exposure", "department/resource", "found on", "where", f"{period} failed, veto named")
    exposures = standing_exposures(settings)
    for r in exposures:
        card = cards.get(r.department, {})
        named = f"not_shared_exposed: {r.resource}" in (card.get("veto_items") or "")
        verdict = "yes" if named and not card.get("is_passing") else "[red]NO[/red]"
        table.add_row(r.exposure_id, f"{r.department}/{r.resource}", str(r.found_on), r.found_where, verdict)
    console.print("   not-shared resources found exposed (单项否决), reported by the spot-check team")
    console.print(table if exposures else "   no exposure reported")

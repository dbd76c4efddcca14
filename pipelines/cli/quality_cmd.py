"""`govlake quality ...`: validate the lake's batches against the generated suites."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import typer
from rich.table import Table

from pipelines.cli.console import console

app = typer.Typer(no_args_is_help=True, help="Great Expectations validation of every published batch.")


@app.command("validate")
def validate_command(
    dept: str = typer.Option(None, "--dept", help="Only this department's batches."),
    spot_check: int = typer.Option(
        None, "--spot-check", min=1, help="Spot check: validate this many random rows of every batch instead."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the spot check's sample."),
) -> None:
    """Validate every published batch not validated before; store the result rows; summarise them."""
    from pipelines.quality.validate import results_root, validate
    from pipelines.settings import get_settings

    settings = get_settings()
    rows = validate(settings, department=dept, sample=spot_check, seed=seed)
    if not rows:
        console.print("nothing new to validate")
        return
    summary: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        s = summary[(r["department"], r["dimension"])]
        s[0] += 1
        s[1] += (not r["success"]) and not r["waived"]
        s[2] += r["waived"]
        s[3] += r["unexpected_count"] or 0
    table = Table("department", "dimension", "expectations", "failed", "waived", "unexpected values")
    for (department, dimension), (n, failed, waived, unexpected) in sorted(summary.items()):
        table.add_row(department, dimension, str(n), str(failed), str(waived), f"{unexpected:,}")
    console.print(table)
    console.print(f"{len(rows):,} result rows stored under {results_root(settings)}")


@app.command("score")
def score_command(
    as_of: datetime = typer.Option(None, formats=["%Y-%m-%d"], help="Judge as of this date (default: today)."),
    period: str = typer.Option(None, help="The league table's period: a quarter (2026Q3) or month (2026-07)."),
) -> None:
    """Build the scorecards (dbt) from the stored results and print a period's league table (the latest
    quarter unless named)."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import BuildFailed, build_scorecards

    settings = get_settings()
    try:
        build_scorecards(settings, as_of=as_of.date().isoformat() if as_of else None)
    except BuildFailed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    print_league_table(settings, period)


def print_league_table(settings, period: str | None = None) -> None:
    """The league table of a quarter (the latest judged, unless named): every catalogued department, best
    first, with its rules met, its vetoes and the change since the previous quarter."""
    from pipelines.engines import engine_for
    from pipelines.engines.dialects import HOUSE

    chosen = (
        HOUSE.lit(period)
        if period
        else ("(select max(period) from quality.department_scorecards where period_kind = 'quarter')")
    )
    rows = (
        engine_for(settings)
        .query(
            f"""select department, period, overall_score, is_passing, rank_in_period, score_change, rules_met,
                       rules_checked, deliveries_published, deliveries_late, veto_items
                from quality.department_scorecards
                where period = {chosen}
                order by rank_in_period, department"""
        )
        .to_pylist()
    )
    table = Table(
        "rank", "department", "score", "pass", "change", "rules met", "deliveries (late)", "vetoes",
        title=f"league table {rows[0]['period'] if rows else ''}: rules met, single-veto items (单项否决)",
    )  # fmt: skip
    for r in rows:
        score, change = r["overall_score"], r["score_change"]
        table.add_row(
            str(r["rank_in_period"]),
            r["department"],
            "—" if score is None else f"{score:.4f}",
            "[green]pass[/green]" if r["is_passing"] else "[red]fail[/red]",
            "" if change is None else f"{change:+.4f}",
            f"{r['rules_met']}/{r['rules_checked']}",
            f"{r['deliveries_published']} ({r['deliveries_late']})",
            r["veto_items"] or "",
        )
    console.print(table)


@app.command("holds")
def holds_command(
    dept: str = typer.Option(None, "--dept", help="Only this department's deliveries."),
    all_: bool = typer.Option(False, "--all", help="Ended holds too (released or replaced)."),
) -> None:
    """Deliveries the quality gate held back from the subject databases, with the checks that tripped."""
    from pipelines.quality.gate import describe
    from pipelines.quality.gate import holds as gate_holds
    from pipelines.settings import get_settings

    holds = gate_holds(get_settings(), dept, all_)
    table = Table("load", "department", "resource", "delivery", "held at", "checks tripped", "outcome")
    for h in holds:
        outcome = h["outcome"] or "held"
        if h["outcome"]:
            outcome += f" by {h['ended_by']}: {h['reason']}"
        table.add_row(
            h["load_id"],
            h["department"],
            h["resource"],
            h["delivery"],
            h["held_at"][:19],
            describe(h["tripped"]),
            outcome,
        )
    console.print(table if holds else "no delivery is held back")


@app.command("release")
def release_command(
    load_id: str = typer.Argument(..., help="The held load, as `govlake quality holds` shows it."),
    reason: str = typer.Option(..., help="Why it may go in: what was checked with the department."),
    by: str = typer.Option(None, help="Who releases it (default: the user running the command)."),
) -> None:
    """Let a held delivery into the next build, as an administrator; recorded in the audit log first."""
    import getpass

    from pipelines.access.audit import AuditLog, AuditUnavailable
    from pipelines.cli.console import err_console
    from pipelines.quality.gate import ReleaseRefused, release
    from pipelines.settings import get_settings

    settings = get_settings()

    def audit(e: dict) -> None:
        AuditLog.open(settings).append(e["by"], "hold release", load_id=e["load_id"], reason=e["reason"])

    try:
        h = release(settings, load_id, reason, by or getpass.getuser(), audit)
    except (ReleaseRefused, AuditUnavailable) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(
        f"{load_id} ({h['department']}/{h['resource']}) released by {h['ended_by']}; the next build takes it in"
    )

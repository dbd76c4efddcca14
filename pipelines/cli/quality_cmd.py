"""`govlake quality ...`: validate the lake's batches against the generated suites."""

from __future__ import annotations

from collections import defaultdict

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
def score_command() -> None:
    """Build the scorecards (dbt) from the stored results and print the league table of the latest period."""
    from pipelines.settings import get_settings
    from pipelines.transform.build import BuildFailed, build_scorecards

    settings = get_settings()
    try:
        build_scorecards(settings)
    except BuildFailed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    print_league_table(settings)


def print_league_table(settings) -> None:
    """Each department's latest scorecard, best first."""
    from pipelines.engines import engine_for

    rows = [
        tuple(r.values())
        for r in engine_for(settings)
        .query(
            """select department, period, overall_score, is_passing, rank_in_period, score_change, rules_failed,
                      repeat_failures
               from quality.department_scorecards
               qualify row_number() over (partition by department order by period desc) = 1
               order by overall_score desc"""
        )
        .to_pylist()
    ]
    table = Table(
        "department",
        "period",
        "score",
        "pass",
        "rank",
        "change",
        "rules failed",
        "repeat failures",
        title="scorecards: each department's latest period",
    )
    for dept, period, score, passing, rank, change, failed, repeats in rows:
        table.add_row(
            dept,
            period,
            f"{score:.4f}",
            "[green]pass[/green]" if passing else "[red]fail[/red]",
            str(rank),
            "" if change is None else f"{change:+.4f}",
            str(failed),
            str(repeats),
        )
    console.print(table)

"""`govlake linkage ...`: score the linkage against the synthetic city's truth; explain one record's link."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="Record linkage of persons and legal entities (Splink).")


@app.command("evaluate")
def evaluate_command(
    truth: Path = typer.Option(None, help="Folder with the city's truth/records.csv (default: the demo city's)."),
) -> None:
    """Pairwise precision and recall of the person and legal-entity clusters against the ground truth."""
    from pipelines.linkage.evaluate import evaluate
    from pipelines.settings import get_settings

    settings = get_settings()
    truth = truth or settings.sources_dir / "truth"
    table = Table(
        "subject",
        "records",
        "true clusters",
        "clusters",
        "true pairs",
        "found pairs",
        "correct pairs",
        "precision",
        "recall",
        "F1",
    )
    for s in evaluate(settings, truth):
        table.add_row(
            s.subject,
            f"{s.records:,}",
            f"{s.true_clusters:,}",
            f"{s.predicted_clusters:,}",
            f"{s.true_pairs:,}",
            f"{s.predicted_pairs:,}",
            f"{s.correct_pairs:,}",
            f"{s.precision:.6f}",
            f"{s.recall:.6f}",
            f"{s.f1:.4f}",
        )
    console.print(table)


@app.command("train")
def train_command(
    subject: list[str] = typer.Option(None, help="population or legal_entities (default: both)."),
) -> None:
    """Train the linkage model again on the records in the warehouse now and keep it: the builds that
    follow score with it (a build trains only when no model was kept, or with --full-refresh)."""
    from pipelines.linkage.run import SUBJECTS, train
    from pipelines.settings import get_settings

    unknown = [s for s in subject or [] if s not in SUBJECTS]
    if unknown:
        err_console.print(f"[red]unknown subject {unknown[0]!r}: one of {', '.join(SUBJECTS)}[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    for s in subject or list(SUBJECTS):
        try:
            seconds = train(settings, s)
        except ValueError as exc:
            err_console.print(f"[red]{s}: {exc}[/red]")
            raise typer.Exit(1) from None
        console.print(f"{s}: model trained in {seconds:.1f} s; the next `govlake build` links with it")


@app.command("review")
def review_command(
    subject: str = typer.Option("population", help="population or legal_entities."),
) -> None:
    """Records held for a clerk: two people scored within a bit of each other (a father and son of one
    name in one household), so neither was chosen by record order."""
    from pipelines.linkage.run import SUBJECTS, review_queue
    from pipelines.settings import get_settings

    if subject not in SUBJECTS:
        err_console.print(f"[red]unknown subject {subject!r}: one of {', '.join(SUBJECTS)}[/red]")
        raise typer.Exit(2)
    held = review_queue(get_settings(), subject)
    id_column = f"candidate_{SUBJECTS[subject].id_column}"
    table = Table("record", "candidate", "through record", "match probability", "match weight")
    for r in held:
        table.add_row(
            r["source_record_id"],
            r[id_column],
            r["matched_record_id"],
            f"{r['match_probability']:.6f}",
            f"{r['match_weight']:+.2f}",
        )
    console.print(table)
    records = len({r["source_record_id"] for r in held})
    console.print(
        f"{records} record(s) held for review; `govlake linkage explain RECORD` shows why each scored, "
        "`govlake linkage decide RECORD CANDIDATE --reason ...` settles one"
    )


@app.command("decide")
def decide_command(
    record: str = typer.Argument(..., help="The held record, as `govlake linkage review` lists it."),
    person: str = typer.Argument(..., help="The candidate it is (its id in the review queue)."),
    reason: str = typer.Option(..., help="Why: what the clerk checked."),
    subject: str = typer.Option("population", help="population or legal_entities."),
    by: str = typer.Option(None, help="Who decides (default: the user running the command)."),
) -> None:
    """Decide a held record: it is `person`. The next build links it so (match method `clerical`)."""
    import getpass

    from pipelines.access.audit import AuditLog, AuditUnavailable
    from pipelines.linkage.decisions import decide
    from pipelines.settings import get_settings
    from pipelines.standards.scrub import scrub_text

    settings = get_settings()

    def audit(d) -> None:
        AuditLog.open(settings).append(
            d.decided_by,
            "linkage decision",
            subject=d.subject,
            record=scrub_text(d.record),
            person=d.person,
            reason=scrub_text(d.reason),
        )

    try:
        d = decide(settings, subject, record, person, reason, by or getpass.getuser(), audit)
    except (ValueError, KeyError, AuditUnavailable) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"{d.record} is {d.person} (decided by {d.decided_by}); the next `govlake build` links it")


@app.command("explain")
def explain_command(record: str = typer.Argument(..., help="department/resource/record_key[#party]")) -> None:
    """Why a source record joined its cluster (values masked)."""
    from pipelines.linkage.explain import explain
    from pipelines.settings import get_settings

    try:
        explanations = explain(get_settings(), record)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if not explanations:
        err_console.print(
            f"[yellow]no linked record {record} in the warehouse (quarantined, or not built yet)[/yellow]"
        )
        raise typer.Exit(1)
    for e in explanations:
        console.rule(f"{e.source_record_id}")
        console.print(
            f"{e.subject}: cluster [bold]{e.cluster_id}[/bold] ({e.cluster_size} records from {', '.join(e.departments)})\n"
            f"method: [bold]{e.match_method}[/bold]"
            + (
                f", match probability {e.match_probability:.6f} via {e.matched_record_id}"
                if e.matched_record_id
                else ""
            )
        )
        if e.match_method == "identifier":
            console.print("joined by its valid identifier, shared by every record of the cluster")
        if e.comparisons:
            table = Table("compared", "this record", "matched record", "level", "match weight")
            if e.prior_match_weight is not None:
                table.add_row("(prior)", "", "", "two random records", f"{e.prior_match_weight:+.2f}")
            for c in e.comparisons:
                table.add_row(
                    c.column,
                    c.left or "∅",
                    c.right or "∅",
                    c.level,
                    "" if c.match_weight is None else f"{c.match_weight:+.2f}",
                )
            console.print(table)

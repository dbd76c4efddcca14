"""`govlake disputes ...`: the values other departments dispute, as the authority for them sees them."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.table import Table

from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="Disputes routed to the department authoritative for a value.")

AS_OF = typer.Option(None, formats=["%Y-%m-%d"], help="As of this date (default: today).")


def _day(as_of: datetime | None) -> date:
    return as_of.date() if as_of else date.today()


@app.command("list")
def list_command(
    dept: str = typer.Option(..., "--dept", help="The authority: the department the disputes are routed to."),
    status: str = typer.Option(None, help="Only disputes in this status (open, confirmed, rejected, corrected)."),
    as_of: datetime = AS_OF,
) -> None:
    """The disputes routed to a department, oldest first: no values (the department reads its records in
    its own role warehouse)."""
    from pipelines.quality.disputes import Status, load_disputes
    from pipelines.settings import get_settings

    try:
        wanted = Status(status) if status else None
    except ValueError:
        err_console.print(f"[red]no status {status!r}: one of {', '.join(Status)}[/red]")
        raise typer.Exit(2) from None
    day = _day(as_of)
    disputes = [
        d
        for d in load_disputes(get_settings()).values()
        if d.key.authority_department == dept and (wanted is None or d.status is wanted)
    ]
    table = Table("dispute", "subject", "attribute", "disputed by", "status", "opened", "age (days)")
    for d in sorted(disputes, key=lambda d: (d.opened_on, d.dispute_id)):
        age = ((d.resolved_on or day) - d.opened_on).days
        who = f"{d.key.department}/{d.key.resource}"
        table.add_row(d.dispute_id, d.key.subject, d.key.attribute, who, d.status, str(d.opened_on), str(age))
    console.print(table)
    counts = {s: sum(d.status is s for d in disputes) for s in Status}
    console.print(", ".join(f"{n} {s}" for s, n in counts.items() if n) or f"no disputes routed to {dept}")


def audited(settings):
    """What `resolve` calls before it keeps a resolution: an entry in the platform's audit log."""
    from pipelines.access.audit import AuditLog
    from pipelines.standards.scrub import scrub_text

    def audit(e) -> None:
        AuditLog.open(settings).append(
            e.by, "dispute resolution", dispute=e.dispute_id, status=e.status.value, reason=scrub_text(e.reason)
        )

    return audit


def print_dispute_summary(settings) -> None:
    """Per authority: the conflicts the warehouse holds, the disputes standing for them (the two are equal
    when every conflict was routed once), and the disputes by status; then whether each confirmed value is
    now the golden one, and the history's current value."""
    from pipelines.engines import engine_for

    engine = engine_for(settings)
    conflicts = {
        r["authority_department"]: r["n"]
        for r in engine.query(
            "select authority_department, count(*) as n from quality.conflicts group by authority_department"
        ).to_pylist()
    }
    rows = engine.query(
        "select authority_department, status, count(*) as n from quality.disputes group by authority_department, status"
    ).to_pylist()
    table = Table(
        "authority", "conflicts", "disputes standing", "routed once", "open", "confirmed", "rejected", "corrected"
    )
    for authority in sorted({r["authority_department"] for r in rows} | set(conflicts)):
        by = {r["status"]: r["n"] for r in rows if r["authority_department"] == authority}
        standing = by.get("open", 0) + by.get("confirmed", 0) + by.get("rejected", 0)
        n = conflicts.get(authority, 0)
        cells = [str(by.get(s, 0)) for s in ("open", "confirmed", "rejected", "corrected")]
        table.add_row(authority, str(n), str(standing), "yes" if n == standing else "[red]NO[/red]", *cells)
    console.print(table)
    golden = engine.query(
        """select count(*) as confirmed,
                  sum(case when p.golden = d.attribute_value then 1 else 0 end) as golden,
                  sum(case when h.current_value = d.attribute_value then 1 else 0 end) as history
           from quality.disputes as d
           left join (
               select person_id as subject_id, attribute, attribute_value as golden
               from population.person_attribute_lineage
               union all
               select entity_id, attribute, attribute_value from legal_entities.entity_attribute_lineage
           ) as p on p.subject_id = d.subject_id and p.attribute = d.attribute
           left join (
               select person_id as subject_id, attribute, attribute_value as current_value
               from population.persons_history where valid_to is null
               union all
               select entity_id, attribute, attribute_value from legal_entities.legal_entities_history
               where valid_to is null
           ) as h on h.subject_id = d.subject_id and h.attribute = d.attribute
           where d.status = 'confirmed'"""
    ).to_pylist()[0]
    if golden["confirmed"]:
        console.print(
            f"   confirmed disputes whose value is now the golden one: {golden['golden']} of {golden['confirmed']},"
            f" and the history's current value: {golden['history']} of {golden['confirmed']}"
        )


@app.command("resolve")
def resolve_command(
    dispute: str = typer.Argument(..., help="The dispute, as `govlake disputes list` shows it."),
    dept: str = typer.Option(..., "--dept", help="The authority resolving it."),
    status: str = typer.Option(..., help="confirmed (the department's value is right) or rejected (ours stands)."),
    reason: str = typer.Option(..., help="Why: what the authority checked."),
    by: str = typer.Option(None, help="Who resolves (default: the user running the command)."),
    as_of: datetime = AS_OF,
) -> None:
    """Resolve a dispute routed to your department. The next build takes it in: a confirmed value becomes
    the golden one, and no longer counts against the department that gave it."""
    import getpass

    from pipelines.access.audit import AuditUnavailable
    from pipelines.quality.disputes import Status, resolve
    from pipelines.settings import get_settings

    settings = get_settings()
    try:
        audit = audited(settings)
        e = resolve(settings, dispute, dept, Status(status), reason, by or getpass.getuser(), _day(as_of), audit)
    except (ValueError, AuditUnavailable) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"{e.dispute_id} is {e.status} (by {e.by}); the next `govlake build` takes it in")

"""`govlake access ...`, `govlake query`, `govlake audit verify`, `govlake verify ...`: sharing safely."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime

import typer
from rich.table import Table

from pipelines import clock
from pipelines.cli.console import console, err_console

app = typer.Typer(no_args_is_help=True, help="Roles, grants and the per-role warehouses.")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log.")
verify_app = typer.Typer(no_args_is_help=True, help="The verification service (核验): yes or no.")
callers_app = typer.Typer(no_args_is_help=True, help="Callers of the verification service.")
verify_app.add_typer(callers_app, name="callers")

AS_OF = typer.Option(None, "--as-of", help="The grants on this day (YYYY-MM-DD; default today).")


def _day(value: str | None) -> date:
    return date.fromisoformat(value) if value else date.today()


@app.command("build")
def build(
    role: str = typer.Option(None, "--role", help="One role (default: every role but the administrator)."),
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Compute every row again, not only the rows whose source changed."
    ),
) -> None:
    """Build each role's warehouse (and the verification index) from the platform warehouse, with the
    grants live today: approvals are judged against the real date only. On DuckDB a warehouse is updated
    in place: only rows whose source changed since its last build are computed."""
    from pipelines.access.build import build_all, build_role_warehouse
    from pipelines.access.columns import MaskingMissing
    from pipelines.verification.index import build_index

    try:
        reports = (
            [build_role_warehouse(role, full_refresh=full_refresh)] if role else build_all(full_refresh=full_refresh)
        )
    except MaskingMissing as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    table = Table("role", "warehouse", "tables", "rows", "computed now")
    for r in reports:
        table.add_row(
            r.role, str(r.path), str(len(r.tables)), f"{sum(r.tables.values()):,}", f"{sum(r.computed.values()):,}"
        )
    console.print(table)
    if not role:
        counts = build_index()
        console.print(
            f"verification index: {counts['persons.parquet']:,} persons, {counts['licences.parquet']:,} licences"
        )


@app.command("grants")
def grants_command(
    role: str = typer.Argument(..., help="A role from catalog/access/roles.yml."), as_of: str = AS_OF
) -> None:
    """What a role may read on a day, and on what basis (a listing: builds and queries use today)."""
    from pipelines.access.policy import grants

    table = Table("resource", "mode", "basis", "expires")
    for g in grants(role, _day(as_of)):
        table.add_row(f"{g.department}/{g.resource}", g.mode, g.basis, str(g.expires_on or ""))
    console.print(table)


def query_command(
    sql: str = typer.Argument(..., help="One SQL statement (DuckDB dialect)."),
    output: str = typer.Option("table", "--format", help="table, csv or json"),
    as_of: datetime = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Read every *_history table as it stood at the end of this day (the versions then in force); "
        "the grants are still today's.",
    ),
) -> None:
    """Run SQL through the query service, as the role your token is bound to: read-only, audited.
    The token is GOVLAKE_QUERY_TOKEN or ~/.config/govlake/query-token; the service GOVLAKE_QUERY_URL."""
    from pipelines.access.as_of import as_of as rewrite_as_of
    from pipelines.access.client import ServiceError, ask

    try:
        if as_of is not None:
            sql = rewrite_as_of(sql, as_of.date())
        result = ask(sql)
    except ServiceError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2 if exc.status == 400 else 3) from None
    except ValueError as exc:  # an --as-of statement without a history table, or SQL sqlglot cannot read
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif output == "json":
        print(
            json.dumps(
                [dict(zip(result.columns, r, strict=True)) for r in result.rows], ensure_ascii=False, default=str
            )
        )
    else:
        table = Table(*result.columns)
        for row in result.rows[:200]:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
        err_console.print(f"{len(result.rows):,} rows as {result.role} (audit entry {result.audit_seq})")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check every entry's MAC and the chain; exit 1 on any altered, removed or reordered entry."""
    from pipelines.access.audit import AuditLog

    log = AuditLog.open()
    result = log.verify()
    for problem in result.problems:
        err_console.print(f"[red]{problem}[/red]")
    if not result.ok:
        raise typer.Exit(1)
    console.print(f"[green]audit log intact[/green]: {result.entries:,} entries, head {result.head[:16]}  ({log.path})")


def _verifier():
    from pipelines.verification.verifier import Verifier

    return Verifier.open()


def _answer(role: str, action: str, ask, subject: dict) -> None:
    from pipelines.access.audit import AuditLog, AuditUnavailable
    from pipelines.access.policy import role as role_of
    from pipelines.access.query import os_user
    from pipelines.verification.callers import CALLER_ROLES

    if role_of(role).kind not in CALLER_ROLES:
        err_console.print(f"[red]role {role!r} may not verify individuals[/red]")
        raise typer.Exit(3)
    try:
        log = AuditLog.open()
        log.check_writable()
        answer = ask()
        log.append(f"{os_user()} as {role}", action, outcome=answer.value, rows=1, **subject)
    except AuditUnavailable as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(3) from None
    console.print(answer.value)


ROLE = typer.Option(..., "--role", help="The department (or administrator) asking.")


@verify_app.command("identity")
def verify_identity(
    citizen_id: str = typer.Option(..., "--id"), name: str = typer.Option(..., "--name"), role: str = ROLE
) -> None:
    """Does this ID number belong to this name?"""
    v = _verifier()
    _answer(role, "verify.identity", lambda: v.identity(citizen_id, name), v.audit_subject(citizen_id))


@verify_app.command("alive")
def verify_alive(
    citizen_id: str = typer.Option(..., "--id"), name: str = typer.Option(..., "--name"), role: str = ROLE
) -> None:
    """Is the person with this ID number and name alive?"""
    v = _verifier()
    _answer(role, "verify.alive", lambda: v.alive(citizen_id, name), v.audit_subject(citizen_id))


@verify_app.command("licence")
def verify_licence(
    number: str = typer.Option(..., "--number"),
    holder: str = typer.Option(..., "--holder", help="Credit code."),
    role: str = ROLE,
) -> None:
    """Is this licence valid today for this holder?"""
    v = _verifier()
    _answer(
        role, "verify.licence", lambda: v.licence(number, holder, clock.today()), {"subject": number, "holder": holder}
    )


@verify_app.command("serve")
def verify_serve(port: int = typer.Option(8100, "--port"), host: str = typer.Option("127.0.0.1", "--host")) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json)."""
    import uvicorn

    from pipelines.verification.api import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


@verify_app.command("openapi")
def verify_openapi() -> None:
    """Print the API's OpenAPI spec."""
    from pipelines.verification.api import create_app

    print(json.dumps(create_app().openapi(), ensure_ascii=False, indent=2))


@callers_app.command("add")
def callers_add(
    name: str = typer.Argument(..., help="The calling system, e.g. health-appointments."),
    role: str = ROLE,
    rate: int = typer.Option(600, "--rate", help="Requests per minute."),
    burst: int = typer.Option(60, "--burst"),
) -> None:
    """Issue a token for a caller (shown once; only its digest is kept)."""
    from pipelines.verification.callers import callers_path, issue_token

    token = issue_token(name, role, callers_path(), rate, burst)
    err_console.print(f"caller {name!r} ({role}); keep this token, it is not stored:")
    print(token)


@callers_app.command("revoke")
def callers_revoke(name: str = typer.Argument(..., help="The calling system to remove.")) -> None:
    """Remove a caller: its token stops working at the service's next request."""
    from pipelines.verification.callers import callers_path, revoke

    if not revoke(name, callers_path()):
        err_console.print(f"[red]no caller {name!r}[/red]")
        raise typer.Exit(1)
    console.print(f"caller {name!r} revoked")


users_app = typer.Typer(no_args_is_help=True, help="Who may query, as which role (tokens for `govlake query`).")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="The person, e.g. wang.fang."),
    role: str = typer.Option(..., "--role", help="A role from catalog/access/roles.yml."),
) -> None:
    """Issue a query token bound to one role (shown once; only its digest is kept)."""
    from pipelines.access.users import add_user, users_path

    token = add_user(name, role, users_path())
    err_console.print(f"user {name!r} ({role}); keep this token (GOVLAKE_QUERY_TOKEN), it is not stored:")
    print(token)


@users_app.command("revoke")
def users_revoke(name: str = typer.Argument(...)) -> None:
    """Remove a user: the token stops working at the service's next request."""
    from pipelines.access.users import remove_user, users_path

    if not remove_user(name, users_path()):
        err_console.print(f"[red]no user {name!r}[/red]")
        raise typer.Exit(1)
    console.print(f"user {name!r} revoked")


@app.command("serve")
def serve(
    port: int = typer.Option(8200, "--port", help="HTTP (`govlake query`)."),
    pg_port: int = typer.Option(5433, "--pg-port", help="PostgreSQL wire protocol (psql, BI tools); 0: off."),
    host: str = typer.Option("127.0.0.1", "--host"),
) -> None:
    """Serve the query service (the one process holding the keys): HTTP for `govlake query`, and the
    PostgreSQL wire protocol for SQL clients (user name and token as the password)."""
    import uvicorn

    from pipelines.access.pgwire import serve_in_thread
    from pipelines.access.service import create_app

    if pg_port:
        serve_in_thread((host, pg_port))
        err_console.print(f"PostgreSQL wire protocol on {host}:{pg_port} (user: your name, password: your token)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


@app.command("risk")
def risk(role: str = typer.Option("analyst", "--role", help="A role under disclosure control.")) -> None:
    """Re-identification risk of a role's warehouse as built: per table, the smallest cell (k) on its
    quasi-identifiers, rows alone in a cell and rows in cells under k — before and after control."""
    from pipelines.engines import engine_for
    from pipelines.settings import get_settings

    with engine_for(get_settings()).role_reader(role) as reader:
        columns, rows = reader.execute("select * from _access.risk order by table_name")
    table = Table(*columns)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)


@app.command("rotate-key")
def rotate_key(
    purpose: str = typer.Argument(..., help="role/<role> (a role's warehouse) or verification (its index)."),
) -> None:
    """Give one purpose's pseudonyms a new key and rebuild what it keys: every pseudonym it issued
    changes, so nothing seen before joins anything after (the audit key is not rotated here: its chain
    must stay verifiable)."""
    from pipelines.access.build import build_role_warehouse
    from pipelines.access.policy import RoleKind, load_access
    from pipelines.privacy.keys import rotate
    from pipelines.verification.index import PURPOSE, build_index

    roles = {f"role/{name}": name for name, r in load_access().roles.items() if r.kind is not RoleKind.ADMINISTRATOR}
    if purpose not in (*roles, PURPOSE):
        err_console.print(f"[red]unknown purpose {purpose!r}[/red]; purposes: {', '.join([*roles, PURPOSE])}")
        raise typer.Exit(1)
    version = rotate(f"pseudonym/{purpose}")
    if purpose == PURPOSE:
        build_index()
    else:
        build_role_warehouse(roles[purpose])
    console.print(f"{purpose}: pseudonym key version {version}; rebuilt")

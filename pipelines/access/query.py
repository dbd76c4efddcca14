"""The audited query path: `govlake query --role R "SQL"`.

A role's SQL runs against its own warehouse only, opened read-only with external access off and
the configuration locked, so ATTACH, COPY and file readers cannot reach the platform's warehouse
or the lake. A warehouse built under an approval that has since expired is refused until rebuilt.
The audit entry is written before the rows are handed back; without it there are no rows.
"""

from __future__ import annotations

import getpass
import time
from dataclasses import dataclass
from datetime import date

import duckdb

from pipelines.access.audit import AuditLog, AuditUnavailable, scrub
from pipelines.access.build import role_warehouse_path
from pipelines.access.policy import RoleKind, role
from pipelines.settings import Settings, get_settings

LOCKED_DOWN = {"enable_external_access": False, "autoload_known_extensions": False, "lock_configuration": True}


class QueryRefused(PermissionError):
    """The query was not run (no audit log, no warehouse, expired approval)."""


class QueryFailed(ValueError):
    """The query ran and DuckDB rejected it; the message is scrubbed of personal data."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    audit_seq: int


def _connect(role_name: str, settings: Settings) -> duckdb.DuckDBPyConnection:
    path = (
        settings.warehouse_path
        if role(role_name).kind is RoleKind.ADMINISTRATOR
        else role_warehouse_path(role_name, settings)
    )
    if not path.exists():
        raise QueryRefused(
            f"no warehouse for role {role_name!r} at {path}: run `govlake access build --role {role_name}`"
        )
    return duckdb.connect(str(path), read_only=True, config=LOCKED_DOWN)


def _expired_grants(con: duckdb.DuckDBPyConnection, on: date) -> list[tuple[str, str, date]]:
    try:
        return con.execute(
            "select approval_id, department || '/' || resource, expires_on from _access.grants where expires_on < ?",
            [on],
        ).fetchall()
    except duckdb.CatalogException:
        return []  # the platform warehouse (administrator) has no grants


def run_query(
    role_name: str,
    sql: str,
    *,
    user: str | None = None,
    on: date | None = None,
    settings: Settings | None = None,
    audit: AuditLog | None = None,
) -> QueryResult:
    settings = settings or get_settings()
    audit = audit or AuditLog.open(settings)
    actor = f"{user or getpass.getuser()} as {role_name}"
    audit.check_writable()  # refuse before reading anything
    con = _connect(role_name, settings)
    try:
        expired = _expired_grants(con, on or date.today())
        if expired:
            what = ", ".join(f"{res} ({aid}, expired {exp})" for aid, res, exp in expired)
            audit.append(actor, "query", sql=scrub(sql), outcome="refused: approval expired", rows=0)
            raise QueryRefused(
                f"role {role_name!r}'s warehouse holds data whose approval has expired: {what}; "
                f"rebuild it with `govlake access build --role {role_name}`"
            )
        started = time.perf_counter()
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            message = scrub(str(exc))
            audit.append(actor, "query", sql=scrub(sql), outcome=f"error: {message[:200]}", rows=0)
            raise QueryFailed(message) from None
        entry = audit.append(
            actor,
            "query",
            sql=scrub(sql),
            outcome="ok",
            rows=len(rows),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
    finally:
        con.close()
    return QueryResult(columns, rows, entry["seq"])


__all__ = ["AuditUnavailable", "QueryFailed", "QueryRefused", "QueryResult", "run_query"]

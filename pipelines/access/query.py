"""The audited query path: `govlake query --role R "SQL"`.

A role's SQL (the house dialect, DuckDB's) runs against its own warehouse only, through the engine's
locked-down reader: on DuckDB the role's file opened read-only with external access off and the
configuration locked; on Spark a guard that admits one SELECT over the role's tables and nothing else.
So ATTACH, COPY and file readers cannot reach the platform's warehouse or the lake. A warehouse built
under an approval that has since expired is refused until rebuilt. The audit entry is written before
the rows are handed back; without it there are no rows.
"""

from __future__ import annotations

import getpass
import time
from dataclasses import dataclass
from datetime import date

from pipelines.access.audit import AuditLog, AuditUnavailable, scrub
from pipelines.access.policy import RoleKind, role
from pipelines.engines import engine_for
from pipelines.engines.base import RejectedQuery, RoleReader
from pipelines.settings import Settings, get_settings


class QueryRefused(PermissionError):
    """The query was not run (no audit log, no warehouse, expired approval)."""


class QueryFailed(ValueError):
    """The engine rejected the query; the message is scrubbed of personal data."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    audit_seq: int


def _reader(role_name: str, settings: Settings) -> RoleReader:
    engine = engine_for(settings)
    if role(role_name).kind is RoleKind.ADMINISTRATOR:
        return engine.role_reader(None)
    path = engine.role_location(role_name)
    if not path.exists():
        raise QueryRefused(
            f"no warehouse for role {role_name!r} at {path}: run `govlake access build --role {role_name}`"
        )
    return engine.role_reader(role_name)


def _expired_grants(reader: RoleReader, on: date) -> list[tuple[str, str, date]]:
    try:
        return reader.execute(
            "select approval_id, department || '/' || resource, expires_on from _access.grants "
            f"where expires_on < date '{on.isoformat()}'"
        )[1]
    except RejectedQuery:
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
    reader = _reader(role_name, settings)
    try:
        expired = _expired_grants(reader, on or date.today())
        if expired:
            what = ", ".join(f"{res} ({aid}, expired {exp})" for aid, res, exp in expired)
            audit.append(actor, "query", sql=scrub(sql), outcome="refused: approval expired", rows=0)
            raise QueryRefused(
                f"role {role_name!r}'s warehouse holds data whose approval has expired: {what}; "
                f"rebuild it with `govlake access build --role {role_name}`"
            )
        started = time.perf_counter()
        try:
            columns, rows = reader.execute(sql)
        except RejectedQuery as exc:
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
        reader.close()
    return QueryResult(columns, rows, entry["seq"])


__all__ = ["AuditUnavailable", "QueryFailed", "QueryRefused", "QueryResult", "run_query"]

"""The audited query path: `govlake query --role R "SQL"`.

A role's SQL (the house dialect, DuckDB's) runs against its own warehouse only, through the engine's
locked-down reader: on DuckDB the role's file opened read-only with external access off and the
configuration locked; on Spark a guard that admits one SELECT over the role's tables and nothing else.
So ATTACH, COPY and file readers cannot reach the platform's warehouse or the lake. A warehouse built
under an approval that has since expired is refused until rebuilt; approvals are judged against the
real date (`pipelines.clock`), never one the caller names.

Two audit entries per query: its intent, durable before anything runs (a query killed half-way still
left its trace), and its result (rows and bytes handed back, or the error, which is output too), durable
before the caller gets anything. The query is cancelled after `query_timeout_seconds`. The SQL is logged
scrubbed on its parse, the error scrubbed before anyone sees it, and the user is the operating system's
account of the process (not `$LOGNAME`, which the caller sets).
"""

from __future__ import annotations

import json
import os
import pwd
import threading
import time
from dataclasses import dataclass
from datetime import date

from pipelines import clock
from pipelines.access.audit import AuditLog, AuditUnavailable
from pipelines.access.policy import RoleKind, role
from pipelines.engines import engine_for
from pipelines.engines.base import RejectedQuery, RoleReader
from pipelines.settings import Settings, get_settings
from pipelines.standards.scrub import scrub_sql, scrub_text

ERROR_CHARS = 300  # an error message is output too: scrubbed, and this long at most


class QueryRefused(PermissionError):
    """The query was not run (no audit log, no warehouse, expired approval)."""


class QueryFailed(ValueError):
    """The engine rejected the query or it timed out; the message is scrubbed of personal data."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    audit_seq: int  # the result entry


def os_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def _reader(role_name: str, settings: Settings) -> RoleReader:
    engine = engine_for(settings)
    if role(role_name).kind is RoleKind.ADMINISTRATOR:
        return engine.role_reader(None)
    path = engine.role_location(role_name)
    if not path.exists():
        raise QueryRefused(
            f"no warehouse for role {role_name!r} at {path}: run `govlake access build --role {role_name}`"
        )
    if path.is_symlink() or path.resolve().parent != settings.access_root.resolve():
        # a role file linked in from elsewhere would be read here and audited in this data dir's log
        raise QueryRefused(f"the warehouse of role {role_name!r} at {path} is not this platform's own file")
    return engine.role_reader(role_name)


def _expired_grants(reader: RoleReader, on: date) -> list[tuple[str, str, date]]:
    try:
        return reader.execute(
            "select approval_id, department || '/' || resource, expires_on from _access.grants "
            f"where expires_on < date '{on.isoformat()}'"
        )[1]
    except RejectedQuery:
        return []  # the platform warehouse (administrator) has no grants


def _bytes(rows: list[tuple]) -> int:
    return len(json.dumps(rows, ensure_ascii=False, default=str).encode())


def run_query(
    role_name: str,
    sql: str,
    *,
    user: str | None = None,
    settings: Settings | None = None,
    audit: AuditLog | None = None,
) -> QueryResult:
    settings = settings or get_settings()
    audit = audit or AuditLog.open(settings)
    actor = f"{user or os_user()} as {role_name}"
    logged = scrub_sql(sql)
    audit.check_writable()  # refuse before reading anything
    reader = _reader(role_name, settings)
    try:
        expired = _expired_grants(reader, clock.today())
        if expired:
            what = ", ".join(f"{res} ({aid}, expired {exp})" for aid, res, exp in expired)
            audit.append(actor, "query", sql=logged, outcome="refused: approval expired", rows=0)
            raise QueryRefused(
                f"role {role_name!r}'s warehouse holds data whose approval has expired: {what}; "
                f"rebuild it with `govlake access build --role {role_name}`"
            )
        intent = audit.append(actor, "query", sql=logged, outcome="started")
        started = time.perf_counter()
        timer = threading.Timer(settings.query_timeout_seconds, reader.interrupt)
        timer.start()
        try:
            columns, rows = reader.execute(sql)
        except RejectedQuery as exc:
            timed_out = time.perf_counter() - started >= settings.query_timeout_seconds
            message = (
                f"cancelled after {settings.query_timeout_seconds:g} s (the query timeout)"
                if timed_out
                else scrub_text(str(exc))[:ERROR_CHARS]
            )
            audit.append(
                actor,
                "query.result",
                intent=intent["seq"],
                outcome="timeout" if timed_out else "error",
                error=message,
                rows=0,
                bytes=len(message.encode()),
            )
            raise QueryFailed(message) from None
        finally:
            timer.cancel()
        entry = audit.append(
            actor,
            "query.result",
            intent=intent["seq"],
            outcome="ok",
            rows=len(rows),
            bytes=_bytes(rows),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
    finally:
        reader.close()
    return QueryResult(columns, rows, entry["seq"])


__all__ = ["AuditUnavailable", "QueryFailed", "QueryRefused", "QueryResult", "run_query"]

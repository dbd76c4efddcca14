"""The query service over the PostgreSQL wire protocol, so psql, DBeaver or a BI tool read through it.

buenavista speaks the protocol; every statement a client sends runs through the same audited path as
`govlake query` (`run_query`, as the role the user's token is bound to), so a SQL client no longer
bypasses the audit log. The client logs in with its user name and its token as the password (clear-text
password authentication: the server keeps only token digests, so it cannot do MD5 or SCRAM against
them; loopback by default, and TLS belongs in front of it if it ever leaves the machine). Transaction
statements that clients send on their own (BEGIN, COMMIT, ROLLBACK) are accepted and do nothing: every
read is a single read-only statement.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Iterator
from datetime import date

from buenavista import core, postgres

from pipelines.access.query import QueryFailed, QueryRefused, run_query
from pipelines.access.users import User, user_registry, users_path
from pipelines.settings import Settings, get_settings

logging.getLogger("buenavista").setLevel(logging.WARNING)  # at INFO it logs every statement, literals and all

NO_OPS = {"BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK"}
CLEARTEXT_PASSWORD = 3


def _bvtype(values: list) -> core.BVType:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return core.BVType.BOOL
    if isinstance(sample, int):
        return core.BVType.BIGINT
    if isinstance(sample, float):
        return core.BVType.FLOAT
    return core.BVType.TEXT


def _text(value) -> str | None:
    """A text column's value as the protocol sends it (dates and times in ISO form)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


class Result(core.QueryResult):
    def __init__(self, columns: list[str] | None = None, rows: list[tuple] | None = None, status: str = "") -> None:
        super().__init__()
        self._columns, self._rows, self._status = columns, rows or [], status
        self._types = [_bvtype([r[i] for r in self._rows]) for i in range(len(columns or []))]

    def has_results(self) -> bool:
        return self._columns is not None

    def column_count(self) -> int:
        return len(self._columns or [])

    def column(self, index: int) -> tuple[str, core.BVType]:
        return (self._columns or [])[index], self._types[index]

    def rows(self) -> Iterator[list]:
        return iter(
            [
                [_text(v) if t is core.BVType.TEXT else v for v, t in zip(r, self._types, strict=True)]
                for r in self._rows
            ]
        )

    def status(self) -> str:
        return self._status or f"SELECT {len(self._rows)}"


class AuditedSession(core.Session):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.user: User | None = None

    def cursor(self):
        return None

    def close(self) -> None:
        pass

    def in_transaction(self) -> bool:
        return False

    def execute_sql(self, sql: str, params=None) -> core.QueryResult:
        if self.user is None:
            raise PermissionError("not authenticated")
        if params:
            raise QueryFailed("parameters are not supported: send the statement with its values")
        statement = sql.strip().rstrip(";").strip()
        if statement.upper() in NO_OPS or not statement:
            return Result(status=statement.upper() or "EMPTY")
        try:
            result = run_query(self.user.role, statement, user=self.user.name, settings=self.settings)
        except (QueryFailed, QueryRefused) as exc:
            raise RuntimeError(str(exc)) from None  # buenavista sends it as the error message
        return Result(result.columns, result.rows)


class AuditedConnection(core.Connection):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def new_session(self) -> core.Session:
        return AuditedSession(self.settings)

    def close_session(self, session: core.Session) -> None:
        self._sessions.pop(session.id, None)

    def parameters(self) -> dict[str, str]:
        return {"server_version": "14.0 (govlake)", "client_encoding": "UTF8", "DateStyle": "ISO, YMD"}


class TokenHandler(postgres.BuenaVistaHandler):
    """Clear-text password authentication against the token store: the password is the user's token."""

    def send_auth_request(self, ctx: postgres.BVContext) -> None:
        self.wfile.write(struct.pack("!cii", postgres.ServerResponse.AUTHENTICATION_REQUEST, 8, CLEARTEXT_PASSWORD))

    def handle_md5_password(self, ctx: postgres.BVContext, payload: bytes) -> None:
        token = payload.decode("utf-8").rstrip("\x00")
        who = self.server.users.authenticate(token)
        if who is None or who.name != ctx.params.get("user"):
            raise PermissionError(f"password authentication failed for user {ctx.params.get('user')!r}")
        ctx.session.user = who
        self.send_authentication_ok()
        self.handle_post_auth(ctx)


class PgWireServer(postgres.BuenaVistaServer):
    def __init__(self, address: tuple[str, int], settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        super().__init__(address, AuditedConnection(settings), auth={})
        self.RequestHandlerClass = TokenHandler
        self.users = user_registry(users_path(settings))

    def verify_request(self, request, client_address) -> bool:
        return True  # who may connect is the listening address's business; who may read, the token's


def serve_in_thread(address: tuple[str, int], settings: Settings | None = None) -> PgWireServer:
    server = PgWireServer(address, settings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

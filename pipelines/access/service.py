"""The query service: the one process that holds the audit and pseudonym keys and runs every read.

Callers authenticate with a bearer token bound to a role (`pipelines.access.users`); the service runs
their SQL through the audited query path (`pipelines.access.query.run_query`) as that role and that
user, and answers with columns and rows. `govlake query` is its client and loads no key, so a process
that can query can no longer derive the pseudonym key and reverse what it reads. Loopback by default
(`govlake access serve`). Unauthenticated requests and oversized bodies are refused and audited.
(No `from __future__ import annotations`: FastAPI must see the dependencies declared in `create_app`.)
"""

import contextlib
import json
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from pipelines.access.audit import AuditLog, AuditUnavailable
from pipelines.access.http import BodyLimit, error_response
from pipelines.access.query import QueryFailed, QueryRefused, run_query
from pipelines.access.users import User, user_registry, users_path
from pipelines.settings import Settings, get_settings

MAX_SQL_BYTES = 64 * 1024


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sql: str = Field(min_length=1, description="One SQL statement (DuckDB dialect) over the role's warehouse.")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    users = user_registry(users_path(settings))
    audit = AuditLog.open(settings)
    bearer = HTTPBearer(auto_error=False, description="A user token from `govlake access users add`.")
    app = FastAPI(title="govlake query service", version="1", description="Audited SQL over a role's warehouse.")
    app.add_middleware(BodyLimit, limit=MAX_SQL_BYTES)

    def user(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> User:
        who = users.authenticate(credentials.credentials if credentials else None)
        if who is None:
            host = request.client.host if request.client else "?"
            with contextlib.suppress(AuditUnavailable):  # refused either way
                audit.append(f"anonymous@{host}", "query", outcome="401 unauthenticated", rows=0)
            raise HTTPException(401, "missing or unknown bearer token", headers={"WWW-Authenticate": "Bearer"})
        return who

    @app.post("/v1/query", summary="Run one read-only statement as the token's role; audited.")
    def query(q: QueryRequest, who: Annotated[User, Depends(user)]) -> Response:
        try:
            result = run_query(who.role, q.sql, user=who.name, settings=settings, audit=audit)
        except QueryFailed as exc:
            return error_response(400, str(exc))
        except QueryRefused as exc:
            return error_response(403, str(exc))
        except AuditUnavailable:
            return error_response(503, "the audit log cannot be written; no rows are given")
        body = {"role": who.role, "columns": result.columns, "rows": result.rows, "audit_seq": result.audit_seq}
        return Response(json.dumps(body, ensure_ascii=False, default=str), media_type="application/json")

    return app

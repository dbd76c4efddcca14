"""The verification service over HTTP (FastAPI; its OpenAPI spec is served at /openapi.json).

Questions are POSTed, never put in a URL, so ID numbers stay out of access logs and proxies.
Every response — answered, refused, malformed, too large, rate-limited or unauthenticated — is
written to the audit log before it leaves, by one middleware; if the entry cannot be written, the
caller gets 503 and no answer. Bodies are capped, errors never echo what was sent, requests without
a valid token are rate-limited per client address, and a caller whose questions look like an
enumeration is suspended (`enumeration.py`). (No `from __future__ import annotations` here: FastAPI
must see the dependencies declared inside `create_app`.)
"""

import math
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from pipelines import clock
from pipelines.access.audit import AuditLog, AuditUnavailable
from pipelines.access.http import BodyLimit, error_response
from pipelines.settings import Settings, get_settings
from pipelines.verification.callers import Caller, RateLimiter, caller_registry, callers_path, suspend
from pipelines.verification.enumeration import EnumerationGuard
from pipelines.verification.verifier import Answer, Verifier

CITIZEN_ID = r"^([0-9]{17}[0-9Xx]|[0-9]{15})$"
MAX_BODY_BYTES = 2048  # a question is under 200 bytes
ANONYMOUS_RATE_PER_MINUTE, ANONYMOUS_BURST = 30, 10  # per client address, for requests without a valid token


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonQuestion(Question):
    citizen_id: Annotated[str, Field(pattern=CITIZEN_ID, description="公民身份号码 (GB 11643), 18 or 15 digits.")]
    name: Annotated[str, Field(min_length=1, max_length=64, description="姓名 as the caller has it.")]


class LicenceQuestion(Question):
    licence_number: Annotated[str, Field(min_length=1, max_length=32, description="许可证编号")]
    holder_uscc: Annotated[
        str, Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="The holder's unified social credit code.")
    ]


class VerificationAnswer(BaseModel):
    answer: Answer = Field(description="yes, or no (not confirmed by the registers, for whatever reason).")


class ErrorDetail(BaseModel):
    detail: str


ERRORS = {
    400: {"model": ErrorDetail, "description": "The body could not be read."},
    401: {"model": ErrorDetail, "description": "Missing or unknown bearer token."},
    403: {"model": ErrorDetail, "description": "The caller is suspended (an enumeration alert)."},
    413: {"model": ErrorDetail, "description": "The body is larger than a question."},
    422: {"model": ErrorDetail, "description": "The body is not a question of this operation (never echoed)."},
    429: {"model": ErrorDetail, "description": "Rate limit exceeded; see Retry-After."},
    503: {"model": ErrorDetail, "description": "The audit log cannot be written; no answer is given."},
}


def create_app(
    settings: Settings | None = None, anonymous_limit: tuple[int, int] = (ANONYMOUS_RATE_PER_MINUTE, ANONYMOUS_BURST)
) -> FastAPI:
    """The service; `anonymous_limit` is (per minute, burst) for requests without a valid token, per address."""
    settings = settings or get_settings()
    verifier = Verifier.open(settings)
    callers = caller_registry(callers_path(settings))
    audit = AuditLog.open(settings)
    limiter, guard = RateLimiter(), EnumerationGuard()
    bearer = HTTPBearer(auto_error=False, description="A caller token from `govlake verify callers add`.")
    app = FastAPI(
        title="govlake verification service (核验)",
        version="2",
        description="Answers yes or no about a person or a licence, so citizens need not bring papers.",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.middleware("http")
    async def audited(request: Request, call_next):
        """The one place entries are written: what the handler noted in `request.state.audit`, or the status."""
        response = await call_next(request)
        noted = getattr(request.state, "audit", {})
        actor = noted.pop("actor", None) or f"anonymous@{request.client.host if request.client else '?'}"
        action = noted.pop("action", "verify" + request.url.path.replace("/v1/", "."))
        outcome = noted.pop("outcome", f"{response.status_code}")
        try:
            audit.append(actor, action, outcome=outcome, status=response.status_code, **noted)
        except AuditUnavailable:
            return error_response(503, "the audit log cannot be written; no answer is given")
        return response

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors()})
        request.state.audit = {**getattr(request.state, "audit", {}), "outcome": "422 malformed"}
        return error_response(422, f"not a question of this operation: check {', '.join(fields)}")

    def caller(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
    ) -> Caller:
        who = callers.authenticate(credentials.credentials if credentials else None)
        if who is None:
            host = request.client.host if request.client else "?"
            wait = limiter.allow_key(f"anonymous@{host}", *anonymous_limit)
            request.state.audit = {"outcome": "429 rate limited (unauthenticated)" if wait else "401 unauthenticated"}
            if wait:
                raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": str(math.ceil(wait))})
            raise HTTPException(401, "missing or unknown bearer token", headers={"WWW-Authenticate": "Bearer"})
        request.state.audit = {"actor": f"{who.name} as {who.role}"}
        if who.suspended:
            request.state.audit["outcome"] = "403 suspended"
            raise HTTPException(403, "this caller is suspended; an administrator must issue it a new token")
        wait = limiter.allow(who)
        if wait:
            request.state.audit["outcome"] = "429 rate limited"
            raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": str(math.ceil(wait))})
        return who

    def person_answer(request: Request, who: Caller, q: PersonQuestion, answer: Answer) -> VerificationAnswer:
        subject = verifier.audit_subject(q.citizen_id)
        request.state.audit |= {"outcome": answer.value, "rows": 1, **subject}
        alert = guard.observe(who.name, subject["subject"] or "", q.citizen_id, q.name, answer.value)
        if alert:
            suspend(who.name, callers.path, alert)
            guard.forget(who.name)
            request.state.audit |= {"outcome": "403 suspended: enumeration alert", "alert": alert, "rows": 0}
            raise HTTPException(403, "this caller is suspended; an administrator must issue it a new token")
        return VerificationAnswer(answer=answer)

    @app.post("/v1/identity", responses=ERRORS, summary="Does this ID number belong to this name?")
    def identity(request: Request, q: PersonQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        return person_answer(request, who, q, verifier.identity(q.citizen_id, q.name))

    @app.post("/v1/alive", responses=ERRORS, summary="Is the person with this ID number and name alive?")
    def alive(request: Request, q: PersonQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        return person_answer(request, who, q, verifier.alive(q.citizen_id, q.name))

    @app.post("/v1/licence", responses=ERRORS, summary="Is this licence valid for this holder?")
    def licence(request: Request, q: LicenceQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        answer = verifier.licence(q.licence_number, q.holder_uscc, clock.today())
        request.state.audit |= {
            "outcome": answer.value,
            "rows": 1,
            "subject": q.licence_number,
            "holder": q.holder_uscc,
        }
        return VerificationAnswer(answer=answer)

    return app

"""The verification service over HTTP (FastAPI; its OpenAPI spec is served at /openapi.json).

Questions are POSTed, never put in a URL, so ID numbers stay out of access logs and proxies.
Every call — answered, refused or rate-limited — is written to the audit log before the answer
leaves; if it cannot be written, the answer is withheld (503). (No `from __future__ import
annotations` here: FastAPI must see the dependencies declared inside `create_app`.)
"""

import math
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from pipelines.access.audit import AuditLog, AuditUnavailable
from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.settings import Settings, get_settings
from pipelines.verification.callers import Caller, RateLimiter, authenticate, callers_path, load_callers
from pipelines.verification.index import index_dir
from pipelines.verification.verifier import Answer, Verifier

CITIZEN_ID = r"^([0-9]{17}[0-9Xx]|[0-9]{15})$"


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityQuestion(Question):
    citizen_id: Annotated[str, Field(pattern=CITIZEN_ID, description="公民身份号码 (GB 11643), 18 or 15 digits.")]
    name: Annotated[str, Field(min_length=1, max_length=64, description="姓名 as the caller has it.")]


class AliveQuestion(Question):
    citizen_id: Annotated[str, Field(pattern=CITIZEN_ID)]


class LicenceQuestion(Question):
    licence_number: Annotated[str, Field(min_length=1, max_length=32, description="许可证编号")]
    holder_uscc: Annotated[
        str, Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="The holder's unified social credit code.")
    ]


class VerificationAnswer(BaseModel):
    answer: Answer = Field(description="yes, no, or unknown (the registers cannot say) — nothing more.")


class ErrorDetail(BaseModel):
    detail: str


ERRORS = {
    400: {"model": ErrorDetail, "description": "The body is not JSON."},
    401: {"model": ErrorDetail, "description": "Missing or unknown bearer token."},
    429: {"model": ErrorDetail, "description": "Rate limit exceeded; see Retry-After."},
    503: {"model": ErrorDetail, "description": "The audit log cannot be written; no answer is given."},
}


def create_app(settings: Settings | None = None, today: Callable[[], date] = date.today) -> FastAPI:
    settings = settings or get_settings()
    verifier = Verifier(index_dir(settings), Pseudonymiser.from_settings(settings))
    callers = load_callers(callers_path(settings))
    audit = AuditLog.open(settings)
    limiter = RateLimiter()
    bearer = HTTPBearer(auto_error=False, description="A caller token from `govlake verify callers add`.")
    app = FastAPI(
        title="govlake verification service (核验)",
        version="1",
        description="Answers yes / no / unknown about a person or a licence, so citizens need not bring papers.",
    )

    def record(actor: str, action: str, **details) -> None:
        try:
            audit.append(actor, action, **details)
        except AuditUnavailable as exc:
            raise HTTPException(503, "the audit log cannot be written; no answer is given") from exc

    def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> Caller:
        who = authenticate(callers, credentials.credentials if credentials else None)
        if who is None:
            record("anonymous", "verify", outcome="401 unauthenticated")
            raise HTTPException(401, "missing or unknown bearer token", headers={"WWW-Authenticate": "Bearer"})
        wait = limiter.allow(who)
        if wait:
            record(f"{who.name} as {who.role}", "verify", outcome="429 rate limited")
            raise HTTPException(429, "rate limit exceeded", headers={"Retry-After": str(math.ceil(wait))})
        return who

    def answered(who: Caller, action: str, answer: Answer, **subject) -> VerificationAnswer:
        record(f"{who.name} as {who.role}", action, outcome=answer.value, rows=1, **subject)
        return VerificationAnswer(answer=answer)

    @app.post("/v1/identity", responses=ERRORS, summary="Does this ID number belong to this name?")
    def identity(q: IdentityQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        return answered(
            who, "verify.identity", verifier.identity(q.citizen_id, q.name), **verifier.audit_subject(q.citizen_id)
        )

    @app.post("/v1/alive", responses=ERRORS, summary="Is this person alive?")
    def alive(q: AliveQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        return answered(who, "verify.alive", verifier.alive(q.citizen_id), **verifier.audit_subject(q.citizen_id))

    @app.post("/v1/licence", responses=ERRORS, summary="Is this licence valid for this holder?")
    def licence(q: LicenceQuestion, who: Annotated[Caller, Depends(caller)]) -> VerificationAnswer:
        answer = verifier.licence(q.licence_number, q.holder_uscc, today())
        return answered(who, "verify.licence", answer, subject=q.licence_number, holder=q.holder_uscc)

    return app

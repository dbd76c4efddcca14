"""`govlake query`'s side of the query service: send SQL with the user's token, get rows back.

It imports nothing that reads a key: the token names the user and the role, the service does the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

DEFAULT_URL = "http://127.0.0.1:8200"


class ServiceError(RuntimeError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


@dataclass(frozen=True)
class Answer:
    role: str
    columns: list[str]
    rows: list[list]
    audit_seq: int


def token_file() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "govlake" / "query-token"


def configured() -> tuple[str, str | None]:
    """The service's URL and the user's token: `GOVLAKE_QUERY_URL`, `GOVLAKE_QUERY_TOKEN`, else the token file."""
    token = os.environ.get("GOVLAKE_QUERY_TOKEN")
    if token is None and token_file().exists():
        token = token_file().read_text(encoding="utf-8").strip()
    return os.environ.get("GOVLAKE_QUERY_URL", DEFAULT_URL), token


def ask(sql: str, url: str | None = None, token: str | None = None, timeout: float = 300.0) -> Answer:
    default_url, default_token = configured()
    url, token = url or default_url, token or default_token
    if not token:
        raise ServiceError(401, f"no query token: set GOVLAKE_QUERY_TOKEN or write it to {token_file()}")
    try:
        response = httpx.post(
            f"{url}/v1/query", json={"sql": sql}, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
    except httpx.TransportError as exc:
        raise ServiceError(503, f"no query service at {url} ({exc}): start it with `govlake access serve`") from None
    body = response.json()
    if response.status_code != 200:
        raise ServiceError(response.status_code, body.get("detail", response.text))
    return Answer(body["role"], body["columns"], body["rows"], body["audit_seq"])

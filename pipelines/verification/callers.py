"""Who may call the verification service: callers with a role, a token and a rate.

Tokens are shown once when issued and kept only as SHA-256 digests (`access/callers.json`); a
caller's role must be a department or the administrator — analysts study populations, they do not
verify individuals. Rates are per caller, as a token bucket (`rate_per_minute`, bursts of up to
`burst`); requests without a valid token share a small bucket per client address. The file is a
token store (`pipelines.access.tokens`): re-read when it changes, so a re-keyed, revoked or suspended
caller is refused at its next request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pipelines.access.policy import RoleKind, role
from pipelines.access.tokens import (
    TokenRegistry,
    digest,
    load_holders,
    new_token,
    put_holder,
    remove_holder,
    save_holders,
)
from pipelines.settings import Settings, get_settings

CALLER_ROLES = (RoleKind.DEPARTMENT, RoleKind.ADMINISTRATOR)


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    token_sha256: str
    rate_per_minute: int = 600  # a department's counter or booking system: ten questions a second
    burst: int = 60
    suspended: str | None = None  # why the service stopped answering it (an enumeration alert)


def callers_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "callers.json"


def load_callers(path: Path) -> dict[str, Caller]:
    """Callers by token digest."""
    return load_holders(path, Caller)


def issue_token(name: str, role_name: str, path: Path, rate_per_minute: int = 600, burst: int = 60) -> str:
    """Register (or re-key, which also lifts a suspension) caller `name` and return its new token — the
    only time it is shown. The old token stops working at once."""
    if role(role_name).kind not in CALLER_ROLES:
        raise ValueError(
            f"role {role_name!r} may not call the verification service (departments and the administrator may)"
        )
    token = new_token("gvk_")
    put_holder(path, Caller(name, role_name, digest(token), rate_per_minute, burst), Caller)
    return token


def revoke(name: str, path: Path) -> bool:
    """Remove caller `name`; False if there was none."""
    return remove_holder(path, name, Caller)


def suspend(name: str, path: Path, reason: str) -> None:
    """Stop answering caller `name` until an administrator re-issues its token."""
    save_holders(path, [replace(c, suspended=reason) if c.name == name else c for c in load_callers(path).values()])


def caller_registry(path: Path) -> TokenRegistry[Caller]:
    return TokenRegistry(path, Caller)


class RateLimiter:
    """One token bucket per caller; `allow` returns the seconds to wait (0.0 when allowed)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, caller: Caller, now: float | None = None) -> float:
        return self.allow_key(caller.name, caller.rate_per_minute, caller.burst, now)

    def allow_key(self, key: str, rate_per_minute: int, burst: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        per_second = rate_per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / per_second

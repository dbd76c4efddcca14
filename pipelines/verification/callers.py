"""Who may call the verification service: callers with a role, a token and a rate.

Tokens are shown once when issued and kept only as SHA-256 digests (`access/callers.json`); a
caller's role must be a department or the administrator — analysts study populations, they do not
verify individuals. Rates are per caller, as a token bucket (`rate_per_minute`, bursts of up to
`burst`); requests without a valid token share a small bucket per client address. The service
re-reads the file whenever it changes, so a re-keyed, revoked or suspended caller is refused at its
next request, not at the next restart.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipelines.access.policy import RoleKind, role
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


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_callers(path: Path) -> dict[str, Caller]:
    """Callers by token digest."""
    if not path.exists():
        return {}
    return {c["token_sha256"]: Caller(**c) for c in json.loads(path.read_text(encoding="utf-8"))}


def _save(path: Path, callers: list[Caller]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps([asdict(c) for c in callers], indent=2), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def issue_token(name: str, role_name: str, path: Path, rate_per_minute: int = 600, burst: int = 60) -> str:
    """Register (or re-key, which also lifts a suspension) caller `name` and return its new token — the
    only time it is shown. The old token stops working at once."""
    if role(role_name).kind not in CALLER_ROLES:
        raise ValueError(
            f"role {role_name!r} may not call the verification service (departments and the administrator may)"
        )
    token = "gvk_" + secrets.token_urlsafe(32)
    kept = [c for c in load_callers(path).values() if c.name != name]
    _save(path, [*kept, Caller(name, role_name, _digest(token), rate_per_minute, burst)])
    return token


def revoke(name: str, path: Path) -> bool:
    """Remove caller `name`; False if there was none."""
    callers = list(load_callers(path).values())
    kept = [c for c in callers if c.name != name]
    _save(path, kept)
    return len(kept) < len(callers)


def suspend(name: str, path: Path, reason: str) -> None:
    """Stop answering caller `name` until an administrator re-issues its token."""
    _save(path, [replace(c, suspended=reason) if c.name == name else c for c in load_callers(path).values()])


class CallerRegistry:
    """The callers file, re-read when it changes (size, modification time or inode)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple | None = None
        self._callers: dict[str, Caller] = {}
        self._lock = threading.Lock()

    def _current(self) -> dict[str, Caller]:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._callers, self._stamp = load_callers(self.path), stamp
            return self._callers

    def authenticate(self, token: str | None) -> Caller | None:
        return authenticate(self._current(), token)


def authenticate(callers: dict[str, Caller], token: str | None) -> Caller | None:
    return callers.get(_digest(token)) if token else None


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

"""Bearer tokens bound to a role: issued once, kept only as digests, re-read when their file changes.

Both services use it: the query service (who may query, as which role) and the verification service
(who may verify). A token is shown once when issued; the file (mode 0600) holds its SHA-256 digest
with the holder's name and role. A service re-reads the file whenever it changes, so a re-keyed or
revoked holder is refused at its next request, not at the next restart.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Generic, TypeVar

from pipelines.files import write_text_atomically

Holder = TypeVar("Holder")  # a frozen dataclass with `name`, `role` and `token_sha256`


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def load_holders(path: Path, make: Callable[..., Holder]) -> dict[str, Holder]:
    """Holders by token digest."""
    if not path.exists():
        return {}
    return {h["token_sha256"]: make(**h) for h in json.loads(path.read_text(encoding="utf-8"))}


def save_holders(path: Path, holders: list[Any]) -> None:
    write_text_atomically(path, json.dumps([asdict(h) for h in holders], indent=2), mode=0o600)


def put_holder(path: Path, holder: Any, make: Callable[..., Any]) -> None:
    """Add `holder`, replacing any of the same name: a re-key, after which the old token is refused."""
    kept = [h for h in load_holders(path, make).values() if h.name != holder.name]
    save_holders(path, [*kept, holder])


def remove_holder(path: Path, name: str, make: Callable[..., Any]) -> bool:
    """Remove holder `name`; False if there was none."""
    holders = list(load_holders(path, make).values())
    kept = [h for h in holders if h.name != name]
    save_holders(path, kept)
    return len(kept) < len(holders)


class TokenRegistry(Generic[Holder]):
    """The holders file, re-read when it changes (size, modification time or inode)."""

    def __init__(self, path: Path, make: Callable[..., Holder]) -> None:
        self.path = path
        self._make = make
        self._stamp: tuple | None = None
        self._holders: dict[str, Holder] = {}
        self._lock = threading.Lock()

    def _current(self) -> dict[str, Holder]:
        try:
            st = self.path.stat()
            stamp: tuple | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._holders, self._stamp = load_holders(self.path, self._make), stamp
            return self._holders

    def authenticate(self, token: str | None) -> Holder | None:
        return self._current().get(digest(token)) if token else None

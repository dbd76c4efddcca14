"""Who may query, as which role: a token per person, bound to one role of `catalog/access/roles.yml`.

The role comes from the token, never from the caller: `govlake query` has no `--role` (an analyst once
asked for `--role administrator` and read persons unmasked). Tokens are issued by whoever administers
the platform (`govlake access users add`), shown once, kept as digests (`pipelines.access.tokens`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.access.policy import role
from pipelines.access.tokens import TokenRegistry, digest, new_token, put_holder, remove_holder
from pipelines.settings import Settings, get_settings


@dataclass(frozen=True)
class User:
    name: str
    role: str
    token_sha256: str


def users_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "users.json"


def add_user(name: str, role_name: str, path: Path) -> str:
    """Register (or re-key) user `name` with `role_name`; returns the token, the only time it is shown."""
    role(role_name)  # an unknown role is an error naming the known ones
    token = new_token("gvq_")
    put_holder(path, User(name, role_name, digest(token)), User)
    return token


def remove_user(name: str, path: Path) -> bool:
    return remove_holder(path, name, User)


def user_registry(path: Path) -> TokenRegistry[User]:
    return TokenRegistry(path, User)

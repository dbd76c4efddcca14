"""The platform's secret key, held outside the lake, and the purpose keys derived from it.

Each purpose's key has a version (`access/key_versions.json`, 1 until rotated): rotating a purpose
(`govlake access rotate-key`) derives a new key for it alone and rebuilds what it keys, so every
pseudonym of that purpose changes and nothing joins what was seen before.

One secret (`GOVLAKE_PSEUDONYM_KEY`, or the file named by `GOVLAKE_SECRET_KEY_FILE`, else
`~/.config/govlake/secret.key`) keys both the pseudonyms and the audit chain through separate
derived keys, so neither use can stand in for the other. Outside production a missing key file is
created once (mode 0600); in production a missing key is an error, never a default.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from pipelines.files import write_text_atomically
from pipelines.settings import Environment, Settings, get_settings

MIN_KEY_BYTES = 32


class KeyUnavailable(RuntimeError):
    """No usable secret key: pseudonyms and the audit chain cannot be computed."""


def default_key_file() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "govlake" / "secret.key"


def _read_or_create(path: Path, create: bool) -> bytes:
    if not path.exists():
        if not create:
            raise KeyUnavailable(f"no secret key: set GOVLAKE_PSEUDONYM_KEY or create {path}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
    return path.read_text(encoding="utf-8").strip().encode()


def master_key(settings: Settings | None = None) -> bytes:
    settings = settings or get_settings()
    if settings.pseudonym_key is not None:
        key = settings.pseudonym_key.get_secret_value().encode()
    else:
        key = _read_or_create(
            settings.secret_key_file or default_key_file(), create=settings.env is not Environment.PROD
        )
    if len(key) < MIN_KEY_BYTES:
        raise KeyUnavailable(f"the secret key is too short: at least {MIN_KEY_BYTES} bytes are needed")
    return key


def derived_key(purpose: str, settings: Settings | None = None) -> bytes:
    """A key for one purpose only ("audit", "pseudonym/role/analyst", ...), at its current version."""
    version = key_version(purpose, settings)
    label = f"govlake/{purpose}" + (f"/v{version}" if version > 1 else "")
    return hmac.new(master_key(settings), label.encode(), hashlib.sha256).digest()


def key_versions_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "key_versions.json"


def key_version(purpose: str, settings: Settings | None = None) -> int:
    path = key_versions_path(settings)
    return json.loads(path.read_text(encoding="utf-8")).get(purpose, 1) if path.exists() else 1


def rotate(purpose: str, settings: Settings | None = None) -> int:
    """Move `purpose` to a new key version; returns it. What the purpose keys must be rebuilt."""
    path = key_versions_path(settings)
    versions = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    versions[purpose] = versions.get(purpose, 1) + 1
    write_text_atomically(path, json.dumps(versions, indent=2, sort_keys=True))
    return versions[purpose]

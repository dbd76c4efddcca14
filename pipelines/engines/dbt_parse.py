"""dbt's parse of the project, shared by every data folder of a checkout.

dbt keeps its parse in `<target>/partial_parse.msgpack` and reuses it when nothing it depends on changed:
the project's files, the `--vars`, the profile's connection (the warehouse's path) and the values of the
environment variables the project reads (the lake's path). A new data folder has no parse of its own and
parses the whole project again: 8 of a small build's 15 s for its first dbt command, on every fresh
`govlake build`, every test city, every copied folder. Run from the data folder with those paths relative
to it, every folder's parse is the same, so a folder without one starts from the last one any folder
saved. dbt still checks it before use and parses again what differs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.paths import DBT_PROJECT_DIR

PARSE = "partial_parse.msgpack"
SHARED = DBT_PROJECT_DIR / "target" / PARSE


def reuse(target: Path) -> None:
    """Give `target` the shared parse when it has none of its own."""
    own = target / PARSE
    if not own.exists() and SHARED.exists():
        target.mkdir(parents=True, exist_ok=True)
        _copy_atomically(SHARED, own)


def share(target: Path) -> None:
    """Make `target`'s parse the shared one when it is newer."""
    own = target / PARSE
    if own.exists() and (not SHARED.exists() or own.stat().st_mtime > SHARED.stat().st_mtime):
        SHARED.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(own, SHARED)


def _copy_atomically(source: Path, to: Path) -> None:
    """Readers (other processes, other test workers) see the old file or the new one, never half of one."""
    partial = to.with_name(f".{to.name}.{os.getpid()}")
    shutil.copy2(source, partial)
    os.replace(partial, to)

"""Small state files (token stores, key versions, the audit log's anchor) written whole or not at all, and
the registers kept as JSON lines (disputes, linkage decisions, exposures), only ever appended to.

A reader sees the old file or the complete new one, never half of one: the text goes to a temporary
file beside it (named by process, so two writers never share one) that then replaces it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel


def write_text_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """`mode`: the file's permissions (e.g. 0o600 for secrets' digests), set before it is in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    if mode is not None:
        tmp.chmod(mode)
    tmp.replace(path)


def append_json_lines(path: Path, entries: Iterable[BaseModel]) -> None:
    """Append each entry as one line of JSON to a register (validated again on reading, never rewritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.writelines(e.model_dump_json() + "\n" for e in entries)

"""Files the platform generates from its declarations (DAGs, dbt staging models, seeds, macros, docs):
one way to write them and one way to tell they are stale, whatever generates them.

Each generator declares what its files must contain (`render`) and which files on disk are its own
(`owned`), so a file it no longer renders (a department taken out of the catalogue) is removed, and
`govlake generate --check` fails on any drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Generator:
    name: str
    render: Callable[[], dict[Path, str]]
    owned: Callable[[], set[Path]] = set

    def stale(self) -> list[Path]:
        """Files that differ from what is rendered, are missing, or should no longer exist."""
        files = self.render()
        wrong = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        return sorted({*wrong, *(self.owned() - set(files))})

    def write(self) -> list[Path]:
        """(Re)write what differs and remove what is no longer rendered; returns the files changed."""
        files = self.render()
        changed = []
        for path in sorted(self.owned() - set(files)):
            path.unlink()
            changed.append(path)
        for path, text in sorted(files.items()):
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed.append(path)
        return changed

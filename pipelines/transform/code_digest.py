"""A digest of dbt code: what tells a build whether rows computed before still say what the code says.

Its own module because both the build (incremental models) and the seeds (loaded tables) key their state on it.
"""

from __future__ import annotations

import hashlib

from pipelines.paths import DBT_PROJECT_DIR


def code_digest(inputs: list[str]) -> str:
    """A digest of the dbt code under `inputs` (files or folders of the dbt project): when it changes, rows an
    incremental model computed before no longer say what the code says, and the model is rebuilt in full."""
    digest = hashlib.sha256()
    for entry in inputs:
        path = DBT_PROJECT_DIR / entry
        for file in sorted([path] if path.is_file() else (f for f in path.rglob("*") if f.is_file())):
            digest.update(str(file.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()

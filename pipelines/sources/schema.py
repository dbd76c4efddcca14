"""Schema drift of a delivery against its catalogue entry."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class HeaderCheck:
    new: list[str]  # delivered, not catalogued: kept and reported
    missing: list[str]  # catalogued, not delivered
    missing_required: list[str]  # catalogued as required or key, not delivered: the batch is rejected
    duplicates: list[str]
    fingerprint: str


def check_header(header: list[str], expected: list[str], required: list[str]) -> HeaderCheck:
    dupes = sorted(c for c, n in Counter(header).items() if n > 1)
    present = set(header)
    return HeaderCheck(
        new=[c for c in header if c not in expected],
        missing=[c for c in expected if c not in present],
        missing_required=[c for c in required if c not in present],
        duplicates=dupes,
        fingerprint=hashlib.sha256("\x1f".join(header).encode("utf-8")).hexdigest()[:16],
    )

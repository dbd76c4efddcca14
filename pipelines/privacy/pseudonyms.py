"""Keyed pseudonyms (GB/T 37964 假名化): linkable inside the platform, not reversible outside it.

A plain hash of an ID number is no pseudonym: the ID space of one division and birth year is a few
hundred thousand numbers, enumerated in a second. An HMAC under a key held outside the lake cannot
be enumerated without the key. The identifier kind is part of the message, so a person's pseudonym
never equals a company's; the key is per purpose, so an analyst's pseudonym never equals a department's
or the verification log's.
"""

from __future__ import annotations

import hashlib
import hmac

import pyarrow as pa

from pipelines.privacy.keys import derived_key
from pipelines.settings import Settings

PSEUDONYM_HEX_CHARS = 32  # 128 bits


class Pseudonymiser:
    def __init__(self, key: bytes):
        self._key = key
        self._mac = hmac.new(key, digestmod=hashlib.sha256)  # keyed once; each value hashes on a copy

    def __reduce__(self):  # an HMAC does not pickle: Spark's Python workers get the key and key their own
        return (Pseudonymiser, (self._key,))

    @classmethod
    def for_purpose(cls, purpose: str, settings: Settings | None = None) -> Pseudonymiser:
        """Pseudonyms for one purpose only: a role's warehouse (`role/analyst`, `role/health`), the
        verification service (`verification`). Each has its own key, so a pseudonym seen in one place
        joins nothing in another, and one leaked key opens one purpose."""
        return cls(derived_key(f"pseudonym/{purpose}", settings))

    def __call__(self, kind: str, value: str | None) -> str | None:
        if value is None:
            return None
        mac = self._mac.copy()
        mac.update(f"{kind}:{value}".encode())
        return mac.hexdigest()[:PSEUDONYM_HEX_CHARS]

    def fingerprint(self) -> str:
        """Which key this is, without the key: a pseudonym of a constant. What was made under one key
        (a role's warehouse, the verification index's cache) is recognised by it and dropped under another."""
        return self("key", "fingerprint")

    def many(self, kinds: list[str], values: list[str | None]) -> list[str | None]:
        """Pseudonyms of a column, each distinct value hashed once: a history repeats a person's id on
        every one of its rows."""
        seen: dict[tuple[str, str | None], str | None] = {}
        out = []
        for pair in zip(kinds, values, strict=True):
            if pair not in seen:
                seen[pair] = self(*pair)
            out.append(seen[pair])
        return out

    def register(self, con, name: str = "pseudonym") -> None:
        """`pseudonym(kind, value)` as a vectorised DuckDB function on connection `con`."""

        def udf(kinds: pa.Array, values: pa.Array) -> pa.Array:
            return pa.array(self.many(kinds.to_pylist(), values.to_pylist()), pa.string())

        con.create_function(name, udf, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow", side_effects=False)

"""String similarity by character, the same implementation on every engine.

DuckDB's `levenshtein`, `damerau_levenshtein` and `jaro_winkler_similarity` count UTF-8 *bytes*: two
given names one Chinese character apart are 3 edits apart there, so a "one character differs" level
never fired, and Jaro-Winkler of Chinese addresses was inflated by their shared lead bytes. Spark's
similarity UDFs count characters, but with their own Jaro-Winkler variant. The linkage therefore calls
these functions (rapidfuzz, by Unicode code point) on both engines; each engine adapter registers them
under the names below, vectorised (DuckDB Arrow UDFs, Spark pandas UDFs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _pairwise(scorer, left: Sequence[str | None], right: Sequence[str | None], dtype) -> np.ndarray:
    """scorer(l, r) row by row; NULL where either side is NULL (the levels test NULLs first anyway)."""
    from rapidfuzz.process import cpdist

    missing = np.array([a is None or b is None for a, b in zip(left, right, strict=True)], dtype=bool)
    values = cpdist(
        ["" if a is None else a for a in left], ["" if b is None else b for b in right], scorer=scorer, workers=1
    ).astype(dtype)
    return np.ma.masked_array(values, mask=missing)


def levenshtein(left, right) -> np.ndarray:
    from rapidfuzz.distance import Levenshtein

    return _pairwise(Levenshtein.distance, left, right, np.int64)


def damerau_levenshtein(left, right) -> np.ndarray:
    from rapidfuzz.distance import DamerauLevenshtein

    return _pairwise(DamerauLevenshtein.distance, left, right, np.int64)


def jaro_winkler(left, right) -> np.ndarray:
    from rapidfuzz.distance import JaroWinkler

    return _pairwise(JaroWinkler.similarity, left, right, np.float64)


# SQL name -> (function, result type: "bigint" or "double")
FUNCTIONS = {
    "char_levenshtein": (levenshtein, "bigint"),
    "char_damerau_levenshtein": (damerau_levenshtein, "bigint"),
    "char_jaro_winkler": (jaro_winkler, "double"),
}

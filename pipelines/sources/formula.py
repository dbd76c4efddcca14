"""Spreadsheet formula injection (CSV/Excel cells such as `=cmd|' /C calc'!A0`).

One definition in three forms that agree: a Python regex for cells, the same regex for DuckDB
(RE2), and a byte pattern that finds every line that could hold such a cell, so a clean file is
proved clean without a regex per cell. Leading whitespace is ASCII only in all three.
"""

from __future__ import annotations

import re

_SPACE = r"[ \t\n\f\r]"
# '=' or '@' at the start, or '+'/'-' followed by something a formula needs (a call, a pipe, a sheet ref).
FORMULA_SQL = rf"^{_SPACE}*([=@]|[+\-].*[(|!])"
FORMULA = re.compile(FORMULA_SQL)


def looks_like_formula(value: str | None) -> bool:
    return bool(value) and FORMULA.match(value) is not None


def candidate_pattern(delimiter: str) -> re.Pattern[bytes]:
    """Bytes that can start a formula cell in a file without quotes: a line start or a delimiter,
    optional whitespace, then a trigger character. A superset of FORMULA over the cells of a line."""
    return re.compile(rb"(?:^|" + re.escape(delimiter.encode("utf-8")) + rb")[ \t\f\r]*[=@+\-]", re.MULTILINE)

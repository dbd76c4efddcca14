"""Spreadsheet formula injection (CSV/Excel cells such as `=cmd|' /C calc'!A0`)."""

from __future__ import annotations

import re

# '=' or '@' at the start, or '+'/'-' followed by something a formula needs (a call, a pipe, a sheet ref).
FORMULA = re.compile(r"^\s*(?:[=@]|[+\-].*[(|!])")
FORMULA_SQL = r"^\s*([=@]|[+\-].*[(|!])"


def looks_like_formula(value: str | None) -> bool:
    return bool(value) and FORMULA.match(value) is not None

"""The platform's calendar: the real date, which no caller can set.

Approval expiry and licence validity are judged against it. Nothing a user passes (a CLI option, a
request field, an environment variable) moves it: `--as-of` once let an analyst query a warehouse whose
approval had expired by naming an earlier day. Tests move it in their own process only.
"""

from __future__ import annotations

from datetime import date


def today() -> date:
    return date.today()

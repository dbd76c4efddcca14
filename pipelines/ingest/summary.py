"""Ledger summaries: what the lake holds per department and resource (counts only, never values)."""

from __future__ import annotations

from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger
from pipelines.settings import Settings, get_settings


def ledger_summary(settings: Settings | None = None) -> list[dict]:
    """One row per department/resource: batches by status and the row counts of what was published."""
    layout = LakeLayout((settings or get_settings()).lake_root)
    if not layout.ledger_path.exists():
        return []
    ledger = Ledger(layout.ledger_path)
    out: dict[tuple[str, str], dict] = {}
    for row in ledger.rows():
        key = (row["department"], row["resource"])
        s = out.setdefault(
            key,
            {
                "department": key[0],
                "resource": key[1],
                "published": 0,
                "rejected": 0,
                "failed": 0,
                "rows_in": 0,
                "rows_landed": 0,
                "rows_quarantined": 0,
                "last_error": "",
            },
        )
        status = row["status"]
        if status in ("published", "rejected"):
            s[status] += 1
            s["rows_in"] += row["rows_in"] or 0
            s["rows_landed"] += row["rows_landed"] or 0
            s["rows_quarantined"] += row["rows_quarantined"] or 0
        elif status == "failed":
            s["failed"] += 1
            s["last_error"] = row["error"] or ""
    return sorted(out.values(), key=lambda s: (s["department"], s["resource"]))

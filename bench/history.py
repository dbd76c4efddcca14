"""The living city: a city lives `days` days, ingested every day, built a few times along the way.

Reports how well the subject databases' history matches the truth's dated events (share found, spurious
versions per 1,000 persons, person ids that changed without an id_changes row) and what the watermark
saves: rows read from the database tables per day, against reading them whole every day (the baseline,
measured in the same run from the same ledger: each whole read's size).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

from pipelines.transform.evaluate_history import live_city


def run(people: int, days: int, builds: int = 3) -> dict:
    root = Path(tempfile.mkdtemp(prefix="govlake-history-"))
    try:
        as_of = date.today() - timedelta(days=days + 2)  # the timeline ends before today (no future dates)
        result = live_city(root, people=people, days=days, as_of=as_of, builds=builds)
        with sqlite3.connect(root / "data" / "lake" / "_ledger.sqlite") as con:
            reads = con.execute(
                "select resource, semantics, count(*), coalesce(sum(rows_in), 0) from loads "
                "where source = 'database' group by resource, semantics"
            ).fetchall()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    watermark = {}
    for resource in {r[0] for r in reads}:
        by = {semantics: (n, rows) for res, semantics, n, rows in reads if res == resource}
        snapshots, snapshot_rows = by.get("snapshot", (0, 0))
        runs = sum(n for n, _ in by.values())
        read = sum(rows for _, rows in by.values())
        whole_every_day = runs * (snapshot_rows / snapshots) if snapshots else 0
        watermark[resource] = {
            "runs": runs,
            "rows_read": read,
            "rows_if_read_whole_every_run": round(whole_every_day),
            "ratio": round(read / whole_every_day, 4) if whole_every_day else None,
        }
    s = result.score
    return {
        "people": people,
        "days": days,
        "events": result.events,
        "dated_events": s.events,
        "awaiting_delivery": s.awaiting_delivery,
        "found": s.found,
        "share_found": round(s.share_found, 4),
        "missing": dict(s.missing),
        "spurious_versions": s.spurious,
        "persons": s.persons,
        "spurious_per_1000_persons": round(s.spurious_per_1000_persons, 3),
        "records_followed_across_builds": result.records_followed,
        "id_changes": result.id_changes,
        "unexplained_id_changes": result.unexplained_id_changes,
        "seconds": {k: round(v, 1) for k, v in result.seconds.items()},
        "watermark": watermark,
    }

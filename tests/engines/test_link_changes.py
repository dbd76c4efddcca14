"""The linkage's bookkeeping of what it changed, which the marts are kept from: every record whose link
changed is listed until the marts are built (across a run killed midway), and each id change is recorded
with the reason that counts every record of the ids involved."""

from __future__ import annotations

import pyarrow as pa

from pipelines.engines.duckdb import DuckDBWorkspace
from pipelines.linkage.id_changes import (
    forget_link_changes,
    keep_previous_links,
    record_id_changes,
    record_link_changes,
)

LINKS, CHANGES, IDS = (
    "warehouse.linkage.population_links",
    "warehouse.linkage.population_links_changed",
    "warehouse.linkage.population_id_changes",
)


def _write_links(ws, rows: dict[str, tuple[str, str]]) -> None:
    """The links a run writes: record -> (person, how matched)."""
    table = {
        "source_record_id": list(rows),
        "person_id": [p for p, _ in rows.values()],
        "match_method": [m for _, m in rows.values()],
    }
    ws.register("_links", pa.table(table))
    ws.execute(f"create or replace table {LINKS} as select * from _links")


def _run(ws, rows: dict[str, tuple[str, str]], killed: bool = False) -> None:
    previous = keep_previous_links(ws, LINKS)
    if killed:  # before it wrote its links
        return
    _write_links(ws, rows)
    changed = record_link_changes(ws, CHANGES, LINKS, "person_id", previous)
    record_id_changes(ws, IDS, LINKS, "person_id", previous, changed)


def _listed(ws) -> set[tuple]:
    return set(ws.fetch(f"select source_record_id, old_id, new_id from {CHANGES}"))


def test_link_changes_are_kept_until_the_marts_take_them_in(tmp_path):
    with DuckDBWorkspace(tmp_path / "warehouse.duckdb") as ws:
        ws.warehouse("linkage", "x")
        first = {
            "a": ("P1", "identifier"),
            "b": ("P1", "probabilistic"),
            "c": ("P2", "identifier"),
            "d": ("P3", "unmatched"),
        }
        _run(ws, first)
        assert {r[0] for r in _listed(ws)} == set(first)  # a first run: every record
        forget_link_changes(ws, CHANGES)
        assert _listed(ws) == set()

        # d merged into P2; b now matched otherwise but to the same person; e is new; a unchanged
        second = {
            "a": ("P1", "identifier"),
            "b": ("P1", "clerical"),
            "c": ("P2", "identifier"),
            "d": ("P2", "probabilistic"),
            "e": ("P4", "unmatched"),
        }
        _run(ws, second)
        assert _listed(ws) == {("b", "P1", "P1"), ("d", "P3", "P2"), ("e", None, "P4")}
        # the merge counts the records of P2 that stayed: merged, not rekeyed
        assert ws.fetch(f"select old_id, new_id, reason, records from {IDS}") == [("P3", "P2", "merged", 1)]

        # the marts were not built (a build killed after its linkage), and the next run is killed after setting
        # the links aside: the one after still compares with the last links written, and adds to the list
        _run(ws, second, killed=True)
        third = {**second, "e": ("P1", "probabilistic")}
        del third["c"]
        _run(ws, third)
        assert _listed(ws) == {
            ("b", "P1", "P1"),
            ("d", "P3", "P2"),
            ("e", None, "P4"),
            ("e", "P4", "P1"),
            ("c", "P2", None),
        }
        assert ("P4", "P1", "merged", 1) in ws.fetch(f"select old_id, new_id, reason, records from {IDS}")

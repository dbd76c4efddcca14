"""What a consumer of the lake has taken in, load by load: the subject build rebuilds only when a load
it has not taken in is there, and a load published while it ran is left for the next build."""

from __future__ import annotations

from pipelines.lake.ledger import Ledger, LoadRecord


def _load(ledger: Ledger, load_id: str, status: str) -> None:
    ledger.upsert(LoadRecord(load_id, "tax", "taxpayer_registrations", "file", load_id, load_id, "2026-12-01", status))


def test_pending_are_the_loads_in_the_lake_a_consumer_has_not_marked(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    for load_id, status in [("a", "published"), ("b", "rejected"), ("c", "failed"), ("d", "skipped")]:
        _load(ledger, load_id, status)
    assert ledger.pending("subject_databases") == ["a", "b"]  # a refused delivery changes the scorecards too

    ledger.mark_consumed("subject_databases", ["a", "b"], "2026-12-01T00:00:00")
    assert ledger.pending("subject_databases") == []
    assert ledger.pending("someone_else") == ["a", "b"]


def test_a_load_published_out_of_order_is_still_pending(tmp_path):
    """A load started before the build listed its loads but published after it must not be lost."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    _load(ledger, "1-early", "staged")
    _load(ledger, "2-late", "published")
    ledger.mark_consumed("subject_databases", ledger.pending("subject_databases"), "t1")
    ledger.set_status("1-early", "published")
    assert ledger.pending("subject_databases") == ["1-early"]
    ledger.mark_consumed("subject_databases", ["1-early", "2-late"], "t2")  # marking twice is harmless
    assert ledger.pending("subject_databases") == []

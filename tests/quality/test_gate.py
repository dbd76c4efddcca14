"""The quality gate's judgement and what it shows, without a city: the confidence bound that keeps one typo
in a tiny delivery from holding it, and the `govlake quality holds` / `release` commands on a real ledger.
(A city's broken delivery held, re-delivered and released end to end: `tests/transform/test_day_two.py`.)"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger, LoadRecord
from pipelines.quality.gate import Tripped, describe, wilson_lower
from tests.access.conftest import TEST_KEY

CITIZEN_ID = "110105198001010012"


@pytest.mark.parametrize(
    ("failing", "checked", "at_least", "at_most"),
    [
        (0, 0, 0.0, 0.0),  # nothing checked: no evidence of anything
        (0, 1000, 0.0, 1e-12),
        (1, 1, 0.0, 0.2),  # one row, failing: not enough to call the delivery broken
        (2, 2, 0.2, 1.0),  # two of two: it is
        (30, 100, 0.19, 0.30),  # 30 % observed: at least ~19 % with 99 % confidence
        (3000, 10000, 0.28, 0.30),  # the bound closes in on the rate as the delivery grows
    ],
)
def test_the_bound_is_what_the_rate_is_at_least(failing, checked, at_least, at_most):
    assert at_least <= wilson_lower(failing, checked) <= at_most


def test_a_hold_is_described_on_one_line_with_how_many_more():
    checks = [Tripped("citizen_id.format", f"column_{i}", 3, 3).__dict__ for i in range(5)]
    assert describe(checks, 2) == (
        "citizen_id.format on column_0: 3 of 3 rows failing; citizen_id.format on column_1: 3 of 3 rows failing (+3 more)"
    )
    assert (
        describe(checks[:1]) == describe([Tripped(**checks[0])]) == "citizen_id.format on column_0: 3 of 3 rows failing"
    )


def test_holds_are_listed_and_released_from_the_command_line(tmp_path, monkeypatch):
    from pipelines.access.audit import audit_log_path
    from pipelines.cli import app
    from pipelines.settings import get_settings

    data = tmp_path / "data"
    ledger = Ledger(LakeLayout(data / "lake").ledger_path)
    load = "20261118T090000000000_tax_taxpayers"
    ledger.upsert(
        LoadRecord(
            load, "tax", "taxpayers", "file", "tax/taxpayers/taxpayers_2026-11-18.csv", "h", "2026-11-18", "published"
        )
    )
    ledger.hold(load, "2026-11-18T09:05:00", json.dumps([Tripped("uscc.format", "uscc", 4, 4).__dict__]))
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(data))
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", TEST_KEY.get_secret_value())
    monkeypatch.setenv("GOVLAKE_AUDIT_ANCHOR_DIR", str(data / "anchors"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        listed = runner.invoke(app, ["quality", "holds"])
        refused = runner.invoke(app, ["quality", "release", load, "--reason", " ", "--by", "admin"])
        released = runner.invoke(
            app, ["quality", "release", load, "--reason", f"checked with tax about {CITIZEN_ID}", "--by", "admin"]
        )
        after = runner.invoke(app, ["quality", "holds"])
        ended = runner.invoke(app, ["quality", "holds", "--all"])
        log = audit_log_path(get_settings()).read_text(encoding="utf-8")
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0 and "uscc.format on uscc: 4 of 4" in listed.output, listed.output
    assert refused.exit_code != 0 and "reason" in refused.output
    assert released.exit_code == 0, released.output
    assert "no delivery is held back" in after.output
    assert "released by admin" in ended.output
    [kept] = ledger.holds()
    assert kept["outcome"] == "released" and "checked with tax about 11" in kept["reason"]
    assert CITIZEN_ID not in kept["reason"] + log and load in log  # the reason is scrubbed before it is kept

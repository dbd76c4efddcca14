"""Exposures of not-shared resources: only a not-shared resource can be reported, a report is audited before
it is kept, and a standing report fails its department for the period it was found in, naming the veto,
whatever the department scores; a withdrawn one no longer does."""

from __future__ import annotations

import json
from datetime import date

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipelines.catalog import load_catalog
from pipelines.quality.exposures import (
    ExposureRefused,
    export_exposures,
    exposures_path,
    report_exposure,
    standing_exposures,
    withdraw_exposure,
)
from pipelines.settings import Settings
from tests.access.conftest import TEST_KEY

PHONE = "13912345678"  # a reporter writing a record's phone into the reason: the audit log must not show it


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, pseudonym_key=TEST_KEY)


def report(settings: Settings, audit, department="tax", resource="taxpayer_registrations", on=date(2026, 8, 12)):
    return report_exposure(
        settings, load_catalog(), department, resource, on, "a county website", "the whole list was posted", "inspector",
        audit, today=date(2026, 9, 1),
    )  # fmt: skip


def test_only_a_not_shared_resource_can_be_reported_exposed(settings):
    audited: list = []
    with pytest.raises(ExposureRefused, match="only a not-shared resource"):
        report(settings, audited.append, "public_security", "household_registry")
    with pytest.raises(ExposureRefused, match="not a catalogued resource"):
        report(settings, audited.append, "tax", "invoices")
    with pytest.raises(ExposureRefused, match="has not come yet"):
        report(settings, audited.append, on=date(2026, 9, 2))
    assert audited == [] and not exposures_path(settings).exists()


def test_a_report_the_audit_log_cannot_hold_is_not_kept(settings):
    def unavailable(_):
        raise OSError("disk full")

    with pytest.raises(OSError):
        report(settings, unavailable)
    assert standing_exposures(settings) == []


def test_a_withdrawn_report_no_longer_stands_and_the_snapshot_names_no_one(settings):
    audited: list = []
    first, second = report(settings, audited.append), report(settings, audited.append, on=date(2026, 7, 3))
    assert [r.exposure_id for r in standing_exposures(settings)] == [second.exposure_id, first.exposure_id]
    withdrawal = withdraw_exposure(
        settings, second.exposure_id, "it was the public summary", "inspector", audited.append
    )
    assert withdrawal.withdraws == second.exposure_id and len(audited) == 3
    assert [r.exposure_id for r in standing_exposures(settings)] == [first.exposure_id]
    with pytest.raises(ExposureRefused, match="no standing exposure"):
        withdraw_exposure(settings, second.exposure_id, "once more, by mistake", "inspector", audited.append)
    snapshot = pq.read_table(export_exposures(settings))
    assert snapshot.column_names == ["exposure_id", "department", "resource", "found_on"]
    assert snapshot.to_pylist() == [
        {"exposure_id": first.exposure_id, "department": "tax", "resource": "taxpayer_registrations",
         "found_on": date(2026, 8, 12)},
    ]  # fmt: skip


# the session's city built through the DAGs (it alone took 166 s of `make test-fast`'s 333), scored once per
# worker: on the worker of the other tests of the scored city
@pytest.mark.slow
@pytest.mark.xdist_group("quality")
def test_an_exposure_fails_its_department_for_the_quarter_whatever_it_scores(quality_city, tmp_path, monkeypatch):
    """On a copy of the scored city: tax's registrations reported exposed in the last quarter judged. Tax
    then fails that quarter with the veto named (and ranks after every passing department); the command
    line's report is in the audit log, scrubbed; withdrawn, the veto goes at the next scorecards."""
    from pipelines.access.audit import audit_log_path
    from pipelines.cli import app
    from pipelines.engines import engine_for
    from pipelines.settings import get_settings
    from pipelines.transform.build import build_scorecards
    from tests.conftest import copy_data

    built = quality_city[0]
    data, _ = copy_data(built.data_root, tmp_path / "data")
    settings = Settings(data_dir=data, source_root=built.source_root, pseudonym_key=TEST_KEY)
    engine = engine_for(settings)
    quarter, start, until = (
        engine.query(
            "select period, period_start, judged_until from intermediate.int_scoring_periods "
            "where period_kind = 'quarter' order by period desc limit 1"
        )
        .to_pylist()[0]
        .values()
    )
    engine.close()

    def tax_card() -> dict:
        cards = (
            engine_for(settings)
            .query(
                f"select department, is_passing, veto_items, overall_score, rank_in_period "
                f"from quality.department_scorecards where period = '{quarter}'"
            )
            .to_pylist()
        )
        engine_for(settings).close()
        return {c["department"]: c for c in cards}

    before = tax_card()
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(data))
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", TEST_KEY.get_secret_value())
    monkeypatch.setenv("GOVLAKE_AUDIT_ANCHOR_DIR", str(data / "anchors"))
    get_settings.cache_clear()
    runner = CliRunner()
    args = ["exposures", "report", "--dept", "tax", "--resource", "taxpayer_registrations", "--where", "a county site"]
    try:
        reported = runner.invoke(
            app,
            [*args, "--found-on", str(until), "--reason", f"posted with phones such as {PHONE}", "--by", "inspector"],
        )
        refused = runner.invoke(
            app, ["exposures", "report", "--dept", "health", "--resource", "birth_records", "--where", "a site",
                  "--found-on", str(start), "--reason", "posted on a site"],
        )  # fmt: skip
        listed = runner.invoke(app, ["exposures", "list", "--dept", "tax"])
        log = audit_log_path(get_settings()).read_text(encoding="utf-8")
    finally:
        get_settings.cache_clear()
    assert reported.exit_code == 0, reported.output
    assert refused.exit_code == 2 and "only a not-shared resource" in refused.output
    [exposure] = standing_exposures(settings)
    assert exposure.exposure_id in listed.output
    [entry] = [e for line in log.splitlines() if (e := json.loads(line))["action"].startswith("exposure")]
    assert (entry["action"], entry["exposure"], entry["actor"]) == (
        "exposure report",
        exposure.exposure_id,
        "inspector",
    )
    assert PHONE not in log

    build_scorecards(settings)
    after = tax_card()
    assert not after["tax"]["is_passing"]
    assert "not_shared_exposed: taxpayer_registrations" in after["tax"]["veto_items"]
    # a veto is not a score: the same score, to the last bits a parallel sum may order differently
    assert after["tax"]["overall_score"] == pytest.approx(before["tax"]["overall_score"], rel=1e-12, abs=0)
    passing = [c["rank_in_period"] for c in after.values() if c["is_passing"]]
    assert all(rank < after["tax"]["rank_in_period"] for rank in passing)

    withdraw_exposure(settings, exposure.exposure_id, "it was another city's list", "inspector", lambda _: None)
    build_scorecards(settings)
    again = tax_card()
    assert "not_shared_exposed" not in (again["tax"]["veto_items"] or "")
    assert again["tax"]["is_passing"] == before["tax"]["is_passing"]

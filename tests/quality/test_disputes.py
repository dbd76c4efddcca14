"""Disputes: every conflict a build finds is routed once to its authority, only the authority resolves it,
a resolution is audited before it is kept, and a dispute closes when its conflict goes."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipelines.quality.disputes import (
    DisputeRefused,
    Status,
    disputes_path,
    disputes_snapshot_path,
    export_disputes,
    load_disputes,
    resolve,
    route,
)
from pipelines.settings import Settings
from tests.access.conftest import TEST_KEY

CITIZEN_ID = "330203199001011234"  # a record key that is an ID number: nothing may show it


def conflict(record: str, attribute: str = "marital_status", department: str = "civil_affairs") -> dict:
    return {
        "subject": "population",
        "attribute": attribute,
        "department": department,
        "resource": "marriage_registrations",
        "source_record_id": f"{department}/marriage_registrations/{record}/husband",
        "authority_department": "public_security",
    }


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, pseudonym_key=TEST_KEY)


def by_status(settings: Settings) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in load_disputes(settings).values():
        out[d.status] = out.get(d.status, 0) + 1
    return out


def test_each_conflict_is_routed_once_and_closes_when_it_goes(settings):
    first = [conflict(CITIZEN_ID), conflict("R2"), conflict("R2", "person_name")]
    r = route(settings, first + first[:1], date(2026, 7, 31))  # a conflict listed twice is one dispute
    assert (r.opened, r.corrected, r.standing) == (3, 0, 3)
    assert by_status(settings) == {"open": 3}
    assert {d.key.authority_department for d in load_disputes(settings).values()} == {"public_security"}

    r = route(settings, first[1:], date(2026, 8, 31))  # the first record now agrees with the authority
    assert (r.opened, r.corrected, r.standing) == (0, 1, 2)
    gone = next(d for d in load_disputes(settings).values() if d.status is Status.CORRECTED)
    assert (gone.opened_on, gone.resolved_on) == (date(2026, 7, 31), date(2026, 8, 31))

    r = route(settings, first, date(2026, 9, 30))  # and disagrees again: the dispute opens again
    assert (r.opened, r.corrected) == (1, 0)
    assert by_status(settings) == {"open": 3}
    assert CITIZEN_ID not in {d.dispute_id for d in load_disputes(settings).values()}


def test_only_the_authority_resolves_and_the_audit_comes_first(settings):
    route(settings, [conflict(CITIZEN_ID), conflict("R2")], date(2026, 7, 31))
    ids = sorted(
        load_disputes(settings), key=lambda i: CITIZEN_ID not in load_disputes(settings)[i].key.source_record_id
    )
    audited = []
    on = date(2026, 8, 3)

    with pytest.raises(DisputeRefused, match="routed to public_security, not to civil_affairs"):
        resolve(settings, ids[0], "civil_affairs", Status.CONFIRMED, "we checked", "clerk", on, audited.append)
    with pytest.raises(DisputeRefused, match="no dispute"):
        resolve(settings, "D000", "public_security", Status.CONFIRMED, "we checked", "clerk", on, audited.append)
    with pytest.raises(DisputeRefused, match="confirmed or rejected"):
        resolve(settings, ids[0], "public_security", Status.CORRECTED, "we checked", "clerk", on, audited.append)
    assert audited == []

    def refusing_log(event):
        raise OSError("the audit log is full")

    lines = disputes_path(settings).read_text().count("\n")
    with pytest.raises(OSError):
        resolve(
            settings, ids[0], "public_security", Status.CONFIRMED, "checked the registry", "clerk", on, refusing_log
        )
    assert disputes_path(settings).read_text().count("\n") == lines  # not audited: not made

    resolve(settings, ids[0], "public_security", Status.CONFIRMED, "checked the registry", "clerk", on, audited.append)
    resolve(settings, ids[1], "public_security", Status.REJECTED, "the registry is right", "clerk", on, audited.append)
    assert [e.status for e in audited] == [Status.CONFIRMED, Status.REJECTED]
    assert by_status(settings) == {"confirmed": 1, "rejected": 1}
    with pytest.raises(DisputeRefused, match="nothing is left"):
        route(settings, [conflict("R2")], date(2026, 8, 31))  # the confirmed one's conflict went: corrected
        resolve(settings, ids[0], "public_security", Status.REJECTED, "changed our mind", "clerk", on, audited.append)

    snapshot = pq.read_table(export_disputes(settings)).to_pylist()
    assert sorted(r["status"] for r in snapshot) == ["corrected", "rejected"]
    assert all(r["resolved_on"] for r in snapshot)


def test_the_snapshot_spares_reading_the_register_again_only_while_it_is_the_same_register(settings):
    """Routing and reading go on from where the last snapshot stopped; what they find equals reading every
    event. A register that is not the one the snapshot was made from (replaced, or rewritten before that
    point) is read whole: the snapshot is never trusted for it."""
    import shutil

    route(settings, [conflict("R1"), conflict("R2"), conflict("R3")], date(2026, 7, 31))
    export_disputes(settings)
    route(settings, [conflict("R2"), conflict("R4")], date(2026, 8, 31))  # R1, R3 corrected; R4 opened
    on = date(2026, 9, 1)
    ids = {d.key.source_record_id.split("/")[2]: i for i, d in load_disputes(settings).items()}
    resolve(settings, ids["R2"], "public_security", Status.CONFIRMED, "the registry erred", "clerk", on, [].append)
    after = load_disputes(settings)
    snapshot = disputes_snapshot_path(settings)
    shutil.move(snapshot, settings.data_root / "kept.parquet")
    assert load_disputes(settings) == after  # the register read whole
    shutil.move(settings.data_root / "kept.parquet", snapshot)
    assert {ids[r]: after[ids[r]].status for r in ("R1", "R2", "R3", "R4")} == {
        ids["R1"]: Status.CORRECTED,
        ids["R2"]: Status.CONFIRMED,
        ids["R3"]: Status.CORRECTED,
        ids["R4"]: Status.OPEN,
    }
    assert pq.read_table(export_disputes(settings)).num_rows == 4
    assert export_disputes(settings).stat().st_mtime_ns == snapshot.stat().st_mtime_ns  # nothing new: not written

    register = disputes_path(settings)
    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    register.write_text("".join(reversed(lines)), encoding="utf-8")  # the same size: another history
    assert route(settings, [conflict("R2")], date(2026, 9, 30)).standing == 1
    shutil.move(snapshot, settings.data_root / "kept.parquet")
    whole = load_disputes(settings)
    shutil.move(settings.data_root / "kept.parquet", snapshot)
    assert load_disputes(settings) == whole


def test_the_command_line_lists_and_resolves_without_showing_the_record(settings, monkeypatch):
    import json

    from pipelines.access.audit import audit_log_path
    from pipelines.cli import app
    from pipelines.settings import get_settings

    route(settings, [conflict(CITIZEN_ID)], date(2026, 7, 31))
    [dispute] = load_disputes(settings)
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(settings.data_root))
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", TEST_KEY.get_secret_value())
    monkeypatch.setenv("GOVLAKE_AUDIT_ANCHOR_DIR", str(settings.data_root / "anchors"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        listed = runner.invoke(app, ["disputes", "list", "--dept", "public_security", "--as-of", "2026-08-10"])
        refused = runner.invoke(
            app,
            ["disputes", "resolve", dispute, "--dept", "civil_affairs", "--status", "confirmed", "--reason", "x y z"],
        )
        reason = f"the registry for {CITIZEN_ID} was out of date"
        args = ["disputes", "resolve", dispute, "--dept", "public_security", "--status", "confirmed"]
        resolved = runner.invoke(app, [*args, "--reason", reason, "--by", "clerk"])
        log = audit_log_path(get_settings()).read_text(encoding="utf-8")
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0, listed.output
    assert dispute in listed.output and "10" in listed.output and "1 open" in listed.output
    assert refused.exit_code == 2 and "routed to public_security" in refused.output
    assert resolved.exit_code == 0, resolved.output
    assert by_status(settings) == {"confirmed": 1}
    entries = [json.loads(line) for line in log.splitlines()]
    assert [(e["action"], e["dispute"], e["status"]) for e in entries] == [("dispute resolution", dispute, "confirmed")]
    for text in (listed.output, resolved.output, log):
        assert CITIZEN_ID not in text

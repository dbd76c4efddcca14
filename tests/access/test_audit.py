"""The audit log detects any altered, removed or reordered entry; nothing is served without it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipelines.access.audit import AuditLog, AuditUnavailable, scrub
from pipelines.access.query import run_query
from tests.access.conftest import AS_OF

KEY = b"k" * 32


def written(tmp_path, n: int = 6) -> AuditLog:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl", KEY)
    for i in range(n):
        log.append(f"user{i} as analyst", "query", sql=f"select {i}", rows=i, outcome="ok")
    return log


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_intact_log_verifies(tmp_path):
    result = written(tmp_path).verify()
    assert result.ok and result.entries == 6


@pytest.mark.parametrize("index", range(6))
def test_altering_any_entry_is_detected(tmp_path, index):
    log = written(tmp_path)
    entries = lines(log)
    entry = json.loads(entries[index])
    entry["rows"] += 1000  # hide how much was read
    entries[index] = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    log.path.write_text("".join(entries), encoding="utf-8")
    result = log.verify()
    assert not result.ok and f"seq {index + 1}): altered" in " ".join(result.problems)


@pytest.mark.parametrize("index", range(5))  # removing the last one is what the head (printed by verify) is for
def test_removing_any_entry_is_detected(tmp_path, index):
    log = written(tmp_path)
    entries = lines(log)
    del entries[index]
    log.path.write_text("".join(entries), encoding="utf-8")
    assert not log.verify().ok


@pytest.mark.parametrize("index", range(5))
def test_reordering_entries_is_detected(tmp_path, index):
    log = written(tmp_path)
    entries = lines(log)
    entries[index], entries[index + 1] = entries[index + 1], entries[index]
    log.path.write_text("".join(entries), encoding="utf-8")
    assert not log.verify().ok


def test_rewriting_the_chain_without_the_key_is_detected(tmp_path):
    """An editor who recomputes every MAC with a key of their own still fails verification."""
    log = written(tmp_path)
    forger = AuditLog(tmp_path / "forged.jsonl", b"not the platform key, guessed....")
    for raw in lines(log):
        e = json.loads(raw)
        forger.append(e["actor"], e["action"], sql=e["sql"], rows=0, outcome=e["outcome"])
    log.path.write_bytes(forger.path.read_bytes())
    result = log.verify()
    assert not result.ok and len(result.problems) >= 6


def test_the_head_moves_with_every_entry(tmp_path):
    log = written(tmp_path)
    head = log.verify().head
    log.append("x as analyst", "query", sql="select 1", rows=1, outcome="ok")
    assert log.verify().head != head


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_no_audit_log_no_query(access_city, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    unwritable = AuditLog(blocker / "audit.jsonl", KEY)  # as root too: a file cannot hold a directory
    with pytest.raises(AuditUnavailable):
        run_query(
            "analyst",
            "select count(*) from population.persons",
            on=AS_OF,
            settings=access_city.settings,
            audit=unwritable,
        )


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_the_cli_refuses_without_an_audit_log(access_city, tmp_path, monkeypatch):
    from pipelines.cli import app
    from pipelines.settings import get_settings

    settings = access_city.settings
    audit_dir = settings.access_root / "audit"
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", settings.pseudonym_key.get_secret_value())
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(
            app, ["query", "--role", "analyst", "--as-of", str(AS_OF), "select count(*) from population.persons"]
        )
        assert ok.exit_code == 0, ok.output
        moved = audit_dir.with_name("audit-moved")
        audit_dir.rename(moved)
        audit_dir.write_text("")  # the log's folder is now a file: nothing can be appended
        try:
            refused = CliRunner().invoke(app, ["query", "--role", "analyst", "select count(*) from population.persons"])
        finally:
            audit_dir.unlink()
            moved.rename(audit_dir)
        assert refused.exit_code == 3 and "cannot be written" in refused.output
        verified = CliRunner().invoke(app, ["audit", "verify"])
        assert verified.exit_code == 0 and "intact" in verified.output
    finally:
        get_settings.cache_clear()


def test_personal_data_in_a_query_is_scrubbed_before_it_is_logged():
    sql = "select * from t where citizen_id = '330206199001011234' or phone = '13812345678' or name = '张三丰'"
    logged = scrub(sql)
    assert "330206199001011234" not in logged and "13812345678" not in logged and "张三丰" not in logged
    assert "330206********1234" in logged and "138****5678" in logged and "张*丰" in logged

"""The audit log detects any altered, removed or reordered entry, a cut-off tail, an emptied or deleted
log; a junk line is reported, never a crash; nothing is served without it; every query leaves its intent
before it runs and its result (rows and bytes, or the scrubbed error) before the caller sees it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipelines.access.audit import AuditLog, AuditUnavailable
from pipelines.access.query import run_query
from pipelines.standards.scrub import scrub_sql

KEY = b"k" * 32


def written(tmp_path, n: int = 6) -> AuditLog:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl", KEY, anchor=tmp_path / "elsewhere" / "anchor.json")
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


@pytest.mark.parametrize("index", range(6))  # the last one too: the anchor holds the head
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
    forger = AuditLog(tmp_path / "forged.jsonl", b"not the platform key, guessed....", anchor=None)
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
            settings=access_city.settings,
            audit=unwritable,
        )


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_the_cli_refuses_without_an_audit_log(access_city, query_service, monkeypatch):
    from pipelines.cli import app
    from pipelines.settings import get_settings

    settings = access_city.settings
    audit_dir = settings.access_root / "audit"
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", settings.pseudonym_key.get_secret_value())
    monkeypatch.setenv("GOVLAKE_QUERY_URL", query_service.url)
    monkeypatch.setenv("GOVLAKE_QUERY_TOKEN", query_service.token("li.na", "analyst"))
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(app, ["query", "select count(*) from population.persons"])
        assert ok.exit_code == 0, ok.output
        moved = audit_dir.with_name("audit-moved")
        audit_dir.rename(moved)
        audit_dir.write_text("")  # the log's folder is now a file: nothing can be appended
        try:
            refused = CliRunner().invoke(app, ["query", "select count(*) from population.persons"])
        finally:
            audit_dir.unlink()
            moved.rename(audit_dir)
        assert refused.exit_code == 3 and "cannot be written" in refused.output
        verified = CliRunner().invoke(app, ["audit", "verify"])
        assert verified.exit_code == 0 and "intact" in verified.output
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("cut", ["tail", "empty", "delete"])
def test_cutting_emptying_or_deleting_the_log_is_detected(tmp_path, cut):
    log = written(tmp_path)
    if cut == "tail":
        log.path.write_text("".join(lines(log)[:4]), encoding="utf-8")
    elif cut == "empty":
        log.path.write_text("", encoding="utf-8")
    else:
        log.path.unlink()
    result = log.verify()
    assert not result.ok and ("anchor" in " ".join(result.problems) or "gone" in " ".join(result.problems))


def test_a_junk_line_is_reported_and_appending_goes_on(tmp_path):
    log = written(tmp_path)
    with log.path.open("a", encoding="utf-8") as f:
        f.write('{"not": "an entry"')  # torn, no newline
    entry = log.append("x as analyst", "query", sql="select 1", rows=1, outcome="ok")
    assert entry["seq"] == 7
    result = log.verify()
    assert result.problems == ["line 7: not an audit entry"]
    for junk in ("[]", "1", '"text"', "{}"):
        with log.path.open("a", encoding="utf-8") as f:
            f.write(junk + "\n")
        assert log.append("x as analyst", "query", rows=0, outcome="ok")["seq"] > 7
        assert any("not an audit entry" in p for p in log.verify().problems)


SCRUBBED = {  # a query as an attacker writes it: none of its personal data may reach the log
    "select * from t where citizen_id = '330206199001011234'": ["330206199001011234"],
    "select * from t where id = '3302051978' || '10041234'": ["3302051978", "10041234"],
    "select $$李小龙$$ as x": ["李小龙"],
    'select 1 as "王小明"': ["王小明"],
    "select 1 -- 13812345678\n": ["13812345678"],
    "select 1 /* 张三丰 */": ["张三丰"],
    "select * from t where phone = '189-5630-6997'": ["189-5630-6997", "5630", "6997"],
    "select * from t where n = 330206199001011234": ["330206199001011234"],
    "select * from t where name = '张三丰' and born >= '1990-01-01'": ["张三丰"],
}


@pytest.mark.parametrize("sql", SCRUBBED)
def test_personal_data_in_a_query_is_scrubbed_on_its_parse(sql):
    logged = scrub_sql(sql)
    assert not [v for v in SCRUBBED[sql] if v in logged], logged
    assert logged.upper().startswith("SELECT")


def test_what_does_not_parse_is_not_logged():
    logged = scrub_sql("selec '330206199001011234' ((")
    assert "3302" not in logged and logged.startswith("<not parsed")


def test_dates_and_short_codes_stay_in_the_log():
    assert scrub_sql("select * from t where sex = '1' and born >= '1990-01-01'") == (
        "SELECT * FROM t WHERE sex = '1' AND born >= '1990-01-01'"
    )


def _entries(settings, since: int = 0) -> list[dict]:
    from pipelines.access.audit import audit_log_path

    return [json.loads(line) for line in audit_log_path(settings).read_text(encoding="utf-8").splitlines()][since:]


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_every_query_leaves_its_intent_before_it_runs_and_its_result_before_the_rows(access_city):
    """A property: for generated analyst queries, an intent entry precedes each result entry, and the
    result's row count is what the caller received."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hyp_settings

    from pipelines.access.query import QueryFailed
    from tests.access.probes import analyst_queries, role_tables

    settings = access_city.settings

    @hyp_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(analyst_queries(role_tables(settings, "analyst")))
    def check(sql: str) -> None:
        before = len(_entries(settings))
        try:
            result = run_query("analyst", sql, settings=settings)
        except QueryFailed:
            result = None
        intent, outcome = _entries(settings, before)
        assert intent["action"] == "query" and intent["outcome"] == "started"
        assert outcome["action"] == "query.result" and outcome["intent"] == intent["seq"]
        if result is not None:
            assert outcome["rows"] == len(result.rows) and outcome["seq"] == result.audit_seq
        else:
            assert outcome["outcome"] == "error" and outcome["bytes"] > 0

    check()


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_a_long_query_is_cancelled_and_both_entries_stay(access_city):
    from pipelines.access.query import QueryFailed

    settings = access_city.settings.model_copy(update={"query_timeout_seconds": 0.5})
    before = len(_entries(settings))
    with pytest.raises(QueryFailed, match="cancelled after"):
        run_query("analyst", "select count(*) from range(100000000000) a", settings=settings)
    intent, outcome = _entries(settings, before)
    assert intent["outcome"] == "started" and outcome["outcome"] == "timeout"


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_an_error_carries_no_personal_data_and_counts_as_output(access_city):
    """Attack 4: `error(string_agg(...))` returned ~10,000 names in its message while the entry said rows: 0."""
    from pipelines.access.query import QueryFailed
    from tests.access.probes import leaks

    settings = access_city.settings
    before = len(_entries(settings))
    with pytest.raises(QueryFailed) as failure:
        run_query(
            "analyst",
            "select error(string_agg(person_name || citizen_id, ',')) from public_security.household_registry",
            settings=settings,
        )
    message = str(failure.value)
    assert len(message) <= 300 and leaks([(message,)], access_city) == []
    assert not [n for n in access_city.names if len(n) > 1 and n in message]
    outcome = _entries(settings, before)[-1]
    assert outcome["outcome"] == "error" and outcome["bytes"] == len(message.encode())


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_the_logged_user_is_the_accounts_not_logname(access_city, monkeypatch):
    from pipelines.access.query import os_user

    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    result = run_query("analyst", "select 1", settings=access_city.settings)
    entry = _entries(access_city.settings)[-1]
    assert entry["seq"] == result.audit_seq and entry["actor"] == f"{os_user()} as analyst" != "mallory as analyst"


@pytest.mark.slow
@pytest.mark.xdist_group("access")
def test_a_role_file_linked_from_another_data_dir_is_refused(access_city, tmp_path):
    """Attack 4: a data dir whose role file is a symlink to the real one logged the reads in its own log."""
    from pipelines.access.query import QueryRefused
    from pipelines.settings import Settings

    settings = access_city.settings
    elsewhere = Settings(data_dir=tmp_path / "mine", pseudonym_key=settings.pseudonym_key)
    elsewhere.access_root.mkdir(parents=True)
    real = settings.access_root / "warehouse_analyst.duckdb"
    (elsewhere.access_root / real.name).symlink_to(real)
    with pytest.raises(QueryRefused, match="not this platform's own file"):
        run_query("analyst", "select count(*) from population.persons", settings=elsewhere)

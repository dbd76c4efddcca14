"""The query service: the one process holding the keys. Attack 1 (a querying process derived the
pseudonym key and reversed every analyst-visible ID) and attack 4's `--role administrator` and
`$LOGNAME`, rebuilt against it: the client loads no key, the role and the user come from the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.access.probes import leaks

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("access")]

CLIENT = """
import sys
from typer.testing import CliRunner
from pipelines.cli import app
result = CliRunner().invoke(app, ["query", "--format", "json", sys.argv[1]])
print(result.output)
loaded = sorted(m for m in sys.modules if m.startswith("pipelines.privacy") or m == "pipelines.access.audit")
print("KEY-MODULES", ",".join(loaded) or "none")
sys.exit(result.exit_code)
"""


def _client(query_service, tmp_path, token: str, sql: str) -> subprocess.CompletedProcess:
    """`govlake query` in a process of its own, as a user would run it: no platform key anywhere (a
    home of its own, no key variable, production mode, where a missing key is an error, not created)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVLAKE_") and k not in ("HOME", "XDG_CONFIG_HOME")}
    env |= {
        "HOME": str(tmp_path),
        "GOVLAKE_ENV": "prod",
        "GOVLAKE_DATA_DIR": str(tmp_path / "nothing-here"),
        "GOVLAKE_QUERY_URL": query_service.url,
        "GOVLAKE_QUERY_TOKEN": token,
    }
    return subprocess.run([sys.executable, "-c", CLIENT, sql], env=env, capture_output=True, text=True, timeout=120)


def test_the_client_holds_no_key_and_still_reads(access_city, query_service, tmp_path):
    token = query_service.token("zhao.lei", "analyst")
    run = _client(
        query_service,
        tmp_path,
        token,
        "select person_pseudonym, sex_code, birth_date, address from population.persons limit 50",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rows = json.loads(run.stdout.split("\nKEY-MODULES")[0])
    assert len(rows) == 50 and leaks([tuple(r.values()) for r in rows], access_city) == []
    assert "KEY-MODULES none" in run.stdout  # nothing that reads or derives a key was even imported
    assert not (tmp_path / ".config" / "govlake" / "secret.key").exists()


def test_the_role_and_the_user_come_from_the_token(access_city, query_service, tmp_path):
    from pipelines.access.audit import audit_log_path

    token = query_service.token("zhao.lei", "analyst")
    asked_for_admin = _client(query_service, tmp_path, token, "select 1")
    assert asked_for_admin.returncode == 0
    flag = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "query", "--role", "administrator", "select 1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert flag.returncode == 2 and "--role" in flag.stderr  # there is no such option to lie with
    platform_only = _client(
        query_service, tmp_path, token, "select count(*) from staging.stg_tax__taxpayer_registrations"
    )
    assert platform_only.returncode == 2  # the analyst's warehouse has no such table
    last = json.loads(audit_log_path(access_city.settings).read_text(encoding="utf-8").splitlines()[-1])
    assert last["actor"] == "zhao.lei as analyst"
    refused = _client(query_service, tmp_path, "gvq_forged", "select 1")
    assert refused.returncode == 3 and "unknown bearer token" in refused.stdout


def test_revoking_a_user_stops_its_token_at_once(access_city, query_service):
    from pipelines.access.users import remove_user, users_path

    token = query_service.token("temp.worker", "health")
    ask = lambda: httpx.post(  # noqa: E731
        f"{query_service.url}/v1/query", json={"sql": "select 1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert ask().status_code == 200
    assert remove_user("temp.worker", users_path(access_city.settings))
    assert ask().status_code == 401


def test_oversized_sql_is_refused(query_service):
    token = query_service.token("zhao.lei", "analyst")
    response = httpx.post(
        f"{query_service.url}/v1/query",
        json={"sql": "select 1 -- " + "x" * 100_000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413


@pytest.fixture(scope="module")
def pg_port(access_city):
    import socket

    from pipelines.access.pgwire import serve_in_thread

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = serve_in_thread(("127.0.0.1", port), access_city.settings)
    yield port
    server.shutdown()


def _pg(port: int, user: str, password: str, **kw):
    import psycopg

    return psycopg.connect(
        host="127.0.0.1", port=port, user=user, password=password, dbname="govlake", sslmode="disable", **kw
    )


def test_a_sql_client_reads_through_the_audit_log_over_the_postgresql_protocol(access_city, query_service, pg_port):
    """The README's "reads through a client bypass the audit log" ends: psycopg (libpq's protocol, as psql
    and BI tools speak it) logs in with a user's token and every statement is audited as that user."""
    from pipelines.access.audit import audit_log_path

    token = query_service.token("chen.jie", "analyst")
    log = audit_log_path(access_city.settings)
    before = len(log.read_text(encoding="utf-8").splitlines())
    with _pg(pg_port, "chen.jie", token) as con:  # psycopg opens a transaction: BEGIN is accepted, not run
        rows = con.execute("select sex_code, count(*) as n from population.persons group by 1 order by 1").fetchall()
    assert sum(n for _, n in rows) > 1_000 and leaks(rows, access_city) == []  # the 1,500-person city
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[before:]]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("query", "chen.jie as analyst"),
        ("query.result", "chen.jie as analyst"),
    ]
    assert entries[-1]["rows"] == len(rows)


def test_the_postgresql_protocol_refuses_wrong_tokens_and_other_roles_tables(query_service, pg_port):
    import psycopg

    token = query_service.token("chen.jie", "analyst")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _pg(pg_port, "chen.jie", "gvq_forged")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        _pg(pg_port, "someone.else", token)  # a token is its user's only
    with _pg(pg_port, "chen.jie", token, autocommit=True) as con, pytest.raises(psycopg.Error):
        con.execute("select * from staging.stg_tax__taxpayer_registrations").fetchall()

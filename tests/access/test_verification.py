"""The verification service: right answers against the city's truth, authentication, rate limits,
an audit entry per call, no answer without the audit log, and its OpenAPI spec (schemathesis)."""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from schemathesis.generation.modes import GenerationMode

from pipelines.verification.api import create_app
from pipelines.verification.callers import callers_path, issue_token
from tests.access.conftest import AS_OF
from tests.pii import UNMASKED_PERSONAL_NUMBER

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("access")]


@pytest.fixture(scope="module")
def service(access_city):
    settings = access_city.settings
    token = issue_token("health-appointments", "health", callers_path(settings), rate_per_minute=60_000, burst=10_000)
    slow = issue_token("slow-caller", "market_regulation", callers_path(settings), rate_per_minute=60, burst=3)
    app = create_app(settings, today=lambda: AS_OF)
    return TestClient(app), {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {slow}"}


def ask(client, headers, path, **body):
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["answer"]


def test_answers_match_the_citys_truth(access_city, service):
    client, auth, _ = service
    people = [p for p in access_city.people if p["in_city"] == "1"][:300]
    names = [p["name"] for p in people]
    answers = {"yes": 0, "no": 0, "unknown": 0}
    for i, p in enumerate(people):
        answers[ask(client, auth, "/v1/identity", citizen_id=p["citizen_id"], name=p["name"])] += 1
        other = names[(i + 1) % len(names)]
        if other != p["name"]:
            assert ask(client, auth, "/v1/identity", citizen_id=p["citizen_id"], name=other) in ("no", "unknown")
        alive = ask(client, auth, "/v1/alive", citizen_id=p["citizen_id"])
        assert alive == "unknown" or alive == ("no" if p["death_date"] else "yes")
    assert answers["yes"] >= 0.95 * len(people)  # the rest: IDs the registers disagree on or lack
    assert ask(client, auth, "/v1/identity", citizen_id="110101190001011237", name="张三") == "unknown"


def test_licences(access_city, service):
    import duckdb

    client, auth, _ = service
    with duckdb.connect(str(access_city.settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select l.licence_number, e.uscc, l.licence_status = '1' and l.expires_on >= ? and e.entity_status not in ('2', '3') "
            "from licences.licences l join legal_entities.legal_entities e on l.holder_entity_id = e.entity_id "
            "where e.uscc is not null",
            [AS_OF],
        ).fetchall()
    assert any(valid for *_, valid in rows) and not all(valid for *_, valid in rows)
    for number, uscc, valid in rows:
        assert ask(client, auth, "/v1/licence", licence_number=number, holder_uscc=uscc) == ("yes" if valid else "no")
    number, uscc, _ = rows[0]
    other = next(u for _, u, _ in rows if u != uscc)
    assert ask(client, auth, "/v1/licence", licence_number=number, holder_uscc=other) == "no"
    assert ask(client, auth, "/v1/licence", licence_number="JY0000000000000", holder_uscc=uscc) == "unknown"


def test_callers_must_authenticate_and_are_rate_limited(service):
    client, _, slow = service
    body = {"citizen_id": "110101190001011237"}
    assert client.post("/v1/alive", json=body).status_code == 401
    assert client.post("/v1/alive", json=body, headers={"Authorization": "Bearer gvk_wrong"}).status_code == 401
    codes = [client.post("/v1/alive", json=body, headers=slow) for _ in range(5)]
    assert [c.status_code for c in codes[:3]] == [200, 200, 200]
    assert codes[3].status_code == 429 and int(codes[3].headers["Retry-After"]) >= 1


def test_every_call_is_audited_without_personal_data(access_city, service):
    from pipelines.access.audit import audit_log_path

    client, auth, _ = service
    log = audit_log_path(access_city.settings)
    before = len(log.read_text(encoding="utf-8").splitlines())
    person = access_city.people[0]
    ask(client, auth, "/v1/identity", citizen_id=person["citizen_id"], name=person["name"])
    client.post("/v1/alive", json={"citizen_id": person["citizen_id"]})  # unauthenticated: audited too
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(entries) == before + 2
    last_two = json.dumps(entries[-2:], ensure_ascii=False)
    assert entries[-2]["action"] == "verify.identity" and entries[-2]["actor"] == "health-appointments as health"
    assert entries[-1]["outcome"] == "401 unauthenticated"
    assert not UNMASKED_PERSONAL_NUMBER.search(last_two) and person["name"] not in last_two


def test_no_answer_without_the_audit_log(access_city, service):
    client, auth, _ = service
    audit_dir = access_city.settings.access_root / "audit"
    moved = audit_dir.with_name("audit-away")
    audit_dir.rename(moved)
    audit_dir.write_text("")
    try:
        response = client.post("/v1/alive", json={"citizen_id": access_city.people[0]["citizen_id"]}, headers=auth)
    finally:
        audit_dir.unlink()
        moved.rename(audit_dir)
    assert response.status_code == 503 and "answer" not in response.json()


def test_the_api_conforms_to_its_openapi_spec(service):
    """schemathesis: cases generated from /openapi.json — positive and negative — against every
    operation, with its default checks (no server error, documented status codes, content types,
    response schemas, invalid data rejected)."""
    client, auth, _ = service
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/v1/identity", "/v1/alive", "/v1/licence"}
    for operation, mode in itertools.product(operations, GenerationMode):

        @hyp_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(operation.as_strategy(mode))
        def check(case) -> None:
            case.call_and_validate(headers=auth)

        check()

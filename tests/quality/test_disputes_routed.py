"""The built city's conflicts routed to their authorities by its build: one standing dispute per conflict,
counted on the scorecards, each department's own side only in its role warehouse."""

from __future__ import annotations

import pytest

from pipelines.engines import engine_for
from pipelines.quality.disputes import STANDING, load_disputes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("quality")]


def _counts(settings, sql: str) -> dict[str, int]:
    return {r["k"]: r["n"] for r in engine_for(settings).query(sql).to_pylist()}


def test_every_conflict_is_one_dispute_of_its_authority(quality_city):
    settings = quality_city[0]
    conflicts = _counts(
        settings, "select authority_department as k, count(*) as n from quality.conflicts group by authority_department"
    )
    mart = _counts(
        settings,
        "select authority_department as k, count(*) as n from quality.disputes "
        "where status in ('open', 'confirmed', 'rejected') group by authority_department",
    )
    register: dict[str, int] = {}
    for d in load_disputes(settings).values():
        if d.status in STANDING:
            register[d.key.authority_department] = register.get(d.key.authority_department, 0) + 1
    assert sum(conflicts.values()) > 0  # the city's defects disagree with the authorities
    assert mart == conflicts == register
    wrong = engine_for(settings).query(
        """select count(*) as n from quality.disputes as d
           left join quality.conflicts as c
             on c.subject = d.subject and c.attribute = d.attribute and c.source_record_id = d.source_record_id
             and c.authority_department = d.authority_department
           where d.status = 'open' and c.subject is null"""
    )
    assert wrong.to_pylist()[0]["n"] == 0  # each open dispute is a conflict, routed to that conflict's authority

    quarter = (
        engine_for(settings)
        .query(
            """select department as k, disputes_open as n from quality.department_scorecards
           where period = (select max(period) from quality.department_scorecards where period_kind = 'quarter')"""
        )
        .to_pylist()
    )
    assert {r["k"]: r["n"] for r in quarter if r["n"]} == conflicts

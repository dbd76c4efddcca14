"""Near-ties go to a clerk, not to record order; a clear best still links. The scores are set by hand
(the real linkage's writer runs on them in a DuckDB warehouse), so each case is exactly the one named."""

from __future__ import annotations

import json

import pytest

from pipelines.linkage.models import person_model
from pipelines.linkage.run import REVIEW_MARGIN, _write_links, review_queue
from pipelines.settings import Settings

RESOLVED = [  # record, citizen ID, birth date
    ("registry/father", "330203196501010011", "1965-01-01"),
    ("registry/son", "330203199001010013", "1990-01-01"),
    ("registry/other", "X", None),
    ("health/births/9/newborn", "N", "2026-05-01"),
    ("civil_affairs/marriages/5/husband", "F", "1990-03-01"),
    ("public_security/households/7/subject", "N", "2026-05-01"),  # the newborn's registration
]
UNRESOLVED = [("birth/father", None), ("hr/clear", None), ("hr/nobody", None), ("tax/near", None)]
UNRESOLVED += [("health/births/9/father", "father")]
EDGES = [  # unresolved, resolved, probability, weight
    ("birth/father", "registry/father", 0.995, 7.6),  # a father and son of one name in one household: a tie
    ("birth/father", "registry/son", 0.995, 7.6),
    ("hr/clear", "registry/other", 0.999, 10.0),  # the best by far: linked
    ("hr/clear", "registry/son", 0.9, 3.2),
    ("tax/near", "registry/father", 0.99, 6.6),  # the second within REVIEW_MARGIN bits: held
    ("tax/near", "registry/son", 0.98, 6.6 - REVIEW_MARGIN / 2),
    # a father named without an ID beside his newborn son of the same name: never the son, on this
    # record or his registration
    ("health/births/9/father", "health/births/9/newborn", 0.993, 7.23),
    ("health/births/9/father", "public_security/households/7/subject", 0.993, 7.23),
    ("health/births/9/father", "civil_affairs/marriages/5/husband", 0.993, 7.23),
]


def _sql_row(values: tuple) -> str:
    return "(" + ", ".join("null" if v is None else repr(v) for v in values) + ")"


def _link(settings: Settings, decisions: list[tuple[str, str]] = ()) -> dict:
    """The scores above in a linkage workspace, then the links written from them: {record: (cluster, method)}."""
    from pipelines.engines import engine_for

    with engine_for(settings).workspace() as ws:
        ws.execute(
            "create table population_input (source_record_id varchar, party varchar, citizen_id varchar, "
            "birth_date varchar)"
        )
        rows = [(r, r.rsplit("/", 1)[-1], cid, born) for r, cid, born in RESOLVED]
        rows += [(r, party, None, None) for r, party in UNRESOLVED]
        ws.execute(f"insert into population_input values {', '.join(map(_sql_row, rows))}")
        ws.execute(
            "create table population_input_resolved as select * from population_input where citizen_id is not null"
        )
        ws.execute(
            "create table population_input_unresolved as select * from population_input where citizen_id is null"
        )
        edges = ws.warehouse("linkage", "population_edges")
        ws.execute(
            f"create or replace table {edges} (source_record_id_l varchar, source_record_id_r varchar, "
            "match_probability double, match_weight double)"
        )
        ws.execute(f"insert into {edges} values {', '.join(map(str, EDGES))}")
        links = ws.warehouse("linkage", "population_links")
        _write_links(ws, ws.splink_api(), person_model(), 0.8, {"father": "newborn"}, decisions, links)
        rows = ws.fetch(f"select source_record_id, cluster_key, match_method from {links}")
    assert len(rows) == len({r[0] for r in rows}), "a record linked twice"
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.fixture
def linked(tmp_path):
    import duckdb

    settings = Settings(data_dir=tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.warehouse_path)).close()
    return settings, _link(settings)


def test_a_tie_is_held_for_review_not_settled_by_record_order(linked):
    settings, links = linked
    assert links["birth/father"] == ("review:birth/father", "review")
    assert links["tax/near"] == ("review:tax/near", "review")
    held = review_queue(settings, "population")
    assert sorted((r["source_record_id"], r["matched_record_id"]) for r in held) == [
        ("birth/father", "registry/father"),
        ("birth/father", "registry/son"),
        ("tax/near", "registry/father"),
        ("tax/near", "registry/son"),
    ]
    assert len({r["candidate_person_id"] for r in held}) == 2  # the two people, by their stable ids


def test_two_parties_of_one_record_are_never_one_person(linked):
    settings, links = linked
    assert links["health/births/9/father"] == ("F", "probabilistic")  # not its son, here or registered
    assert "health/births/9/father" not in {r["source_record_id"] for r in review_queue(settings, "population")}


def test_a_clear_best_links_and_a_record_reaching_no_one_stays_alone(linked):
    _, links = linked
    assert links["hr/clear"] == ("X", "probabilistic")
    assert links["hr/nobody"][1] == "unmatched"
    assert all(links[r][0] == cid and links[r][1] == "identifier" for r, cid, _ in RESOLVED)


def test_the_review_command_lists_the_held_records(linked, monkeypatch):
    from typer.testing import CliRunner

    from pipelines.cli import app
    from pipelines.settings import get_settings

    settings, _ = linked
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["linkage", "review"], env={"COLUMNS": "200"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "birth/father" in result.output and "tax/near" in result.output and "hr/clear" not in result.output
    assert "2 record(s) held for review" in result.output


def test_a_clerks_decision_links_the_held_record_and_takes_it_off_the_queue(linked, monkeypatch):
    from typer.testing import CliRunner

    from pipelines.access.audit import AuditLog
    from pipelines.cli import app
    from pipelines.linkage.decisions import decisions_path, load_decisions
    from pipelines.settings import get_settings

    settings, _ = linked
    held = {r["matched_record_id"]: r["candidate_person_id"] for r in review_queue(settings, "population")}
    father = held["registry/father"]
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        wrong = runner.invoke(app, ["linkage", "decide", "birth/father", "P000", "--reason", "checked the registry"])
        decided = runner.invoke(
            app,
            [
                "linkage",
                "decide",
                "birth/father",
                father,
                "--reason",
                "birth date on the certificate",
                "--by",
                "clerk1",
            ],
        )
    finally:
        get_settings.cache_clear()
    assert wrong.exit_code == 2 and "not a candidate" in wrong.output
    assert decided.exit_code == 0, decided.output
    assert "clerk1" in decisions_path(settings).read_text(encoding="utf-8")
    audit = AuditLog.open(settings)
    assert audit.verify().ok
    entries = [json.loads(line) for line in audit.path.read_text(encoding="utf-8").splitlines()]
    assert [(e["actor"], e["action"], e["person"]) for e in entries] == [("clerk1", "linkage decision", father)]

    decided = [(d.record, d.person) for d in load_decisions(settings, "population")]
    assert decided == [("birth/father", father)]  # what the build passes to the linkage
    links = _link(settings, decided)
    assert links["birth/father"] == ("330203196501010011", "clerical")
    assert {r["source_record_id"] for r in review_queue(settings, "population")} == {"tax/near"}

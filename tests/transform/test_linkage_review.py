"""Near-ties go to a clerk, not to record order; a clear best still links. The scores are set by hand
(the real linkage's writer runs on them in a DuckDB warehouse), so each case is exactly the one named."""

from __future__ import annotations

import pytest

from pipelines.linkage.models import person_model
from pipelines.linkage.run import REVIEW_MARGIN, _write_links, review_queue
from pipelines.settings import Settings

RESOLVED = [("registry/father", "330203196501010011"), ("registry/son", "330203199001010013"), ("registry/other", "X")]
UNRESOLVED = ["birth/father", "hr/clear", "hr/nobody", "tax/near"]
EDGES = [  # unresolved, resolved, probability, weight
    ("birth/father", "registry/father", 0.995, 7.6),  # a father and son of one name in one household: a tie
    ("birth/father", "registry/son", 0.995, 7.6),
    ("hr/clear", "registry/other", 0.999, 10.0),  # the best by far: linked
    ("hr/clear", "registry/son", 0.9, 3.2),
    ("tax/near", "registry/father", 0.99, 6.6),  # the second within REVIEW_MARGIN bits: held
    ("tax/near", "registry/son", 0.98, 6.6 - REVIEW_MARGIN / 2),
]


@pytest.fixture
def linked(tmp_path):
    import duckdb

    from pipelines.engines import engine_for

    settings = Settings(data_dir=tmp_path)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.warehouse_path)).close()
    with engine_for(settings).workspace() as ws:
        ws.execute("create table population_input_resolved (source_record_id varchar, citizen_id varchar)")
        ws.execute(f"insert into population_input_resolved values {', '.join(map(str, RESOLVED))}")
        ws.execute("create table population_input_unresolved (source_record_id varchar)")
        ws.execute(f"insert into population_input_unresolved values {', '.join(f'({r!r})' for r in UNRESOLVED)}")
        edges = ws.warehouse("linkage", "population_edges")
        ws.execute(
            f"create table {edges} (source_record_id_l varchar, source_record_id_r varchar, "
            "match_probability double, match_weight double)"
        )
        ws.execute(f"insert into {edges} values {', '.join(map(str, EDGES))}")
        links = _write_links(ws, ws.splink_api(), person_model(), threshold=0.8)
        rows = ws.fetch(f"select source_record_id, cluster_key, match_method from {links}")
    return settings, {r[0]: (r[1], r[2]) for r in rows}


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


def test_a_clear_best_links_and_a_record_reaching_no_one_stays_alone(linked):
    _, links = linked
    assert links["hr/clear"] == ("X", "probabilistic")
    assert links["hr/nobody"][1] == "unmatched"
    assert all(links[r][0] == cid and links[r][1] == "identifier" for r, cid in RESOLVED)


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

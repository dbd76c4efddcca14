"""The standards as GX expectations give, on a DuckDB table through GX's SQL datasource, the same
unexpected counts as the Python engine."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.engines.duckdb import table_from_arrow
from pipelines.standards.codetable import CODE_TABLE, code_table
from pipelines.standards.evaluate import rule_with_python, with_python
from pipelines.standards.samples import rule_pairs, samples

pytestmark = pytest.mark.xdist_group("expectations")  # one worker builds the module fixture

ELEMENTS = {
    "citizen_id": "sfzh",
    "uscc": "tyshxydm",
    "date": "csrq",
    "sex_code": "xb",
    "person_name": "xm",
    "industry_code": "hy",
}
N = 3_000


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    import great_expectations as gx

    from pipelines.engines import gx_duckdb
    from pipelines.standards.expectations import element_expectations, rule_expectation

    gx_duckdb.install()
    path = tmp_path_factory.mktemp("gx") / "w.duckdb"
    python = {e: with_python(e, samples(e, N, seed=9)) for e in ELEMENTS}
    pairs = rule_pairs("id_sex_parity_matches", N, seed=9)
    with duckdb.connect(str(path)) as con:
        cols = ", ".join(f"{c} varchar" for c in ELEMENTS.values())
        con.execute(f"create table people (i integer, {cols}, id2 varchar, sex2 varchar)")
        rows = [(i, *(python[e][i][0] for e in ELEMENTS), pairs[i][0], pairs[i][1]) for i in range(N)]
        con.executemany(f"insert into people values ({', '.join(['?'] * (len(ELEMENTS) + 3))})", rows)
        table_from_arrow(con, CODE_TABLE, code_table())  # what the code-list checks look codes up in
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_sql(name="duck", connection_string=f"duckdb:///{path}")
        .add_table_asset(name="people", table_name="people")
        .add_batch_definition_whole_table("all")
    )
    expectations = [x for e, c in ELEMENTS.items() for x in element_expectations(c, e)]
    expectations.append(rule_expectation("id_sex_parity_matches", "id2", "sex2"))
    suite = context.suites.add(gx.ExpectationSuite(name="people", expectations=expectations))
    result = context.validation_definitions.add(gx.ValidationDefinition(name="people", data=batch, suite=suite)).run(
        result_format="COMPLETE"
    )
    return python, pairs, result


def _unexpected(r) -> int:
    res = r.result
    return res.get("unexpected_count", res.get("observed_value"))


def test_every_check_counts_what_python_counts(validated):
    python, pairs, result = validated
    seen = 0
    for r in result.results:
        meta = r.expectation_config.meta
        assert r.result, r.exception_info  # an expectation that raised has an empty result
        if "rule" in meta:
            expected = sum(1 for v in rule_with_python(meta["rule"], pairs) if v is False)
        else:
            expected = sum(1 for _, checks in python[meta["element"]] if checks[meta["check"]] is False)
        assert _unexpected(r) == expected, (meta, r.result)
        seen += 1
    assert seen == len(result.results) > 15
    assert any(_unexpected(r) > 0 for r in result.results)


def test_checksums_and_rules_are_custom_expectations(validated):
    _, _, result = validated
    kinds = {r.expectation_config.type for r in result.results}
    assert {"expect_column_values_to_pass_standard_check", "expect_column_pair_to_pass_standard_rule"} <= kinds
    assert "expect_column_values_to_match_regex" in kinds and "expect_column_values_to_be_in_set" in kinds

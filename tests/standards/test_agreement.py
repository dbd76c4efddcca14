"""Python, DuckDB and Spark agree on every generated value of every element (30,000 per element for
DuckDB, the first 10,000 of them for Spark, whose time goes to Python's side of the comparison;
adversarial ones included: full width, lower case, spaces, look-alikes, placeholders, empty, NULL,
truncated, overlong, random Unicode)."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.standards.evaluate import rule_with_python, rule_with_spark, with_duckdb, with_python, with_spark
from pipelines.standards.registry import load_elements, load_rules
from pipelines.standards.samples import rule_pairs, samples

N = 30_000
N_SPARK = 10_000
ELEMENTS = sorted(load_elements())


def disagreements(values, left, right, limit=5):
    out = [(v, a, b) for v, a, b in zip(values, left, right, strict=True) if a != b]
    return len(out), out[:limit]


@pytest.mark.parametrize("element_id", ELEMENTS)
def test_python_and_duckdb_agree(element_id):
    values = samples(element_id, N, seed=1)
    python = with_python(element_id, values)
    count, examples = disagreements(values, python, with_duckdb(element_id, values))
    assert count == 0, examples
    # the generated values exercise both outcomes of every check, and missing values
    for check in python[0][1]:
        outcomes = {r[1][check] for r in python}
        assert {True, False} <= outcomes, (element_id, check, outcomes)
    assert any(r[0] is None for r in python)


# Hypothesis shrinks any disagreement to a minimal value; the alphabet is what identifiers are made of,
# plus their full-width and look-alike forms, whitespace of every kind, Chinese characters and separators.
ALPHABET = "0123456789Xx１２９ＸｘAaNnYy-–./ 年月日\t\n\u3000\xa0\v٣²Ⅹ张張三•·+86()汉族男女无NULLnull/"
VALUES = st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=24)), min_size=1, max_size=40)


@pytest.mark.parametrize(
    "element_id",
    ["citizen_id", "uscc", "organisation_code", "date", "mobile_phone", "person_name", "sex_code", "ethnicity_code"],
)
@settings(max_examples=100, deadline=None)
@given(values=VALUES)
def test_hypothesis_finds_no_disagreement(element_id, values):
    count, examples = disagreements(values, with_python(element_id, values), with_duckdb(element_id, values, _con()))
    assert count == 0, examples


_CON = []


def _con():
    if not _CON:
        _CON.append(duckdb.connect())
    return _CON[0]


@pytest.fixture(scope="module")
def spark():
    """Spark's defaults, code generation on, as a cluster's sessions run the standards: the platform's local
    settings (`session_config`: expressions interpreted) are the equivalence test's."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("govlake-standards-agreement")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.spark
@pytest.mark.xdist_group("spark_standards")
def test_python_and_spark_agree(spark):
    failures = {}
    for element_id in ELEMENTS:
        values = samples(element_id, N_SPARK, seed=1)
        count, examples = disagreements(values, with_python(element_id, values), with_spark(element_id, values, spark))
        if count:
            failures[element_id] = (count, examples)
    assert not failures, failures


@pytest.mark.spark
@pytest.mark.xdist_group("spark_standards")
def test_python_and_spark_agree_on_rules(spark):
    for rule in load_rules():
        pairs = rule_pairs(rule.id, N_SPARK, seed=5)
        python, theirs = rule_with_python(rule.id, pairs), rule_with_spark(rule.id, pairs, spark)
        bad = [(p, a, b) for p, a, b in zip(pairs, python, theirs, strict=True) if a != b]
        assert not bad, (rule.id, bad[:5])

"""Cross-field rules: Python and DuckDB agree on 20,000 pairs per rule, and the rules mean what
the standards say. Making the pairs (sampling and normalising both fields in Python) is nine tenths of
the test's time; a rule has a handful of branches, and 20,000 pairs reach every one of them many times
over (the three outcomes are asserted)."""

from __future__ import annotations

import pytest

from pipelines.standards.evaluate import rule_with_duckdb, rule_with_python
from pipelines.standards.registry import load_rules
from pipelines.standards.samples import rule_pairs

RULES = [r.id for r in load_rules()]
PAIRS = 20_000


@pytest.mark.parametrize("rule_id", RULES)
def test_python_and_duckdb_agree_on_rules(rule_id):
    pairs = rule_pairs(rule_id, PAIRS, seed=5)
    python = rule_with_python(rule_id, pairs)
    duck = rule_with_duckdb(rule_id, pairs)
    bad = [(p, a, b) for p, a, b in zip(pairs, python, duck, strict=True) if a != b]
    assert not bad, bad[:5]
    assert {True, False, None} <= set(python), rule_id


@pytest.mark.parametrize(
    ("rule_id", "left", "right", "expected"),
    [
        ("id_birth_date_matches", "11010519491231002X", "1949-12-31", True),
        ("id_birth_date_matches", "11010519491231002X", "1949-12-30", False),
        ("id_sex_parity_matches", "11010519491231002X", "2", True),  # sequence 002: even, a woman
        ("id_sex_parity_matches", "11010519491231002X", "1", False),
        ("id_sex_parity_matches", "11010519491231002X", "9", None),  # sex not stated: not applicable
        ("id_division_existed_at_birth", "440524188001010014", "1880-01-01", False),  # 潮阳县 code: 1983-1993
        ("id_division_existed_at_birth", "440524198501010014", "1985-01-01", True),
        ("id_division_existed_at_birth", "810000200001010014", "2000-01-01", None),  # residence permit
        ("licence_expires_after_issue", "2020-01-01", "2025-01-01", True),
        ("licence_expires_after_issue", "2025-01-01", "2020-01-01", False),
        ("licence_expires_after_issue", None, "2020-01-01", None),
    ],
)
def test_rule_examples(rule_id, left, right, expected):
    assert rule_with_python(rule_id, [(left, right)]) == [expected]
    assert rule_with_duckdb(rule_id, [(left, right)]) == [expected]

"""Generated suites: snapshot of every resource's suite, thresholds and waivers from expectations/.

Set UPDATE_SNAPSHOTS=1 to rewrite the snapshot after an intended change to standards/ or catalog/;
the diff of tests/quality/snapshots/suites.json is then the reviewable effect of that change.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from pipelines.catalog import load_catalog
from pipelines.quality.overrides import OverridesInvalid, load_overrides, overrides_for
from pipelines.quality.suites import build_suite, parameter, plan, snapshot, suite_parameters

SNAPSHOT = Path(__file__).parent / "snapshots" / "suites.json"


def _all_snapshots() -> dict:
    return {f"{d.code}/{r.slug}": snapshot(d, r) for d, r in load_catalog().resources()}


def test_suites_match_the_snapshot():
    current = json.dumps(_all_snapshots(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == current, "suites changed: review, then UPDATE_SNAPSHOTS=1"


def test_every_resource_has_a_suite_of_twenty_or_more_with_scoring_meta():
    for d, r in load_catalog().resources():
        suite = build_suite(d, r)
        assert suite.name == f"{d.code}__{r.slug}"
        assert len(suite.expectations) >= 20, suite.name
        for e in suite.expectations:
            assert {"department", "resource", "column", "rule", "dimension", "severity"} <= set(e.meta)


def test_cross_field_rules_pair_columns_of_one_party_only():
    catalog = load_catalog()
    marriages = plan(catalog.resource("civil_affairs", "marriage_registrations"))
    pairs = {(p.column, p.other_column) for p in marriages if p.rule == "id_birth_date_matches"}
    assert pairs == {("husband_citizen_id", "husband_birth_date"), ("wife_citizen_id", "wife_birth_date")}
    licences = plan(catalog.resource("market_regulation", "food_business_licences"))
    assert [(p.column, p.other_column) for p in licences if p.kind == "rule"] == [("issued_on", "expires_on")]


def test_thresholds_become_parameters_and_default_to_all_rows():
    catalog = load_catalog()
    tax = catalog.resource("tax", "taxpayer_registrations")
    params = suite_parameters(tax, overrides_for("tax"))
    assert params[parameter("mobile_phone.format")] == 0.95
    assert params[parameter("uscc.check_char")] == 1.0
    suite = build_suite(catalog.departments["tax"].department, tax)
    phone = next(e for e in suite.expectations if e.meta["rule"] == "mobile_phone.format")
    assert phone.mostly == {"$PARAMETER": parameter("mobile_phone.format")}


def test_a_waiver_applies_until_its_expiry_only():
    tax = overrides_for("tax")
    rule, resource = "industry_code.section_matches_division", "taxpayer_registrations"
    assert tax.waiver(rule, resource, date(2027, 6, 30)) is not None
    assert tax.waiver(rule, resource, date(2027, 7, 1)) is None
    assert tax.waiver(rule, "another_resource", date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    "text, problem",
    [
        ("department: tax\nwaivers:\n  - {rule: x.y, reason: because of it, expires: 2027-01-01, extra: 1}\n", "extra"),
        ("department: tax\nwaivers:\n  - {rule: x.y, expires: 2027-01-01}\n", "reason"),
        ("department: tax\nwaivers:\n  - {rule: x.y, reason: because of it}\n", "expires"),
        ("department: tax\nthresholds: {x.y: 1.5}\n", "not in (0, 1]"),
        ("department: health\n", "does not match the file name"),
    ],
)
def test_bad_overrides_are_refused_with_the_reason(tmp_path, text, problem):
    (tmp_path / "tax.yml").write_text(text, encoding="utf-8")
    with pytest.raises(OverridesInvalid, match=problem.replace("(", r"\(").replace("]", r"\]")):
        load_overrides(tmp_path)


def test_the_real_overrides_are_valid():
    assert set(load_overrides()) == {"tax", "health"}

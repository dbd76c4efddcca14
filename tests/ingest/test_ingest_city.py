"""The synthetic city through the ingest runner: every source row lands exactly once, reruns add nothing."""

from __future__ import annotations

import pytest

from pipelines.ingest.runner import ingest
from pipelines.lake.layout import LakeLayout
from pipelines.settings import Settings
from tests.conftest import hr_api_served
from tests.ingest.lake_check import assert_every_source_row_exactly_once, ledger_states

pytestmark = pytest.mark.xdist_group("ingest_city")  # one worker builds the module fixture


@pytest.fixture(scope="module")
def ingested(small_city, tmp_path_factory):
    city, summary = small_city
    settings = Settings(data_dir=tmp_path_factory.mktemp("lake"), source_root=city)
    with hr_api_served(city):
        first = ingest(settings=settings)
        second = ingest(settings=settings)
    return city, summary, settings, first, second


def test_every_source_row_lands_exactly_once(ingested):
    city, summary, settings, first, _ = ingested
    assert {r.status for r in first} <= {"published", "rejected", "skipped"}
    checked = assert_every_source_row_exactly_once(city, LakeLayout(settings.lake_root))
    assert checked == sum(summary["records"].values())


def test_malformed_deliveries_are_quarantined_whole_with_their_reason(ingested):
    _, _, _, first, _ = ingested
    rejected = {r.delivery.rsplit("/", 1)[-1]: r.message for r in first if r.status == "rejected"}
    assert any(name.endswith("_broken.xlsx") and reason == "unreadable_xlsx" for name, reason in rejected.items())
    assert any(name.endswith("_mixed.csv") and reason == "invalid_utf8_after_bom" for name, reason in rejected.items())
    assert any(name.endswith("_resend.csv") for name in rejected)


def test_the_hr_api_was_read_over_http(ingested):
    _, summary, _, first, _ = ingested
    hr = [r for r in first if r.resource == "social_insurance_enrolments"]
    assert {r.delivery for r in hr} == {f"period {p}" for p in summary["periods"]}
    assert sum(r.rows_landed for r in hr) == summary["records"]["hr_social_security/social_insurance_enrolments"]


def test_a_second_run_adds_nothing(ingested):
    _, _, settings, first, second = ingested
    assert {r.status for r in second} == {"skipped"}
    states = ledger_states(LakeLayout(settings.lake_root))
    assert states["published"] + states["rejected"] == sum(r.status in ("published", "rejected") for r in first)
    assert not (LakeLayout(settings.lake_root).staging).exists() or not any(
        LakeLayout(settings.lake_root).staging.iterdir()
    )

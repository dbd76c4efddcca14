"""Attack 5 (and attack 1's raw material), rebuilt on the analyst's warehouse: quasi-identifiers that
single people out, a masked mobile unique for almost everyone, masked IDs to enumerate from, row numbers
and household numbers that rebuild households. Every analyst-visible person must be one of at least k on
the declared quasi-identifiers, and no identifier may be visible in any form."""

from __future__ import annotations

import pytest

from pipelines.access.query import run_query
from pipelines.standards.masking import load_masking
from tests.access.probes import role_tables

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("access")]

CONTROL = load_masking().disclosure_control


def _person_tables(settings) -> dict[str, list[str]]:
    return {t: cols for t, cols in role_tables(settings, "analyst").items() if set(cols) & set(CONTROL.person_columns)}


def test_every_analyst_visible_person_is_one_of_at_least_k(access_city):
    settings = access_city.settings
    tables = _person_tables(settings)
    assert "population.persons" in tables and "public_security.household_registry" in tables
    for table, cols in tables.items():
        qis = [c for c in cols if c in CONTROL.quasi_identifiers]
        assert {"birth_date", "sex_code"} <= set(qis), table
        shown = " or ".join(f"{q} is not null" for q in qis)
        cells = run_query(
            "analyst",
            f"select count(*) as n from {table} where {shown} group by {', '.join(qis)} order by n limit 1",
            settings=settings,
        ).rows
        assert not cells or cells[0][0] >= CONTROL.k, (table, cells)
    # the attack's own combination, on the attack's own table
    small = run_query(
        "analyst",
        "select count(*) filter (where n < 5) from (select count(*) as n from population.persons "
        "where birth_date is not null group by birth_date, registered_division_code, sex_code, ethnicity_code)",
        settings=settings,
    ).rows[0][0]
    assert small == 0


def test_no_identifier_is_visible_in_any_form(access_city):
    """No ID number, name, mobile or household number, masked or not; no record key or row number."""
    forbidden = {"citizen_id", "citizen_id_as_given", "person_name", "mobile_phone", "household_number"}
    forbidden |= {"record_key", "source_row_number", "legal_rep_citizen_id", "legal_rep_person_name"}
    for table, cols in role_tables(access_city.settings, "analyst").items():
        if table.startswith("_access."):
            continue
        assert not set(cols) & forbidden, (table, set(cols) & forbidden)
        assert not [c for c in cols if "name" in c and c.startswith(("person", "legal_rep", "holder_legal"))], table


def test_the_risk_report_measures_before_and_after(access_city):
    from typer.testing import CliRunner

    from pipelines.cli import app
    from pipelines.settings import get_settings

    risk = run_query("analyst", "select * from _access.risk", settings=access_city.settings)
    rows = {r[0]: dict(zip(risk.columns, r, strict=True)) for r in risk.rows}
    persons = rows["population.persons"]
    assert persons["k_before"] < CONTROL.k <= persons["k_after"]  # the control did something, and enough
    assert persons["unique_before"] > 0 and persons["unique_after"] == persons["under_k_after"] == 0
    assert 0 < persons["suppressed"] < persons["rows"] / 3  # most people keep their statistics
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVLAKE_DATA_DIR", str(access_city.settings.data_dir))
        mp.setenv("GOVLAKE_PSEUDONYM_KEY", access_city.settings.pseudonym_key.get_secret_value())
        get_settings.cache_clear()
        try:
            shown = CliRunner().invoke(app, ["access", "risk"])
        finally:
            get_settings.cache_clear()
    assert shown.exit_code == 0 and "population.persons" in shown.output


def test_a_table_still_under_k_stops_the_build(access_city, tmp_path, monkeypatch):
    """The check behind the control fails closed: with suppression switched off, the build refuses."""
    from pipelines.access import build as build_module
    from pipelines.access.disclosure import DisclosureRisk

    monkeypatch.setattr(build_module, "suppressed_select", lambda select, names, qis, k: select)
    target = tmp_path / "warehouse_analyst.duckdb"
    with pytest.raises(DisclosureRisk, match=r"rows remain in cells under k = 5"):
        build_module.build_role_warehouse("analyst", access_city.settings, path=target)
    assert not target.exists()

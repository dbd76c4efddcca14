"""The `govlake` command line: help, settings, and the synthetic city's options."""

from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()


def test_help_lists_the_command_groups():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("catalog", "demo", "settings"):
        assert group in result.output


def test_settings_show_derived_locations_and_no_secret(monkeypatch):
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", "do-not-print-me")
    from pipelines.settings import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["settings"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert "lake_root" in result.output and "do-not-print-me" not in result.output


def test_generate_with_rate_overrides(tmp_path):
    result = runner.invoke(
        app,
        ["demo", "generate", "--people", "200", "--out", str(tmp_path), "--no-defects", "--rate", "missing_id=0.5"],
    )
    assert result.exit_code == 0, result.output
    summary = (tmp_path / "truth" / "summary.json").read_text(encoding="utf-8")
    assert '"missing_id": 0.5' in summary and '"bad_check_char": 0.0' in summary


def test_unknown_defect_kind_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["demo", "generate", "--people", "50", "--out", str(tmp_path), "--rate", "typo=0.1"])
    assert result.exit_code == 2
    assert "typo=0.1" in result.output and "KIND=RATE" in result.output


def test_the_demo_lives_a_quarter_that_has_ended_month_by_month():
    from datetime import date

    from pipelines.cli.demo_cmd import quarter_months

    assert quarter_months("2026q3") == [
        (date(2026, 7, 1), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 9, 30)),
    ]
    assert quarter_months("2024Q1")[1] == (date(2024, 2, 1), date(2024, 2, 29))
    for wrong in ("2026Q5", "Q3", "2026-07"):
        result = runner.invoke(app, ["demo", "run", "--quarter", wrong])
        assert result.exit_code == 2 and "expected a quarter such as 2026Q3" in result.output, wrong
    result = runner.invoke(app, ["demo", "run", "--quarter", "2099Q1"])  # the city lives only through past days
    assert result.exit_code == 2 and "has not ended yet" in result.output

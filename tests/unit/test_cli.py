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

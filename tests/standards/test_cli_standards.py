"""`govlake standards check|docs|generate`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.standards.docs import render_docs

runner = CliRunner()


def _csv(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "name,id\n张三,11010519491231002X\n李四,110105194912310021\n王五,不详\n赵六,１１０１０５４９１２３１００２\n钱七,ABC\n",
        encoding="utf-8",
    )
    return path


def test_check_counts_and_masks(tmp_path):
    result = runner.invoke(app, ["standards", "check", str(_csv(tmp_path)), "-c", "id", "-e", "citizen_id", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["rows"], report["missing"]) == (5, 1)
    checks = {c["check"]: c for c in report["checks"]}
    assert (checks["format"]["passed"], checks["format"]["failed"]) == (3, 1)
    assert (checks["check_char"]["passed"], checks["check_char"]["failed"]) == (2, 2)
    assert checks["check_char"]["examples"] == ["110105********0021", "***"]
    assert "110105194912310021" not in result.output  # personal data is never printed unmasked


def test_check_table_output(tmp_path):
    result = runner.invoke(app, ["standards", "check", str(_csv(tmp_path)), "-c", "id", "-e", "citizen_id"])
    assert result.exit_code == 0
    assert "check_char" in result.output and "110105********0021" in result.output


def test_check_refuses_unknown_column_and_element(tmp_path):
    path = _csv(tmp_path)
    assert runner.invoke(app, ["standards", "check", str(path), "-c", "nope", "-e", "citizen_id"]).exit_code == 2
    assert runner.invoke(app, ["standards", "check", str(path), "-c", "id", "-e", "nope"]).exit_code == 2


def test_docs_are_rendered_in_both_languages(tmp_path):
    pages = render_docs(tmp_path)
    zh, en = pages[tmp_path / "zh" / "citizen_id.md"], pages[tmp_path / "en" / "citizen_id.md"]
    assert "公民身份号码" in zh and "规范性" in zh and "Citizen identity number" in en and "conformity" in en
    assert {tmp_path / lang / "index.md" for lang in ("zh", "en")} <= set(pages)

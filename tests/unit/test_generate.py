"""`govlake generate`: every generated file is current, and a drift, a missing file or a file no longer
generated is caught by `--check` and mended by a write."""

from __future__ import annotations

from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.generation import Generator

runner = CliRunner()


def test_every_generated_file_in_the_repository_is_current():
    result = runner.invoke(app, ["generate", "--check"])
    assert result.exit_code == 0, f"run `govlake generate`:\n{result.output}"


def test_check_finds_drift_missing_and_orphaned_files_and_write_mends_them(tmp_path):
    kept, drifted, missing, orphan = (tmp_path / n for n in ("kept.sql", "drifted.sql", "new/missing.sql", "gone.sql"))
    kept.write_text("same\n")
    drifted.write_text("edited by hand\n")
    orphan.write_text("a department no longer catalogued\n")
    rendered = {kept: "same\n", drifted: "rendered\n", missing: "rendered\n"}
    generator = Generator("test", lambda: rendered, lambda: set(tmp_path.rglob("*.sql")))
    assert generator.stale() == sorted([drifted, missing, orphan])
    assert sorted(generator.write()) == sorted([drifted, missing, orphan])
    assert generator.stale() == []
    assert drifted.read_text() == "rendered\n" and missing.read_text() == "rendered\n" and not orphan.exists()

"""Every declaration folder reports its problems the same way: all of them, each as `file:line: message`."""

from __future__ import annotations

import re
import shutil

import pytest

from pipelines.catalog import load_catalog
from pipelines.catalog.subjects import SubjectRulesInvalid, load_subject_rules
from pipelines.paths import CATALOG_DIR, ELEMENTS_DIR
from pipelines.quality.overrides import OverridesInvalid, load_overrides
from pipelines.standards.registry import StandardsInvalid, load_elements
from pipelines.yamlio import DeclarationsInvalid

LINE = re.compile(r"^  \S+\.yml:(\d+): .+$")


def _lines(exc: DeclarationsInvalid) -> list[int]:
    body = str(exc).splitlines()[1:]
    assert body and all(LINE.match(line) for line in body), str(exc)
    return [int(LINE.match(line).group(1)) for line in body]


def test_elements_report_every_bad_file_with_its_line(tmp_path):
    folder = tmp_path / "elements"
    shutil.copytree(ELEMENTS_DIR, folder)
    (folder / "sex_code.yml").write_text((folder / "sex_code.yml").read_text().replace("datatype:", "data_type:"))
    (folder / "uscc.yml").write_text((folder / "uscc.yml").read_text().replace("id: uscc", "id: usc"))
    with pytest.raises(StandardsInvalid) as exc:
        load_elements.__wrapped__(folder)
    assert len(_lines(exc.value)) >= 2 and "differs from file name" in str(exc.value)


def test_overrides_report_the_line_of_a_bad_threshold(tmp_path):
    (tmp_path / "tax.yml").write_text("department: tax\nthresholds:\n  uscc.check_char: 1.5\n", encoding="utf-8")
    with pytest.raises(OverridesInvalid) as exc:
        load_overrides(tmp_path)
    assert _lines(exc.value) == [3]


def test_subject_rules_report_the_line_of_an_unknown_source(tmp_path):
    folder = tmp_path / "subjects"
    shutil.copytree(CATALOG_DIR / "subjects", folder)
    path = folder / "population.yml"
    text = path.read_text(encoding="utf-8").replace("authority: [health/death_records]", "authority: [health/deaths]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SubjectRulesInvalid) as exc:
        load_subject_rules(load_catalog(), folder)
    line = text[: text.index("health/deaths")].count("\n") + 1
    assert _lines(exc.value) == [line]

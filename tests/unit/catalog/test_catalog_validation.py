"""The real catalogue validates; every kind of mistake is reported with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.catalog import CatalogInvalid, field_sensitivity, load_catalog, validate_catalog
from pipelines.catalog.models import SharingClass
from pipelines.cli import app
from pipelines.paths import CATALOG_DIR
from pipelines.standards.registry import Sensitivity


def test_real_catalogue_is_valid():
    catalog = load_catalog()
    assert set(catalog.departments) == {
        "public_security",
        "market_regulation",
        "health",
        "civil_affairs",
        "hr_social_security",
        "tax",
    }
    assert len(catalog.resources()) == 9
    classes = {r.sharing.class_ for _, r in catalog.resources()}
    assert classes == set(SharingClass)  # the demo exercises all three sharing classes


def test_field_sensitivity_defaults_to_the_element_and_can_be_overridden():
    res = load_catalog().resource("public_security", "household_registry")
    fields = {f.name: f for f in res.fields}
    assert field_sensitivity(fields["gmsfhm"]) is Sensitivity.SENSITIVE_PERSONAL
    assert field_sensitivity(fields["csrq"]) is Sensitivity.PERSONAL  # a date, overridden as a birth date


def _mutated(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the real catalogue with one edit."""
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def _line_of(folder: Path, file: str, anchor: str) -> int:
    """1-based line of the last occurrence of `anchor` in the edited file."""
    text = (folder / file).read_text(encoding="utf-8")
    return text[: text.rindex(anchor)].count("\n") + 1


# case: (file, old text, new text, message fragment, text on the line the problem must point at)
BAD_CASES = {
    "unknown data element": (
        "health.yml",
        "element: person_name, party: newborn, required: true}",
        "element: persons_name, party: newborn, required: true}",
        "unknown data element 'persons_name'",
        "{name: 新生儿姓名, element: persons_name",
    ),
    "not shared without legal basis": (
        "tax.yml",
        "      legal_basis: 《中华人民共和国税收征收管理法》第八条：税务机关应当依法为纳税人、扣缴义务人的情况保密。\n",
        "      legal_basis: ''\n",
        "不予共享) must cite its legal basis",
        "    sharing:",
    ),
    "conditional without conditions": (
        "civil_affairs.yml",
        "      conditions: 用于婚姻状况核验，不得用于其他目的 (marital-status verification only).\n",
        "      conditions:\n",
        "有条件共享) must state its conditions",
        "    sharing:\n      class: conditional\n      conditions:\n",
    ),
    "duplicate resource code": (
        "health.yml",
        'code: "101003/00001"',
        'code: "101002/00001"',
        "duplicate resource code '101002/00001'",
        'code: "101002/00001"',
    ),
    "unknown department": (
        "public_security.yml",
        "shared_with: [health,",
        "shared_with: [helth,",
        "unknown department 'helth'",
        "shared_with: [helth,",
    ),
    "bad update cycle": (
        "tax.yml",
        "update_cycle: monthly",
        "update_cycle: fortnightly",
        "update_cycle: Input should be",
        "update_cycle: fortnightly",
    ),
    "observed_on not a column": (
        "tax.yml",
        "observed_on: registered_on",
        "observed_on: registration_date",
        "observed_on 'registration_date' is not a staging column of this resource",
        '  - code: "102003/00001"',
    ),
    "observed_on not a date": (
        "tax.yml",
        "observed_on: registered_on",
        "observed_on: entity_name",
        "observed_on 'entity_name' is field '纳税人名称' of element 'org_name', which is not a date or time",
        "observed_on: entity_name",
    ),
    "changed_at not a date": (
        "market_regulation.yml",
        "delivery: {semantics: snapshot, changed_at: updated_at, full_snapshot_every: 7}",
        "delivery: {semantics: snapshot, changed_at: entity_name, full_snapshot_every: 7}",
        "delivery.changed_at 'entity_name' is field",
        "delivery: {semantics: snapshot, changed_at: entity_name",
    ),
    "unknown delivery semantics": (
        "civil_affairs.yml",
        "delivery: {semantics: increment}",
        "delivery: {semantics: append}",
        "semantics: Input should be 'snapshot', 'increment' or 'changes'",
        "delivery: {semantics: append}",
    ),
    "changes feed without operation": (
        "civil_affairs.yml",
        "delivery: {semantics: increment}",
        "delivery: {semantics: changes, changed_at: established_on}",
        "a `changes` feed, and only it, declares its `operation` column",
        '  - code: "102002/00001"',
    ),
    "watermark table without full snapshots": (
        "public_security.yml",
        "delivery: {semantics: snapshot, changed_at: updated_at, full_snapshot_every: 7}",
        "delivery: {semantics: snapshot, changed_at: updated_at}",
        "declares `full_snapshot_every`",
        '  - code: "101001/00001"',
    ),
    "malformed yaml": (
        "health.yml",
        "      class: conditional\n      conditions: 用于户口登记",
        "      class: [conditional\n      conditions: 用于户口登记",
        "malformed YAML",
        "      conditions: 用于户口登记",
    ),
    "bad resource code": (
        "tax.yml",
        'code: "102003/00001"',
        'code: "TAX-1"',
        "code: String should match pattern",
        'code: "TAX-1"',
    ),
    "department file mismatch": (
        "tax.yml",
        "  code: tax\n",
        "  code: taxes\n",
        "differs from file name 'tax'",
        "  code: taxes",
    ),
    "duplicate key": (
        "tax.yml",
        "    update_cycle: monthly\n",
        "    update_cycle: monthly\n    update_cycle: daily\n",
        "duplicate key 'update_cycle'",
        "    update_cycle: daily",
    ),
    "two record keys": (
        "tax.yml",
        "{name: 纳税人识别号, element: uscc, required: true}",
        "{name: 纳税人识别号, element: uscc, required: true, key: true}",
        "exactly one field must be the record key",
        '  - code: "102003/00001"',
    ),
    "missing summary": (
        "tax.yml",
        "    summary: 单位纳税人税务登记信息。\n",
        "",
        "summary: Field required",
        '  - code: "102003/00001"',
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES), ids=list(BAD_CASES))
def test_each_bad_case_is_reported_with_file_and_line(tmp_path, case):
    file, old, new, message, anchor = BAD_CASES[case]
    folder = _mutated(tmp_path, file, old, new)
    catalog, problems = validate_catalog(folder)
    assert catalog is None
    hits = [p for p in problems if message in p.message]
    assert hits, [str(p) for p in problems]
    assert hits[0].path.name == file
    assert hits[0].line == _line_of(folder, file, anchor), str(hits[0])
    with pytest.raises(CatalogInvalid):
        load_catalog(folder)


def test_aliases_and_oversized_files_are_refused(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    (folder / "bomb.yml").write_text("a: &a [x, x]\nb: [*a, *a]\n", encoding="utf-8")
    (folder / "huge.yml").write_text("# padding\n" * 200_000, encoding="utf-8")
    _, problems = validate_catalog(folder)
    messages = {p.path.name: p.message for p in problems}
    assert "aliases are not allowed" in messages["bomb.yml"]
    assert "larger than" in messages["huge.yml"]


def test_cli_reports_problems_and_exits_non_zero(tmp_path):
    folder = _mutated(
        tmp_path, "health.yml", "element: person_name, required: true}", "element: nobody, required: true}"
    )
    line = _line_of(folder, "health.yml", "element: nobody")
    result = CliRunner().invoke(app, ["catalog", "validate", "--dir", str(folder)])
    assert result.exit_code == 1
    assert f"health.yml:{line}:" in result.output and "unknown data element 'nobody'" in result.output
    ok = CliRunner().invoke(app, ["catalog", "validate"])
    assert ok.exit_code == 0 and "catalogue valid" in ok.output

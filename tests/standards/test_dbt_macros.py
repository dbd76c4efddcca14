"""The generated dbt macros are current, and `dbt build` with them on DuckDB gives the Python results."""

from __future__ import annotations

import csv
import json
import shutil

import duckdb
import pytest

from pipelines.paths import DBT_PROJECT_DIR
from pipelines.standards import dbt_macros
from pipelines.standards.evaluate import with_python
from pipelines.standards.registry import load_elements, load_rules
from pipelines.standards.samples import samples

ELEMENTS = ["citizen_id", "uscc", "person_name", "date", "mobile_phone", "licence_id", "sex_code", "industry_code"]
N = 2_000


def test_every_element_check_and_rule_has_a_macro():
    text = dbt_macros.MACROS_FILE.read_text(encoding="utf-8")
    for element_id, element in load_elements().items():
        assert f"macro duckdb__std_normalise__{element_id}(col)" in text
        assert f"macro default__std_normalise__{element_id}(col)" in text
        for check in element.checks:
            assert f"macro duckdb__std_check__{element_id}__{check.id}(col)" in text
    for rule in load_rules():
        assert f"macro default__std_rule__{rule.id}(left, right)" in text


@pytest.mark.slow
def test_dbt_build_applies_the_standards_like_python(tmp_path, monkeypatch):
    from dbt.cli.main import dbtRunner

    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    values = {e: samples(e, N, seed=3) for e in ELEMENTS}
    for folder in ("seeds", "models"):  # empty folders are not in a clone
        (project / folder).mkdir(exist_ok=True)
    with (project / "seeds" / "std_samples.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["element", "i", "value"])
        for e, vs in values.items():
            w.writerows([e, i, "" if v is None else v] for i, v in enumerate(vs))
    (project / "seeds" / "std_samples.yml").write_text(
        "seeds:\n  - name: std_samples\n    config:\n      column_types: {element: varchar, i: integer, value: varchar}\n"
        "      quote_columns: false\n"
    )
    model = ["{{ config(materialized='table') }}"]
    for e in ELEMENTS:
        checks = ", ".join(f"{{{{ std_check('{e}', '{c.id}', 'n') }}}} as c_{c.id}" for c in load_elements()[e].checks)
        model.append(
            f"select element, i, n, to_json(struct_pack({', '.join(f'{c.id} := c_{c.id}' for c in load_elements()[e].checks)})) as checks "
            f"from (select element, i, n, {checks} from (select element, i, {{{{ std_normalise('{e}', 'value') }}}} as n "
            f"from {{{{ ref('std_samples') }}}} where element = '{e}'))"
        )
    (project / "models" / "std_samples_checked.sql").write_text(model[0] + "\n" + "\nunion all\n".join(model[1:]))
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("GOVLAKE_WAREHOUSE", str(warehouse))
    # only this test's seed and model, and the code table the checks look codes up in: the project's own
    # models read a lake this test does not have
    args = ["build", "--select", "std_samples", "standard_codes", "std_samples_checked", "--project-dir", str(project)]
    result = dbtRunner().invoke([*args, "--profiles-dir", str(project), "--quiet"])
    assert result.success, result.exception

    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute("select element, i, n, checks from std_samples_checked").fetchall()
    got = {(e, i): (n, json.loads(c)) for e, i, n, c in rows}
    for e, vs in values.items():
        # CSV seeds cannot tell an empty string from NULL: both arrive as NULL
        expected = with_python(e, [v if v not in ("", None) else None for v in vs])
        for i, (n, checks) in enumerate(expected):
            assert got[(e, i)] == (n, checks), (e, vs[i], got[(e, i)], (n, checks))

"""Onboarding a department is one catalogue entry, its role line and `govlake generate`: a seventh
department's records then reach the subject database with nothing else edited.

The project's declaration folders are copied, the fixture entry added, and the platform run on the copy
(`GOVLAKE_PROJECT_DIR`) through the CLI, as a data engineer would."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.paths import DECLARATION_DIRS, REPO_ROOT

pytestmark = pytest.mark.slow

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "onboarding" / "education.yml"
ROLE_LINE = """  education:
    kind: department
    department: education
    name: {zh: 市教育局, en: Education}
"""
STUDENTS = 40


def _govlake(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    govlake = Path(sys.executable).parent / "govlake"
    return subprocess.run([str(govlake), *args], env=env, capture_output=True, text=True, check=False)


def _project_copy(root: Path) -> Path:
    project = root / "project"
    for name in DECLARATION_DIRS:
        shutil.copytree(
            REPO_ROOT / name, project / name, ignore=shutil.ignore_patterns("target", "logs", "__pycache__")
        )
    return project


def _students(city: Path) -> list[dict[str, str]]:
    """Children of the city's household registry, as the education bureau would record them."""
    with sqlite3.connect(city / "public_security" / "hukou.sqlite") as con:
        rows = con.execute(
            "select gmsfhm, xm, xb, csrq from rk_hjxx where csrq >= '2008' and length(gmsfhm) = 18 "
            f"order by xh limit {STUDENTS}"
        ).fetchall()
    return [
        {
            "学籍号": f"G{i:08d}",
            "学生姓名": name,
            "身份证件号": cid,
            "性别": sex,
            "出生日期": born,
            "入学日期": "2024-09-01",
        }
        for i, (cid, name, sex, born) in enumerate(rows, 1)
    ]


def test_a_seventh_department_reaches_the_subject_database(tmp_path):
    project = _project_copy(tmp_path)
    env = {
        **os.environ,
        "GOVLAKE_PROJECT_DIR": str(project),
        "GOVLAKE_DATA_DIR": str(tmp_path / "data"),
        "GOVLAKE_SOURCE_ROOT": str(tmp_path / "city"),
    }
    city = tmp_path / "city"
    generated = _govlake(
        env, "demo", "generate", "--people", "300", "--seed", "11", "--periods", "1", "--no-defects", "--out", str(city)
    )
    assert generated.returncode == 0, generated.stderr

    # (a) the one catalogue entry and its role line
    shutil.copy(FIXTURE, project / "catalog" / "education.yml")
    with (project / "catalog" / "access" / "roles.yml").open("a", encoding="utf-8") as roles:
        roles.write(ROLE_LINE)
    stale = _govlake(env, "generate", "--check")
    assert stale.returncode == 1 and "stg_education__student_enrolments.sql" in stale.stderr, stale.stderr
    assert _govlake(env, "generate").returncode == 0
    assert _govlake(env, "generate", "--check").returncode == 0
    assert (project / "dags" / "ingest_education.py").exists()

    # the department's first delivery
    students = _students(city)
    assert len(students) == STUDENTS
    drop = city / "education" / "enrolments" / "enrolments_2024-09.csv"
    drop.parent.mkdir(parents=True)
    with drop.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(students[0]))
        writer.writeheader()
        writer.writerows(students)

    ingested = _govlake(env, "ingest")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    built = _govlake(env, "build")
    assert built.returncode == 0, built.stdout + built.stderr

    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        linked = con.execute(
            """
            select s.record_key, p.citizen_id, r.observed_on
            from population.person_sources s
            join population.persons p using (person_id)
            join intermediate.int_person_records_unioned r using (source_record_id)
            where s.department = 'education' and s.resource = 'student_enrolments'
            """
        ).fetchall()
    assert len(linked) == STUDENTS  # every record, none dropped, none doubled
    by_key = {key: (cid, observed) for key, cid, observed in linked}
    for s in students:
        cid, observed = by_key[s["学籍号"]]
        assert cid == s["身份证件号"]  # joined the person the household registry knows
        assert str(observed) == "2024-09-01"  # the catalogue's observed_on, not NULL

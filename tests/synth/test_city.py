"""The synthetic city: formats, determinism, defect rates, ground truth, and validity per an independent oracle."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import httpx
import pytest
from opencc import OpenCC
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

from pipelines.catalog import load_catalog
from pipelines.synth.api import start_api_server
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from pipelines.synth.vocab import PLACEHOLDERS
from tests.synth.sources import read_resource, read_truth

FULL_WIDTH_DIGITS = set("０１２３４５６７８９")
ID_FIELDS = {
    (d.code, r.slug): [f.name for f in r.fields if f.element == "citizen_id"] for d, r in load_catalog().resources()
}
ALL_ID_FIELDS = {name for fields in ID_FIELDS.values() for name in fields}
USCC_FIELDS = {
    (d.code, r.slug): [f.name for f in r.fields if f.element == "uscc"] for d, r in load_catalog().resources()
}


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_sources(tmp_path):
    cfg = CityConfig(people=400, seed=11)
    generate_city(cfg, tmp_path / "a")
    generate_city(cfg, tmp_path / "b")
    a, b = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b")
    assert len(a) > 20 and a == b
    generate_city(cfg.model_copy(update={"seed": 12}), tmp_path / "c")
    assert tree_digest(tmp_path / "c") != a


def test_every_department_writes_its_own_format(small_city):
    city, summary = small_city
    births = sorted((city / "health" / "births").glob("births_????-??.csv"))
    raw = births[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # GB18030, not UTF-8
    assert raw.decode("gb18030").startswith("出生医学证明编号,")
    taxpayers = sorted((city / "tax" / "taxpayers").glob("taxpayers_????-??.csv"))
    assert taxpayers[0].read_bytes().startswith(b"\xef\xbb\xbf")
    con = sqlite3.connect(city / "public_security" / "hukou.sqlite")
    assert (
        con.execute("select count(*) from rk_hjxx").fetchone()[0]
        == summary["records"]["public_security/household_registry"]
    )
    marriages = read_resource(city, "civil_affairs", "marriage_registrations")
    dates = [r["登记日期"] for r in marriages.values()]
    assert sum(hasattr(d, "year") for d in dates) > 0.95 * len(dates)  # Excel serial dates, read back as dates
    for dept_resource, n in summary["records"].items():
        dept, resource = dept_resource.split("/")
        assert len(read_resource(city, dept, resource)) == n, dept_resource


def test_ningbo_division_codes_are_real(small_city):
    city, _ = small_city
    counties = Counter(p["county"] for p in read_truth(city, "persons") if p["in_city"] == "1")
    loc = numdb.get("cn/loc")
    assert set(counties) <= {
        "330203",
        "330205",
        "330206",
        "330211",
        "330212",
        "330213",
        "330225",
        "330226",
        "330281",
        "330282",
    }
    for code in counties:
        assert loc.info(code)[-1][1]["county"], code


def test_truth_names_the_true_subject_of_every_record(small_city):
    city, _ = small_city
    truth = defaultdict(set)
    for r in read_truth(city, "records"):
        truth[(r["department"], r["resource"])].add(r["record_key"])
    for dept, res in load_catalog().resources():
        keys = set(read_resource(city, dept.code, res.slug))
        assert keys == truth[(dept.code, res.slug)], res.slug
    people = {p["person_id"] for p in read_truth(city, "persons")}
    entities = {e["entity_id"] for e in read_truth(city, "entities")}
    for r in read_truth(city, "records"):
        assert r["true_id"] in (
            people if r["kind"] == "person" else entities if r["kind"] == "entity" else {r["true_id"]}
        )


def test_injected_defect_rates_match_the_configuration(small_city):
    city, summary = small_city
    logged = Counter(d["defect"] for d in read_truth(city, "defects"))
    for kind, s in summary["defects"].items():
        n, p = s["eligible"], s["configured"]
        assert logged[kind] == s["injected"], kind
        if n == 0 or p in (0, 1):
            continue
        sigma = math.sqrt(n * p * (1 - p))
        assert abs(s["injected"] - n * p) <= 4.5 * sigma + 1, (kind, s)
    assert all(summary["defects"][k]["injected"] > 0 for k in summary["defects"] if k != "licence_lifecycle")


def test_clean_city_has_no_defects(tmp_path):
    from pipelines.synth.config import DefectRates

    summary = generate_city(CityConfig(people=300, rates=DefectRates.none(), malformed_files=False), tmp_path)
    assert all(s["injected"] == 0 for s in summary["defects"].values())
    assert read_truth(tmp_path, "defects") == []


def test_a_departments_profile_scales_its_defects_in_what_it_holds_and_delivers(tmp_path):
    """A department's quality profile multiplies every defect rate, in the records generated and in what
    it delivers as the city lives: three times the city's rate for public security, none for tax (the
    same seed's city without profiles as the baseline); the lived days' deliveries carry the profiled
    departments' defects, logged in the truth; the defects it logs are really in the delivered files."""
    import csv

    from pipelines.synth.config import DepartmentProfile
    from pipelines.synth.timeline import LivingCity

    profiles = {"public_security": DepartmentProfile(defects=3.0), "tax": DepartmentProfile(defects=0.0),
                "health": DepartmentProfile(defects=5.0)}  # fmt: skip
    counts = {}
    for name, config in {
        "plain": CityConfig(people=2_000, seed=5),
        "profiled": CityConfig(people=2_000, seed=5, profiles=profiles),
    }.items():
        generate_city(config, tmp_path / name)
        counts[name] = Counter(d["department"] for d in read_truth(tmp_path / name, "defects"))
    assert counts["profiled"]["tax"] == 0 < counts["plain"]["tax"]
    assert 2.4 <= counts["profiled"]["public_security"] / counts["plain"]["public_security"] <= 3.6
    assert 0.75 <= counts["profiled"]["hr_social_security"] / counts["plain"]["hr_social_security"] <= 1.33

    generated = len(read_truth(tmp_path / "profiled", "defects"))
    city = LivingCity(tmp_path / "profiled", 5, date(2026, 11, 1))
    city.live(70)  # through December's health file and the fourth quarter's marriages (5 January)
    city.close()
    lived = read_truth(tmp_path / "profiled", "defects")[generated:]
    assert lived and {d["department"] for d in lived} <= {"health", "civil_affairs"}  # tax: none; ps: not a file
    births = {}
    for path in (tmp_path / "profiled" / "health" / "births").glob("births_2026-1[012].csv"):
        with path.open(encoding="gb18030", newline="") as f:
            births |= {r["出生医学证明编号"]: r for r in csv.DictReader(f)}
    for d in lived:
        if d["resource"] == "birth_records" and d["defect"] == "missing_required":
            assert births[d["record_key"]][d["field"]] == "", d


def _valid_ric(value: str) -> bool:
    """python-stdnum as oracle, minus its birth-year coupling (reference §1.5): an address code that
    existed at some time is accepted even if stdnum thinks it was not valid in the birth year."""
    try:
        ric.validate(value)
        return True
    except InvalidComponent:
        info = numdb.get("cn/loc").info(value[:6])
        return bool(info[-1][1]) and ric.calc_check_digit(value) == value[-1] and bool(ric.get_birth_date(value))
    except Exception:
        return False


def test_uncorrupted_ids_and_credit_codes_are_valid_per_python_stdnum(small_city):
    city, _ = small_city
    defective = {(d["department"], d["resource"], d["record_key"], d["field"]) for d in read_truth(city, "defects")}
    checked = Counter()
    for (dept, resource), id_fields in ID_FIELDS.items():
        fields = id_fields + USCC_FIELDS[(dept, resource)]
        rows = read_resource(city, dept, resource)
        for key, row in rows.items():
            for field in fields:
                value = row.get(field)
                if not value or (dept, resource, key, field) in defective:
                    continue
                if field in ID_FIELDS[(dept, resource)]:
                    assert _valid_ric(str(value)), (dept, resource, field)
                    checked["ric"] += 1
                else:
                    assert uscc.is_valid(str(value)), (dept, resource, field)
                    checked["uscc"] += 1
    assert checked["ric"] > 5_000 and checked["uscc"] > 500


def test_recorded_defects_are_really_in_the_sources(small_city):
    city, _ = small_city
    t2s = OpenCC("t2s")
    sources = {(d.code, r.slug): read_resource(city, d.code, r.slug) for d, r in load_catalog().resources()}
    seen = Counter()
    for d in read_truth(city, "defects"):
        row = sources[(d["department"], d["resource"])][d["record_key"]]
        if d["field"] == "*":
            continue
        value = row[d["field"]]
        text = "" if value is None else str(value)
        kind = d["defect"]
        if kind in ("missing_id", "missing_required"):
            assert text == "", d
        elif kind == "legacy_15_digit":
            assert len(text) == 15 and text.translate(str.maketrans("０１２３４５６７８９", "0123456789")).isdigit(), d
        elif kind == "full_width_digits":
            assert FULL_WIDTH_DIGITS & set(text), d
        elif kind == "placeholder":
            assert text in PLACEHOLDERS or text == "", d
        elif kind == "traditional_chars":
            assert t2s.convert(text) != text, d
        elif kind == "bad_check_char" and d["field"] in ALL_ID_FIELDS:
            normal = text.translate(str.maketrans("０１２３４５６７８９", "0123456789")).upper()
            assert len(normal) == 18 and not _valid_ric(normal), d
        elif kind == "bad_check_char":
            assert not uscc.is_valid(text), d
        elif kind == "impossible_date":
            assert not hasattr(value, "year"), d  # not a real date (xlsx) or a string that is not one
        seen[kind] += 1
    assert len(seen) >= 8


def test_dormant_resource_and_delivery_gaps_are_in_the_truth(small_city):
    city, summary = small_city
    deliveries = read_truth(city, "deliveries")
    status = {(d["department"], d["resource"], d["period"]): d["status"] for d in deliveries if not d["file"]}
    periods = summary["periods"]
    assert [status[("civil_affairs", "social_organisations", p)] for p in periods] == [
        "delivered",
        "missing",
        "missing",
    ]
    assert status[("health", "death_records", periods[1])] == "missing"
    files = sorted(p.name for p in (city / "civil_affairs" / "social_organisations").glob("*.xlsx"))
    assert files == [f"social_orgs_{periods[0]}.xlsx"]
    malformed = [d for d in deliveries if d["status"].startswith("malformed")]
    assert {d["status"] for d in malformed} == {
        "malformed:truncated",
        "malformed:corrupt_zip",
        "malformed:mixed_encoding",
    }
    mixed = next(city.rglob("*_mixed.csv")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        mixed.decode("utf-8")


def test_hr_api_serves_paginated_json_with_a_token(small_city):
    city, summary = small_city
    folder = city / "hr_social_security" / "enrolments"
    server, _ = start_api_server(folder, token="t0ken")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert httpx.get(f"{base}/api/v1/periods").status_code == 401
        auth = {"Authorization": "Bearer t0ken"}
        periods = httpx.get(f"{base}/api/v1/periods", headers=auth).json()
        assert periods == summary["periods"]
        total = 0
        for period in periods:
            page, pages = 1, None
            while pages is None or page <= pages:
                body = httpx.get(
                    f"{base}/api/v1/enrolments", params={"period": period, "page": page}, headers=auth
                ).json()
                pages = body["total_pages"]
                total += len(body["data"])
                page += 1
        assert total == summary["records"]["hr_social_security/social_insurance_enrolments"]
        assert httpx.get(f"{base}/api/v1/enrolments", params={"period": "1999-01"}, headers=auth).status_code == 404
        assert (
            httpx.get(f"{base}/api/v1/enrolments", params={"period": "x", "page": "y"}, headers=auth).status_code == 400
        )
    finally:
        server.shutdown()


def test_dates_are_consistent_with_ages(small_city):
    city, summary = small_city
    as_of = date.fromisoformat(summary["config"]["as_of"])
    for p in read_truth(city, "persons"):
        birth = date.fromisoformat(p["birth_date"])
        assert date(1900, 1, 1) < birth < as_of
        if p["death_date"]:
            assert birth < date.fromisoformat(p["death_date"]) < as_of
    for e in read_truth(city, "licences"):
        assert e["issued_on"] < e["expires_on"]
    json.dumps(summary)  # the summary is plain JSON

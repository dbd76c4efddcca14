"""The published scorecard site in headless Chromium (Debian's, driven by Playwright): every page renders
without console errors from file:// and through `govlake serve`, screenshots are taken, and the numbers
shown equal those in the results store. Then a scan of every file for unmasked personal data."""

from __future__ import annotations

import csv
import re
import threading
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("quality")]

CHROMIUM = "/usr/bin/chromium"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


@pytest.fixture(scope="module")
def site(quality_city):
    settings, _, _, _, site = quality_city
    return settings, site


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make setup` installs Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _open(browser, url: str, shot: Path | None = None):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.goto(url, wait_until="load")
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    return page, errors


def test_every_page_renders_from_file_without_console_errors(site, browser, tmp_path_factory):
    _, root = site
    shots = tmp_path_factory.mktemp("screenshots")
    pages = _pages(root)
    assert len(pages) >= 2 * 8  # two languages: league table, standards, six departments
    for path in pages:
        page, errors = _open(browser, path.as_uri(), shots / (str(path.relative_to(root)).replace("/", "_") + ".png"))
        assert errors == [], (path, errors)
        assert page.locator("h1").count() == 1 or path == root / "index.html"
        page.close()
    assert len(list(shots.glob("*.png"))) == len(pages)


def test_the_league_table_shows_the_stored_scorecards(site, browser):
    settings, root = site
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stored = {
            (d, p): (score, rank, passing)
            for d, p, score, rank, passing in con.execute(
                "select department, period, overall_score, rank_in_period, is_passing from quality.department_scorecards"
            ).fetchall()
        }
    for lang in ("zh", "en"):
        page, _ = _open(browser, (root / lang / "index.html").as_uri())
        rows = page.locator("table.league tbody tr")
        shown = {}
        for i in range(rows.count()):
            row = rows.nth(i)
            key = (row.get_attribute("data-department"), row.get_attribute("data-period"))
            cell = row.locator("[data-field=overall_score]")
            value = cell.get_attribute("data-value")
            shown[key] = (float(value) if value else None, cell.inner_text())
            assert int(row.locator("[data-field=rank_in_period]").inner_text()) == stored[key][1]
        assert set(shown) == set(stored)
        for key, (value, text) in shown.items():
            assert value == pytest.approx(stored[key][0], abs=1e-12) and text == _pct(stored[key][0])  # None == None
        page.close()


def test_department_pages_show_the_stored_rule_results(site, browser):
    settings, root = site
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stored = {
            (d, res, col or "", rule): (checked, failing)
            for d, res, col, rule, checked, failing in con.execute(
                """select department, resource, column_name, rule, sum(element_count), sum(unexpected_count)
                   from quality.fct_quality_results group by all"""
            ).fetchall()
        }
        latest = dict(
            con.execute(
                """select department, overall_score from quality.department_scorecards
                   qualify row_number() over (partition by department order by period desc) = 1"""
            ).fetchall()
        )
    for department, score in latest.items():
        page, _ = _open(browser, (root / "en" / "departments" / f"{department}.html").as_uri())
        assert page.locator(".summary [data-field=overall_score]").inner_text() == _pct(score)
        rows = page.locator("table.rules tbody tr")
        assert rows.count() == sum(1 for k in stored if k[0] == department)
        for i in range(rows.count()):
            row = rows.nth(i)
            key = (
                department,
                row.get_attribute("data-resource"),
                row.get_attribute("data-column"),
                row.get_attribute("data-rule"),
            )
            checked = int(row.locator("[data-field=checked]").inner_text())
            failing = int(row.locator("[data-field=failing]").inner_text())
            assert (checked, failing) == stored[key], key
        assert page.locator("svg.chart").count() == 2
        page.close()


def test_the_site_is_served_over_http(site, browser):
    from pipelines.publish.serve import make_server

    _, root = site
    server = make_server(root, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        page, errors = _open(browser, f"{base}/")
        page.wait_for_url(re.compile(r".*/zh/index\.html$"))
        assert errors == [] and "部门排名" in page.inner_text("h1")
        page.locator("a[hreflang=en]").click()
        assert page.inner_text("h1") == "League table"
        response = page.request.get(f"{base}/data/index.json")
        assert response.ok and response.json()["league_tables"]
        page.close()
    finally:
        server.shutdown()


def test_the_site_is_aggregate_counts_without_record_keys_or_samples(site):
    """Each department's page counts its failing records; no file of the site names one of them (no record
    key, no masked sample): those are in the department's own warehouse only."""
    import json

    settings, root = site
    index = json.loads((root / "data" / "index.json").read_text(encoding="utf-8"))
    departments = {c["department"] for t in index["league_tables"] for c in t["departments"]}
    from pipelines.quality.validate import failing_keys_root

    failing = duckdb.sql(
        f"select department, resource, load_id, column_name, rule, record_key "
        f"from read_parquet('{failing_keys_root(settings)}/*/*.parquet')"
    ).fetchall()
    counts: dict[str, int] = {}
    for department, *_ in set(failing):
        counts[department] = counts.get(department, 0) + 1
    for department in departments:
        page = json.loads((root / "data" / "departments" / f"{department}.json").read_text(encoding="utf-8"))
        assert page["failing_key_count"] == counts.get(department, 0)
    keys = {k for *_, k in failing if k and len(k) >= 6}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        samples = {
            v
            for (text,) in con.execute("select masked_samples from quality.fct_quality_results").fetchall()
            for v in json.loads(text)
            if v and len(v) >= 4 and "*" in v
        }
    assert len(keys) > 100 and len(samples) > 20  # the city fails somewhere: the scan below can find something
    for path in (p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".csv", ".js")):
        text = path.read_text(encoding="utf-8")
        assert not [k for k in keys if k in text], path
        assert not [v for v in samples if v in text], path


def test_no_file_of_the_site_holds_unmasked_personal_data(site, built_city):
    """Every file under site/: no 18- or 15-digit ID number, no mobile number, no full name of anyone in
    the city (the masked forms 张* and 330206********123X are what may appear)."""
    _, root = site
    city = built_city
    names = set()
    with (city / "truth" / "persons.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if len(row["name"]) >= 2:
                names.add(row["name"])
    assert len(names) > 1000
    from tests.pii import UNMASKED_PERSONAL_NUMBER as pattern

    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) >= 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        hits = pattern.findall(text)
        assert not hits, (path, hits[:3])
        found = [n for n in names if n in text]
        assert not found, (path, found[:3])

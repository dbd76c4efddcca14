"""Screenshots of Airflow's UI for the README, taken in a real browser on a real run.

Starts `govlake airflow`'s components (scheduler, DAG processor, triggerer, API server on loopback) on a
small city in a folder of its own, unpauses the DAGs (each ingest DAG runs its latest interval), waits
for the asset chain ingest → build → score → access, then opens the UI in Debian's Chromium (Playwright)
and saves the day's runs, the build DAG, a subject's asset graph and the warehouse pool to `docs/img/`. Run:
`.venv/bin/python docs/airflow_screenshots.py`.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipelines.catalog import load_catalog
from pipelines.orchestration.airflow_api import AirflowAPI
from pipelines.orchestration.airflow_local import local_airflow
from pipelines.paths import DAGS_DIR, REPO_ROOT
from pipelines.synth.api import start_api_server
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig

CHROMIUM = "/usr/bin/chromium"
OUT = REPO_ROOT / "docs" / "img"
DOWNSTREAM = ("build_subject_databases", "publish_quality_scorecards", "build_access_warehouses")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chain_done(api: AirflowAPI, dag_ids: list[str]):
    runs = {d: api.runs(d) for d in dag_ids}
    busy = [r for rs in runs.values() for r in rs if r["state"] not in ("success", "failed")]
    scored = any(r["state"] == "success" for r in runs["publish_quality_scorecards"])
    built = sum(r["state"] == "success" for r in runs["build_access_warehouses"]) >= 2
    return runs if scored and built and not busy else None


def _screenshots(url: str, password: str, out: Path, pages: dict[str, str]) -> list[Path]:
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/auth/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: "/auth/login" not in u)  # a page opened while login redirects is aborted
        page.wait_for_load_state("networkidle")
        for name, path in pages.items():
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(3_000)  # the graph lays itself out after the data arrives
            shot = out / f"{name}.png"
            page.screenshot(path=str(shot))
            shots.append(shot)
        browser.close()
    return shots


def main() -> int:
    import json

    root = Path(tempfile.mkdtemp(prefix="govlake-airflow-"))
    city = root / "city"
    generate_city(CityConfig(people=300, seed=11), city)
    server, _ = start_api_server(city / "hr_social_security" / "enrolments", token="tkn")
    environment = {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GOVLAKE_DATA_DIR": str(root / "data"),
        "GOVLAKE_SOURCE_ROOT": str(city),
        "GOVLAKE_SRC_HR_SOCIAL_SECURITY_API": f"http://127.0.0.1:{server.server_address[1]}",
        "GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN": "tkn",
        "GOVLAKE_PSEUDONYM_KEY": "screenshots-only-key-" + "0123456789abcdef" * 2,
        "GOVLAKE_BUILD_WAIT_MINUTES": "20",
    }
    ingest = sorted(f"ingest_{d}" for d in load_catalog().departments)
    try:
        with local_airflow(port=_free_port(), overrides=environment) as airflow:
            api = AirflowAPI(airflow.url, airflow.password_file)
            api.wait_for_dags({*ingest, *DOWNSTREAM})
            for dag_id in DOWNSTREAM:
                api.unpause(dag_id)
            for dag_id in ingest:
                api.unpause(dag_id)
            api.wait(lambda: _chain_done(api, [*ingest, *DOWNSTREAM]), "the asset chain", timeout=900, every=5)
            password = json.loads(airflow.password_file.read_text())["admin"]
            OUT.mkdir(parents=True, exist_ok=True)
            assets = {a["name"]: a["id"] for a in api.get("/assets", limit=100)["assets"]}
            pages = {  # the README shows these
                "airflow-runs": "/dag_runs",
                "airflow-build-dag": "/dags/build_subject_databases",
                # one subject's asset: the graph from the ingest assets through the build to the scoring
                "airflow-assets": f"/assets/{assets['subject.population']}",
                "airflow-pools": "/pools",
            }
            for shot in _screenshots(airflow.url, password, OUT, pages):
                print(shot)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

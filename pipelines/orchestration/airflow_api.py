"""A small client of Airflow's REST API (v2), as a data engineer drives a running Airflow: wait for
the DAGs to be parsed, unpause, trigger, follow runs and asset events. Used by the scheduler test and
by anyone scripting `govlake airflow`; standard library only."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


class AirflowAPI:
    def __init__(self, url: str, password_file: Path, user: str = "admin") -> None:
        self.url = url.rstrip("/")
        password = json.loads(password_file.read_text())[user]
        login = self._call("POST", "/auth/token", {"username": user, "password": password}, token=None)
        self.token = login["access_token"]

    def _call(self, method: str, path: str, body: dict | None = None, token: str | None = "self") -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token == "self":
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}") from None

    def get(self, path: str, **params: Any) -> Any:
        query = f"?{urllib.parse.urlencode(params, doseq=True)}" if params else ""
        return self._call("GET", f"/api/v2{path}{query}")

    def dag_ids(self) -> set[str]:
        return {d["dag_id"] for d in self.get("/dags", limit=100)["dags"]}

    def wait_for_dags(self, dag_ids: set[str], timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while not dag_ids <= (seen := self.dag_ids()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAGs not parsed after {timeout:.0f} s: {sorted(dag_ids - seen)}")
            time.sleep(2)

    def unpause(self, dag_id: str) -> None:
        self._call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, logical_date: str | None = None) -> str:
        return self._call("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": logical_date})["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/dags/{dag_id}/dagRuns", order_by="run_after", limit=100)["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> dict[str, dict]:
        tis = self.get(f"/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances", limit=100)
        return {ti["task_id"]: ti for ti in tis["task_instances"]}

    def asset_events(self) -> list[dict]:
        return self.get("/assets/events", order_by="timestamp", limit=1000)["asset_events"]

    def wait(self, until, what: str, timeout: float, every: float = 3.0):
        """Poll `until()` until it returns something truthy; that value, or TimeoutError naming `what`."""
        deadline = time.monotonic() + timeout
        while not (found := until()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not after {timeout:.0f} s")
            time.sleep(every)
        return found

"""Airflow's components on this machine under one supervisor: `govlake airflow` (`make airflow`).

`airflow standalone` (3.3) comes close but starts each component by the bare name `airflow`, so it
hangs where the venv is not on PATH; lets the scheduler's and triggerer's log servers listen on every
interface (:8793, :8794); and on stop leaves the components' own children (executor workers, API
workers) running. Here each component is this interpreter's `python -m airflow`, nothing listens
beyond loopback (no log servers: the API server reads task logs from the local log folder, which all
components share), each component leads its own process group, and every group is stopped
(terminated, then killed after a grace period) whenever the supervisor ends, however it ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.orchestration.local_runs import airflow_env
from pipelines.orchestration.pools import POOLS

HOST = "127.0.0.1"
GRACE_SECONDS = 20.0
HEALTHY_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


def components(port: int) -> dict[str, list[str]]:
    return {
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
        "api-server": ["api-server", "--host", HOST, "--port", str(port), "--workers", "1"],
    }


def component_env(port: int, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every component shares: the project's Airflow home and DAGs, a local executor,
    the simple auth manager, the execution API on loopback, and this venv first on PATH (task
    subprocesses and any `airflow` a component calls by name find the right one)."""
    airflow_env()
    env = dict(os.environ)
    env |= {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://{HOST}:{port}",
    }
    env |= overrides or {}
    return env | async_database_url(env)


def async_database_url(env: dict[str, str]) -> dict[str, str]:
    """Airflow's API server also needs an async driver for the metadata database; for PostgreSQL through
    psycopg 3 (installed here) that is psycopg's own async mode, where Airflow would pick asyncpg (not
    installed)."""
    url = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if url.startswith("postgresql+psycopg://") and "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC" not in env:
        return {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": url.replace("+psycopg://", "+psycopg_async://", 1)}
    return {}


def airflow_cli(env: dict[str, str], *commands: list[str]) -> None:
    """Airflow commands run to completion in one process, each as `python -m airflow` runs it (setup
    steps: importing Airflow is most of a command's time), their output shown only if one fails."""
    program = (
        "import sys\n"
        "from airflow.__main__ import main\n"
        f"for argv in {commands!r}:\n"
        "    sys.argv = ['airflow', *argv]\n"
        "    main()\n"
    )
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True)
    if done.returncode:
        shown = "; ".join(" ".join(c) for c in commands)
        raise RuntimeError(f"airflow {shown} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def prepare(env: dict[str, str]) -> None:
    """The metadata database at the current schema and the project's pools."""
    airflow_cli(
        env,
        ["db", "migrate"],
        *(["pools", "set", name, str(slots), description] for name, (slots, description) in POOLS.items()),
    )


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log: Path
    reader: threading.Thread = field(init=False)

    def start_reading(self, echo: Callable[[str, str], None] | None) -> None:
        def pump() -> None:
            with self.log.open("a", encoding="utf-8") as out:
                for line in self.process.stdout:
                    out.write(line)
                    out.flush()
                    if echo:
                        echo(self.name, line.rstrip())

        self.reader = threading.Thread(target=pump, name=f"airflow-{self.name}", daemon=True)
        self.reader.start()

    def signal_group(self, sig: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


@dataclass
class LocalAirflow:
    """The running components; `url` is the UI and REST API on loopback."""

    port: int
    env: dict[str, str]
    running: dict[str, Component] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def password_file(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"

    def start(self, log_dir: Path, echo: Callable[[str, str], None] | None = None) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        for name, args in components(self.port).items():
            process = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # its own process group: stopping it stops its children
            )
            self.running[name] = Component(name, process, log_dir / f"{name}.log")
            self.running[name].start_reading(echo)

    def exited(self) -> dict[str, int]:
        """Components that have ended, with their exit codes (a healthy Airflow has none)."""
        return {n: c.process.returncode for n, c in self.running.items() if c.process.poll() is not None}

    def health(self) -> dict[str, str]:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=5) as response:
                body = json.load(response)
        except OSError:
            return {}
        return {k: (v or {}).get("status", "unknown") for k, v in body.items()}

    def wait_until_healthy(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ended := self.exited():
                raise RuntimeError(
                    f"Airflow components ended while starting: {ended}; logs beside {self.password_file.parent}"
                )
            status = self.health()
            if status and all(status.get(c) == "healthy" for c in HEALTHY_COMPONENTS):
                return
            time.sleep(1.0)
        raise TimeoutError(f"Airflow not healthy after {timeout:.0f} s: {self.health() or 'API not answering'}")

    def stop(self, grace: float = GRACE_SECONDS) -> dict[str, int]:
        """Terminate every component's process group, kill what is left after `grace` seconds; return
        each component's exit code."""
        for c in self.running.values():
            c.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for c in self.running.values():
            with suppress(subprocess.TimeoutExpired):
                c.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            c.signal_group(signal.SIGKILL)  # the group's stragglers, even when the leader has gone
            c.process.wait()
            c.reader.join(timeout=5)
        return {n: c.process.returncode for n, c in self.running.items()}


@contextmanager
def local_airflow(
    port: int = 8080,
    overrides: dict[str, str] | None = None,
    echo: Callable[[str, str], None] | None = None,
    timeout: float = 180.0,
) -> Iterator[LocalAirflow]:
    """Airflow running and healthy for the block; stopped, with every child, when it ends."""
    env = component_env(port, overrides)
    prepare(env)
    airflow = LocalAirflow(port, env)
    try:
        airflow.start(Path(env["AIRFLOW_HOME"]) / "logs" / "components", echo)
        airflow.wait_until_healthy(timeout)
        yield airflow
    finally:
        airflow.stop()


def serve(
    port: int = 8080,
    echo: Callable[[str, str], None] | None = None,
    ready: Callable[[LocalAirflow], None] | None = None,
) -> int:
    """Run until interrupted (Ctrl-C, SIGTERM, SIGHUP) or until a component dies; exit code 0 for a
    requested stop, 1 when a component ended on its own."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    with local_airflow(port, echo=echo) as airflow:
        if ready:
            ready(airflow)
        while not stop.wait(1.0):
            if ended := airflow.exited():
                if echo:
                    echo("govlake", f"components ended on their own: {ended}; stopping the rest")
                return 1
    return 0

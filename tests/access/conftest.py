"""The small city built once, with every role's warehouse and the verification index (one xdist group)."""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import pytest
from pydantic import SecretStr

from pipelines.settings import Settings

AS_OF = date(2026, 11, 24)  # the approvals in catalog/access/approvals.yml are judged on this day
TEST_KEY = SecretStr("test-only-platform-key-" + "0123456789abcdef" * 2)


@dataclass
class AccessCity:
    settings: Settings
    people: list[dict]  # truth/persons.csv: the city's real identities

    @property
    def names(self) -> set[str]:
        return {p["name"] for p in self.people}

    @cached_property
    def personal_values(self) -> frozenset[str]:
        """Every real ID number, mobile number and full name of the city, forwards and reversed."""
        values = {v.upper() for p in self.people for v in (p["citizen_id"], p["phone"], p["name"]) if v}
        return frozenset(values | {v[::-1] for v in values})


def read_people(city: Path) -> list[dict]:
    with (city / "truth" / "persons.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# session scope: a package fixture is torn down and built again whenever xdist interleaves another
# package's tests on this worker
@pytest.fixture(scope="session")
def access_city(built_city, built_small_city, tmp_path_factory) -> AccessCity:
    """The session's built city, copied: its role warehouses and verification index were built by the
    access DAG on AS_OF, and its validation results are run1's (their failing keys the current ones)."""
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path_factory.mktemp("data"))
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    return AccessCity(settings, read_people(built_city))


@contextlib.contextmanager
def on_day(day: date):
    """The platform's clock (`pipelines.clock`) stopped at `day`, in this process only."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("pipelines.clock.today", lambda: day)
        yield


@pytest.fixture(autouse=True)
def _approvals_judged_on_as_of():
    """Every access test runs on AS_OF, so the approvals' expiry dates give the same grants every year."""
    with on_day(AS_OF):
        yield


@dataclass
class QueryService:
    url: str
    settings: Settings

    def token(self, user: str, role: str) -> str:
        from pipelines.access.users import add_user, users_path

        return add_user(user, role, users_path(self.settings))


@pytest.fixture(scope="session")
def query_service(access_city):
    """The query service over the access city, on a free loopback port, in a thread of this process."""
    import socket
    import threading
    import time

    import uvicorn

    from pipelines.access.service import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(access_city.settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield QueryService(f"http://127.0.0.1:{port}", access_city.settings)
    server.should_exit = True
    thread.join(10)

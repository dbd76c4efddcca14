"""The small city built once, with every role's warehouse and the verification index (one xdist group)."""

from __future__ import annotations

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


@pytest.fixture(scope="package")
def access_city(small_city, tmp_path_factory) -> AccessCity:
    from pipelines.access.build import build_all
    from pipelines.ingest.runner import ingest
    from pipelines.quality.validate import validate
    from pipelines.transform.build import build_scorecards, build_subject_databases
    from pipelines.verification.index import build_index

    city, _ = small_city
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), source_root=city, pseudonym_key=TEST_KEY)
    ingest(settings=settings)
    build_subject_databases(settings)
    validate(settings, run_id="run1")  # the departments' own failing records
    validate(settings, run_id="run2")  # validates nothing new: run1's keys stay the current ones
    build_scorecards(settings)
    build_all(AS_OF, settings)
    build_index(settings)
    return AccessCity(settings, read_people(city))

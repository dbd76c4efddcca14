"""A city living five weeks, ingested every day and built twice: the history holds the truth's dated
events, invents (almost) none, and every person keeps its id or is followed through population.id_changes."""

from __future__ import annotations

import filecmp
from datetime import date

import pytest

from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from pipelines.synth.timeline import LivingCity
from pipelines.transform.evaluate_history import live_city


@pytest.mark.slow
def test_the_history_matches_the_living_citys_events(tmp_path):
    run = live_city(tmp_path, people=1_500, days=35, as_of=date(2026, 8, 31), seed=3, builds=2)
    score = run.score
    assert sum(run.events.values()) > 50 and {"move", "marriage", "death", "birth", "moved_out"} <= set(run.events)
    assert score.events - score.awaiting_delivery > 50
    assert score.share_found >= 0.99, score.missing
    assert score.spurious_per_1000_persons <= 1.0, score
    assert run.records_followed > 3_000
    assert run.unexplained_id_changes == 0


def test_the_timeline_is_deterministic_per_seed(tmp_path):
    cities = []
    for name in ("a", "b"):
        city = tmp_path / name
        generate_city(CityConfig(people=300, seed=5, as_of=date(2026, 8, 31)), city)
        living = LivingCity(city, 5, date(2026, 9, 1))
        living.live(40)
        living.close()
        cities.append(city)
    a, b = cities
    assert (a / "truth" / "events.csv").read_bytes() == (b / "truth" / "events.csv").read_bytes()
    for folder in ("health/births", "health/deaths", "tax/taxpayers", "civil_affairs/marriages"):
        names = sorted(p.name for p in (a / folder).iterdir())
        assert names == sorted(p.name for p in (b / folder).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(a / folder, b / folder, names, shallow=False)
        assert not mismatch and not errors, (folder, mismatch)

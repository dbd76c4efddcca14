"""Fault test: SIGKILL the ingest process at random points, retry, and find every row exactly once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipelines.lake.layout import LakeLayout
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from tests.ingest.lake_check import (
    assert_every_source_row_exactly_once,
    assert_watermarks_match_the_lake,
    ledger_states,
)

KILLS = 12
# each delivery announced on stdout as the run starts on it: kills are placed by the run's progress, not
# by a clock that a busy machine (or a resumed run, shorter than a whole one) makes wrong
INGEST = "from pipelines.ingest.runner import ingest\ningest(on_delivery=lambda *_: print('delivery', flush=True))\n"


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", INGEST], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _whole_run(env: dict) -> tuple[int, float]:
    """How many deliveries a whole run announces, and the mean seconds from one to the next."""
    proc = _start(env)
    announced = [time.perf_counter() for _ in proc.stdout]
    assert proc.wait() == 0 and len(announced) > 20
    return len(announced), (time.perf_counter() - announced[0]) / len(announced)


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path):
    city = tmp_path / "city"
    generate_city(CityConfig(people=1_000, seed=3), city)
    env = {**os.environ, "GOVLAKE_DATA_DIR": str(tmp_path / "data"), "GOVLAKE_SOURCE_ROOT": str(city)}
    env.pop("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", None)
    rng = random.Random(20261124)
    deliveries, per_delivery = _whole_run(env)
    shutil.rmtree(tmp_path / "data")
    layout = LakeLayout(tmp_path / "data" / "lake")
    killed = attempts = mid_load = 0
    # kills go on until half of them landed mid-load: on a busy machine more land between loads
    while (killed < KILLS or mid_load < KILLS // 2) and attempts < 4 * KILLS:
        attempts += 1
        proc = _start(env)
        target = rng.randrange(1, deliveries + 1)  # kill while the run is on this delivery or the next
        seen = sum(1 for _ in zip(range(target), proc.stdout, strict=False))
        time.sleep(rng.uniform(0, 2 * per_delivery))
        if seen == target and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate()
        if proc.returncode == -signal.SIGKILL and layout.ledger_path.exists():
            states = ledger_states(layout)
            mid_load += (states["running"] + states["staged"]) > 0  # a load begun and not yet published
        if proc.returncode == 0:  # it finished first: start from an empty lake so kills land in real work again
            shutil.rmtree(tmp_path / "data", ignore_errors=True)
    assert killed >= KILLS and mid_load >= KILLS // 2, (killed, mid_load)
    final = subprocess.run([sys.executable, "-c", INGEST], env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-2000:]
    assert assert_every_source_row_exactly_once(city, layout) > 2_000  # the city, not an empty lake
    assert assert_watermarks_match_the_lake(layout) == 4  # three tables and the HR API
    states = ledger_states(layout)
    assert states["running"] == 0 and states["staged"] == 0
    assert not layout.staging.exists() or not any(layout.staging.iterdir())

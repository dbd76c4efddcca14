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
INGEST = "from pipelines.ingest.runner import ingest; ingest()"


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path):
    city = tmp_path / "city"
    generate_city(CityConfig(people=2_500, seed=3), city)
    env = {**os.environ, "GOVLAKE_DATA_DIR": str(tmp_path / "data"), "GOVLAKE_SOURCE_ROOT": str(city)}
    env.pop("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", None)
    rng = random.Random(20261124)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", INGEST], env=env, check=True)  # how long a whole run takes
    full_run = time.perf_counter() - started
    shutil.rmtree(tmp_path / "data")
    killed = attempts = 0
    while killed < KILLS and attempts < 3 * KILLS:
        attempts += 1
        proc = subprocess.Popen(
            [sys.executable, "-c", INGEST], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 1.0) * full_run)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        if proc.returncode == 0:  # it finished first: start from an empty lake so kills land in real work again
            shutil.rmtree(tmp_path / "data", ignore_errors=True)
    assert killed >= 9
    final = subprocess.run([sys.executable, "-c", INGEST], env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr[-2000:]
    layout = LakeLayout(tmp_path / "data" / "lake")
    assert assert_every_source_row_exactly_once(city, layout) > 4_000
    assert assert_watermarks_match_the_lake(layout) == 4  # three tables and the HR API
    states = ledger_states(layout)
    assert states["running"] == 0 and states["staged"] == 0
    assert not layout.staging.exists() or not any(layout.staging.iterdir())

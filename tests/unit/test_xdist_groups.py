"""The suite's time rests on `--dist loadgroup` keeping each `xdist_group` on one worker (one built city
per group, not one per worker). pytest 9.2 silently broke it for pytest-xdist 3.8; this fails if it breaks."""

from __future__ import annotations

import subprocess
import sys


def test_a_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(
        "import time, pytest\n"
        "pytestmark = pytest.mark.xdist_group('together')\n"
        "@pytest.mark.parametrize('i', range(6))\n"
        "def test_one(i):\n"
        "    time.sleep(0.2)\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    workers = {line.split()[0] for line in run.stdout.splitlines() if line.startswith("[gw") and "PASSED" in line}
    assert run.returncode == 0 and "6 passed" in run.stdout, run.stdout[-2000:]
    assert len(workers) == 1, workers

"""dbt's unit tests of the models' SQL, run here rather than in every build of the platform (which excludes
them: `pipelines.transform.build.BUILD`), on a copy of the session's built city, whose warehouse holds every
relation their fixtures take their columns from."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import copy_data

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]


def test_every_dbt_unit_test_passes(built_small_city, tmp_path):
    from pipelines.settings import Settings
    from pipelines.transform.build import run_dbt

    data, _ = copy_data(built_small_city, tmp_path / "data")
    summary = run_dbt(Settings(data_dir=data), ["test", "--select", "test_type:unit"])  # a failure raises
    manifest = json.loads((data / "dbt-target" / "manifest.json").read_text(encoding="utf-8"))
    declared = [u for u in manifest["unit_tests"].values() if u["package_name"] == "govlake"]
    assert len(declared) >= 9  # the models' own, every one of them run and passed
    counts = dict(re.findall(r"\b([A-Z-]+)=(\d+)", summary))
    assert counts.get("PASS") == counts.get("TOTAL") == str(len(declared)), summary

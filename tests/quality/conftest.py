"""The small city validated, scored and published once for the quality tests (one xdist group)."""

from __future__ import annotations

import pytest

from pipelines.settings import Settings

SPOT_CHECK_ROWS, SPOT_CHECK_SEED = 400, 11


@pytest.fixture(scope="package")
def quality_city(small_city, tmp_path_factory):
    """Ingested, subject databases built, validated twice (the second validates nothing), spot-checked,
    scored and published: (settings, first run's rows, second run's rows, spot-check rows, site folder)."""
    from pipelines.ingest.runner import ingest
    from pipelines.publish.site import publish
    from pipelines.quality.validate import validate
    from pipelines.transform.build import build_scorecards, build_subject_databases

    city, _ = small_city
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), source_root=city)
    ingest(settings=settings)  # the HR API is not served: its saved pages are read
    build_subject_databases(settings)
    first = validate(settings, run_id="run1")
    second = validate(settings, run_id="run2")
    spot = validate(settings, run_id="spot1", sample=SPOT_CHECK_ROWS, seed=SPOT_CHECK_SEED)
    build_scorecards(settings)
    site = publish(settings)
    return settings, first, second, spot, site

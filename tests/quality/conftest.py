"""The small city validated, scored and published once for the quality tests (one xdist group)."""

from __future__ import annotations

import pytest

from pipelines.settings import Settings

SPOT_CHECK_ROWS, SPOT_CHECK_SEED = 400, 11


# session scope: a package fixture is torn down and built again whenever xdist interleaves another
# package's tests on this worker
@pytest.fixture(scope="session")
def quality_city(built_city, built_small_city, tmp_path_factory):
    """The session's built city (ingested, subject databases built, validated twice: the second validates
    nothing), copied, then spot-checked, scored and published: (settings, first run's rows, second run's
    rows, spot-check rows, site folder)."""
    from pipelines.publish.site import publish
    from pipelines.quality.validate import validate
    from pipelines.transform.build import build_scorecards
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, (first, second) = copy_data(built_small_city, tmp_path_factory.mktemp("data"))
    settings = Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)
    spot = validate(settings, run_id="spot1", sample=SPOT_CHECK_ROWS, seed=SPOT_CHECK_SEED)
    build_scorecards(settings)
    site = publish(settings)
    return settings, first, second, spot, site

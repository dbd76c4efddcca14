"""Ingestion from the real PostgreSQL and MariaDB servers over real connections."""

from __future__ import annotations

import pytest

from pipelines.ingest.runner import ingest_resource
from pipelines.lake.layout import LakeLayout
from pipelines.settings import Settings
from pipelines.synth.city import generate_city
from pipelines.synth.config import CityConfig
from tests.ingest.lake_check import landed_keys
from tests.synth.sources import read_truth

pytestmark = pytest.mark.db


@pytest.mark.parametrize("scratch_database", ["postgresql", "mariadb"], indirect=True)
def test_ingest_from_a_real_server(tmp_path, monkeypatch, scratch_database):
    kind, url = scratch_database
    cfg = CityConfig(people=800, seed=9)
    if kind == "postgresql":
        cfg = cfg.model_copy(update={"public_security_url": url})
        targets = [("public_security", "household_registry", "xh", "GOVLAKE_SRC_PUBLIC_SECURITY_URL")]
    else:
        cfg = cfg.model_copy(update={"market_regulation_url": url})
        targets = [
            ("market_regulation", r, "id", "GOVLAKE_SRC_MARKET_REGULATION_URL")
            for r in ("enterprise_registry", "food_business_licences")
        ]
    city = tmp_path / "city"
    generate_city(cfg, city)
    settings = Settings(data_dir=tmp_path / "data", source_root=city)
    truth = read_truth(city, "records")
    for dept, resource, key, env in targets:
        monkeypatch.setenv(env, url)
        [result] = ingest_resource(dept, resource, settings)
        assert result.status == "published", result
        keys = landed_keys(LakeLayout(settings.lake_root), dept, resource, key)
        expected = {r["record_key"] for r in truth if r["department"] == dept and r["resource"] == resource}
        assert set(keys) == expected and max(keys.values()) == 1
        [again] = ingest_resource(dept, resource, settings)
        assert again.status == "skipped"  # same snapshot, same content hash

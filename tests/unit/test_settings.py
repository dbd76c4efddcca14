import pytest
from pydantic import ValidationError

from pipelines.paths import REPO_ROOT
from pipelines.settings import EngineName, Environment, Settings


def test_defaults_are_local_duckdb_under_the_repo(monkeypatch):
    for key in ("GOVLAKE_ENV", "GOVLAKE_ENGINE", "GOVLAKE_DATA_DIR", "GOVLAKE_SOURCE_ROOT"):
        monkeypatch.delenv(key, raising=False)
    s = Settings()
    assert s.env is Environment.LOCAL and s.engine is EngineName.DUCKDB
    assert s.data_root == REPO_ROOT / "data"
    assert s.lake_root == REPO_ROOT / "data" / "lake"
    assert s.warehouse_path == REPO_ROOT / "data" / "warehouse.duckdb"
    assert s.sources_dir == REPO_ROOT / "data" / "city"
    assert s.dbt_target == "duckdb"


def test_one_switch_selects_the_engine_and_everything_follows(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVLAKE_ENGINE", "spark")
    monkeypatch.setenv("GOVLAKE_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.engine is EngineName.SPARK and s.dbt_target == "spark"
    assert s.lake_root == tmp_path / "lake"


def test_unknown_engine_is_refused(monkeypatch):
    monkeypatch.setenv("GOVLAKE_ENGINE", "oracle")
    with pytest.raises(ValidationError):
        Settings()


def test_prod_requires_an_explicit_data_dir(monkeypatch):
    monkeypatch.setenv("GOVLAKE_ENV", "prod")
    monkeypatch.delenv("GOVLAKE_DATA_DIR", raising=False)
    with pytest.raises(ValidationError, match="GOVLAKE_DATA_DIR"):
        Settings()


def test_secrets_never_appear_in_the_description(monkeypatch):
    monkeypatch.setenv("GOVLAKE_PSEUDONYM_KEY", "s3cret-key-value")
    s = Settings()
    assert s.pseudonym_key is not None and s.pseudonym_key.get_secret_value() == "s3cret-key-value"
    assert "s3cret" not in repr(s) and "s3cret" not in str(s.describe())

"""One settings object for the whole platform, read from the environment.

Two switches decide everything: `GOVLAKE_ENV` (local, ci, prod) and `GOVLAKE_ENGINE` (duckdb,
spark). Every location and the dbt target are derived from them and from one data directory, so
that a pipeline, a DAG and a test always agree on where the lake and the warehouse are. Secrets
are only ever read from environment variables (or a secrets file named by one) and never logged.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipelines.paths import REPO_ROOT


class Environment(StrEnum):
    LOCAL = "local"
    CI = "ci"
    PROD = "prod"


class EngineName(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class Settings(BaseSettings):
    """Platform settings; construct through `get_settings()`."""

    model_config = SettingsConfigDict(env_prefix="GOVLAKE_", extra="ignore", frozen=True)

    env: Environment = Environment.LOCAL
    engine: EngineName = EngineName.DUCKDB
    data_dir: Path | None = None
    source_root: Path | None = None
    spark_master: str = "local[2]"
    spark_driver_memory: str = "4g"
    spark_shuffle_partitions: int = 2
    spark_thrift_host: str | None = None  # a Spark Thrift server dbt connects to instead of a local session
    pseudonym_key: SecretStr | None = None
    secret_key_file: Path | None = None
    audit_anchor_dir: Path | None = None  # where the audit log's signed head is kept, away from the log
    query_timeout_seconds: float = 120.0  # an audited query running longer is cancelled (and audited so)
    # the build waits for every ingest run in flight to finish, but never longer than this cut-off
    build_wait_minutes: float = Field(120.0, ge=0)

    @model_validator(mode="after")
    def _prod_needs_explicit_data_dir(self) -> Settings:
        if self.env is Environment.PROD and self.data_dir is None:
            raise ValueError("GOVLAKE_DATA_DIR must be set when GOVLAKE_ENV=prod")
        return self

    @property
    def data_root(self) -> Path:
        """Where everything the platform writes lives (lake, warehouse, sources of the demo city)."""
        if self.data_dir is not None:
            return self.data_dir.resolve()
        return REPO_ROOT / ("data" if self.env is Environment.LOCAL else f"data-{self.env.value}")

    @property
    def sources_dir(self) -> Path:
        """Where departments' file drops and embedded source databases are found."""
        return (self.source_root or self.data_root / "city").resolve()

    @property
    def lake_root(self) -> Path:
        return self.data_root / "lake"

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB warehouse file holding the subject databases (embedded engine)."""
        return self.data_root / "warehouse.duckdb"

    @property
    def access_root(self) -> Path:
        """The role warehouses, the verification index and the audit log (`govlake access`)."""
        return self.data_root / "access"

    @property
    def audit_anchors(self) -> Path:
        """Signed heads of audit logs: outside the data dir, so whoever can rewrite the log cannot also
        rewind its anchor (in production, a directory only the audit service may write)."""
        state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
        return self.audit_anchor_dir or state / "govlake" / "audit-anchors"

    @property
    def site_root(self) -> Path:
        """The published scorecard site (`govlake publish`)."""
        return self.data_root / "site"

    @property
    def spark_warehouse_dir(self) -> Path:
        return self.data_root / "spark-warehouse"

    @property
    def spark_metastore_dir(self) -> Path:
        """The embedded (Derby) Hive metastore of a local Spark warehouse."""
        return self.data_root / "spark-metastore"

    @property
    def dbt_target(self) -> str:
        if self.engine is EngineName.SPARK and self.spark_thrift_host:
            return "spark_thrift"
        return self.engine.value

    def describe(self) -> dict[str, str]:
        """The derived settings, safe to print (no secrets)."""
        spark = {
            "spark_master": self.spark_master,
            "spark_warehouse_dir": str(self.spark_warehouse_dir),
            "spark_metastore_dir": str(self.spark_metastore_dir),
            "spark_thrift_host": self.spark_thrift_host or "unset (dbt runs in a local session)",
        }
        return {
            "env": self.env.value,
            "engine": self.engine.value,
            "data_root": str(self.data_root),
            "sources_dir": str(self.sources_dir),
            "lake_root": str(self.lake_root),
            **({"warehouse_path": str(self.warehouse_path)} if self.engine is EngineName.DUCKDB else spark),
            "dbt_target": self.dbt_target,
            "pseudonym_key": "set" if self.pseudonym_key else "unset",
            "secret_key_file": str(self.secret_key_file or "~/.config/govlake/secret.key"),
            "audit_anchors": str(self.audit_anchors),
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

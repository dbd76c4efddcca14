"""Apache Spark: the lake read as Parquet, the warehouse as Spark tables in a Hive metastore, dbt through
dbt-spark. Locally (`method: session`) dbt runs inside this process on the adapter's own session; against
a Thrift server (`GOVLAKE_SPARK_THRIFT_HOST`) it runs as its own process, like on DuckDB."""

from __future__ import annotations

import logging
import os
import sys
from functools import cached_property
from pathlib import Path

from pipelines.engines.base import (
    BatchTables,
    Engine,
    RoleBuild,
    RoleReader,
    Workspace,
    run_dbt_in_process,
    run_dbt_process,
)
from pipelines.engines.dialects import HOUSE, SPARK
from pipelines.engines.spark_functions import ScratchViews, pandas_series_udf
from pipelines.engines.spark_roles import SparkRoleBuild, SparkRoleReader
from pipelines.settings import Settings


def session_config(settings: Settings) -> dict[str, str]:
    """The session's configuration. On a cluster, what is not set here (metastore URI, executors, memory)
    comes from `$SPARK_CONF_DIR/spark-defaults.conf` as with any Spark application."""
    from splink.internals.spark.jar_location import similarity_jar_location

    metastore = settings.spark_metastore_dir
    config = {
        "spark.app.name": "govlake",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.jars": similarity_jar_location(),  # Splink's string-similarity UDFs (Jaro-Winkler, ...)
        "spark.sql.warehouse.dir": str(settings.spark_warehouse_dir),
        "spark.sql.session.timeZone": "UTC",  # the lake's timestamps are naive, as on DuckDB
        "spark.sql.parquet.mergeSchema": "true",  # batches of one resource may differ in columns
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",  # naive lake timestamps are plain timestamps
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.legacy.createHiveTableByDefault": "false",
    }
    if settings.spark_master.startswith("local"):
        config |= {
            "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
            # on one machine adaptive execution re-plans every small query (GX runs ~30 per batch) for
            # nothing: ~15% of validation time with it off
            "spark.sql.adaptive.enabled": "false",
            # compiling whole-stage Java for the standards' long expressions (the Chinese-conversion
            # tables alone are 8 KB a column; some exceed Janino's 64 KB method limit and fall back
            # anyway) costs more than evaluating them on one machine's batches
            "spark.sql.codegen.wholeStage": "false",
            # nor Java for each expression: a query's generated classes are new code the JVM compiles again
            # (its JIT threads took 254 of 554 CPU seconds of the equivalence test's build and scorecards;
            # 205 of 495 interpreted, and the run 407 s → 371 s)
            "spark.sql.codegen.factoryMode": "NO_CODEGEN",
            # inferring constraints over those expressions is most of a staging model's optimisation (3.4 of
            # 4.4 s for the household registry's, on 2,500 rows) and infers nothing a local run needs
            "spark.sql.constraintPropagation.enabled": "false",
            "spark.driver.memory": settings.spark_driver_memory,
            "spark.driver.maxResultSize": "0",  # reading a whole mart back (the fingerprint) exceeds the 1g default
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            # an embedded Derby metastore next to the warehouse (one process at a time)
            "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={metastore}",
        }
    return config


class SparkEngine(Engine):
    name = "spark"
    sql = SPARK

    @cached_property
    def spark(self):
        """The process's Spark session, created with the platform's configuration (dbt-spark's session
        method and Splink then reuse it)."""
        from pyspark.sql import SparkSession

        self.settings.spark_metastore_dir.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # UDF workers need the platform's packages
        builder = SparkSession.builder.master(self.settings.spark_master)
        for key, value in session_config(self.settings).items():
            builder = builder.config(key, value)
        session = builder.enableHiveSupport().getOrCreate()
        logging.getLogger("py4j").setLevel(logging.WARNING)  # its connections log "closing" at interpreter exit
        # a failed query's plan, literals and all, is not logged: callers report the error (scrubbed) themselves
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        session.sparkContext.setLogLevel("ERROR")  # a glob of lake files is not a missing metadata folder
        session.sparkContext.setCheckpointDir(str(self.settings.data_root / "spark-checkpoints"))  # Splink's
        return session

    def run_dbt(self, args: list[str], quiet: bool = True) -> str:
        if self.settings.dbt_target != "spark":  # a Thrift server: dbt is a client of its own
            return run_dbt_process(self.dbt_variables(), args, quiet)
        self.spark  # noqa: B018 - the session dbt-spark will find
        return run_dbt_in_process(self.dbt_variables(), args, quiet)

    def translate(self, sql: str) -> str:
        import sqlglot

        return ";\n".join(sqlglot.transpile(sql, read=HOUSE.name, write=self.sql.name))

    def query(self, sql: str):
        return self.spark.sql(self.translate(sql)).toArrow()

    def close(self) -> None:
        if "spark" in self.__dict__:
            self.spark.stop()
            del self.__dict__["spark"]

    def workspace(self) -> Workspace:
        return SparkWorkspace(self)

    def batch_tables(self, run_id: str) -> BatchTables:
        return SparkBatchTables(self.spark)

    def has_mart(self, schema: str, table: str) -> bool:
        # dbt-spark's tables are folders of the warehouse directory: no session needed to look
        return (self.settings.spark_warehouse_dir / f"{schema}.db" / table).is_dir()

    def role_location(self, role: str) -> Path:
        return self.settings.access_root / f"warehouse_{role}"

    def role_build(
        self, role: str, location: Path | None = None, full_refresh: bool = False, policy: str = ""
    ) -> RoleBuild:
        """Parquet files are not updated in place: every build writes the role's tables whole."""
        target = location or self.role_location(role)
        return SparkRoleBuild(self, role, target, register=target == self.role_location(role))

    def role_reader(self, role: str | None) -> RoleReader:
        return SparkRoleReader(self, role)


class SparkWorkspace(Workspace):
    """Scratch tables are checkpointed temporary views of the session (`ScratchViews`); warehouse tables
    are Parquet tables in the metastore."""

    def __init__(self, engine: SparkEngine) -> None:
        self.engine, self.spark, self.scratch = engine, engine.spark, ScratchViews(engine.spark)

    def execute(self, sql: str) -> None:
        import sqlglot
        from sqlglot import exp

        statement = sqlglot.parse_one(sql, read="duckdb")
        if not (isinstance(statement, exp.Create) and statement.kind == "TABLE"):
            self.spark.sql(self.engine.translate(sql))
            return
        target, query = statement.this, statement.expression.sql(dialect="spark")
        if target.db:  # a warehouse table: Parquet tables cannot be replaced in place
            name = f"{target.db}.{target.name}"
            self.spark.sql(f"drop table if exists {name}")
            self.spark.sql(f"create table {name} using parquet as {query}")
        else:  # scratch: computed once, kept while the job needs it
            self.scratch.create(target.name, query)

    def fetch(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.spark.sql(self.engine.translate(sql)).collect()]

    def register(self, name: str, table) -> None:
        self.scratch.register(name, self.spark.createDataFrame(table))

    def warehouse(self, schema: str, table: str) -> str:
        self.spark.sql(f"create database if not exists {schema}")
        return f"{schema}.{table}"

    def columns(self, relation: str) -> list[str]:
        return self.spark.table(relation).columns

    def exists(self, relation: str) -> bool:
        return self.spark.catalog.tableExists(relation)

    def splink_api(self):
        from splink import SparkAPI

        self._register_similarity()
        return SparkAPI(spark_session=self.spark)

    def _register_similarity(self) -> None:
        import numpy as np
        import pandas as pd

        from pipelines.engines.similarity import FUNCTIONS

        def series_udf(function, dtype):
            def udf(left, right):
                values = function([None if pd.isna(v) else v for v in left], [None if pd.isna(v) else v for v in right])
                return pd.Series(pd.array(values.filled(0), dtype=dtype)).mask(np.ma.getmaskarray(values))

            return udf

        for name, (function, kind) in FUNCTIONS.items():
            udf = series_udf(function, "Int64" if kind == "bigint" else "Float64")
            self.spark.udf.register(name, pandas_series_udf(udf, kind))

    def close(self) -> None:
        self.scratch.drop()


class SparkBatchTables(BatchTables):
    """Checkpointed temporary views (`ScratchViews`), validated through GX's Spark datasource as dataframes.
    A cached view would keep the plan that normalised the batch, the standards' long expressions, and every
    one of GX's queries would analyse it again."""

    dialect = SPARK

    def __init__(self, spark) -> None:
        self.spark, self.source, self.views = spark, None, ScratchViews(spark)

    def lake_files(self, glob: str) -> str:
        return f"parquet.`{glob}`"

    def create(self, name: str, sql: str) -> int:
        self.views.create(name, sql)
        return self.count(name)

    def count(self, relation: str) -> int:
        return self.spark.sql(f"select count(*) from {relation}").collect()[0][0]

    def register(self, name: str, table) -> None:
        self.views.register(name, self.spark.createDataFrame(table.to_pandas()))

    def gx_batch(self, context, name: str) -> tuple:
        if self.source is None:
            self.source = context.data_sources.add_spark(name="lake")
        asset = self.source.add_dataframe_asset(name=name)
        return asset.add_batch_definition_whole_dataframe("all"), {"dataframe": self.spark.table(name)}

    def rows(self, sql: str) -> list[dict]:
        return [r.asDict() for r in self.spark.sql(sql).collect()]

    def close(self) -> None:
        self.views.drop()

"""Helpers both Spark modules need (the engine and the role warehouses), so neither imports the other's."""

from __future__ import annotations


def pandas_series_udf(function, return_type: str):
    """A pandas UDF from a function of pandas Series. pandas_udf infers its kind from the annotations,
    which must be real classes, not the postponed (string) annotations of this package's modules."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    arguments = function.__code__.co_varnames[: function.__code__.co_argcount]
    function.__annotations__ = dict.fromkeys(arguments, pd.Series) | {"return": pd.Series}
    return pandas_udf(function, return_type)


class ScratchViews:
    """A job's scratch tables on Spark: temporary views of rows computed once and checkpointed locally (kept by
    the executors, spilling to disk), so that later queries read them as leaves. A cached view keeps its whole
    plan, and the views built on it theirs and its: the linkage's chain of scratch tables made plans Spark
    spent minutes analysing (the equivalence test's follow-on linkage of 1,500 people took 271 s, 18 s
    checkpointed; Spark's documentation advises checkpoints where plans grow so)."""

    def __init__(self, spark) -> None:
        self.spark, self.frames = spark, {}

    def create(self, name: str, sql: str) -> None:
        """`name`: the rows `sql` gives, computed now. A scratch table of that name made earlier is released
        after, so `sql` may read it."""
        frame = self.spark.sql(sql).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        _release(self.frames.pop(name, None))
        self.frames[name] = frame

    def register(self, name: str, frame) -> None:
        """A dataframe of the job's own (rows from Python), dropped with the scratch tables."""
        frame.createOrReplaceTempView(name)
        _release(self.frames.pop(name, None))
        self.frames[name] = None

    def drop(self) -> None:
        for name, frame in reversed(self.frames.items()):
            self.spark.catalog.dropTempView(name)
            _release(frame)
        self.frames.clear()


def _release(frame) -> None:
    """Free a checkpointed frame's rows now (dropping its view does not; the JVM's garbage collector
    would, some time later): its plan is one scan of the checkpointed RDD."""
    if frame is not None:
        frame._jdf.queryExecution().logical().rdd().unpersist(False)

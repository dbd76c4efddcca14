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


def drop_cached_views(spark, names: list[str]) -> None:
    """Uncache, then drop, a job's temporary views (dependants, made later, first)."""
    for name in reversed(names):
        spark.sql(f"uncache table if exists {name}")
    for name in reversed(names):
        spark.catalog.dropTempView(name)

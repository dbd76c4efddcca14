"""As-of queries: every `*_history` table a statement reads, narrowed to the versions in force on a day.

`govlake query --as-of 2026-06-30 "select ... from population.persons_history ..."` sees each attribute's
value as it stood at the end of that day: the rows with `valid_from` on or before it and `valid_to` after
it (or still current). The statement is rewritten with sqlglot before it is sent, so the audit log records
exactly what ran. The same filter written by hand is the documented SQL pattern (docs/history.md).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlglot
from sqlglot import exp

HISTORY_SUFFIX = "_history"


def in_force(day: date) -> str:
    """The condition selecting the versions in force at the end of `day`."""
    end = (day + timedelta(days=1)).isoformat()
    return f"valid_from < timestamp '{end}' and (valid_to is null or valid_to >= timestamp '{end}')"


def as_of(sql: str, day: date) -> str:
    """`sql` with every history table replaced by its versions in force at the end of `day`."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    found = False
    for table in list(tree.find_all(exp.Table)):
        if not table.name.endswith(HISTORY_SUFFIX):
            continue
        found = True
        alias = table.alias or table.name
        source = exp.table_(table.name, db=table.db or None, catalog=table.catalog or None)
        narrowed = sqlglot.parse_one(f"select * from {source.sql('duckdb')} where {in_force(day)}", read="duckdb")
        table.replace(exp.Subquery(this=narrowed, alias=exp.TableAlias(this=exp.to_identifier(alias))))
    if not found:
        raise ValueError(
            "--as-of needs a history table (population.persons_history, legal_entities."
            "legal_entities_history, licences.licences_history) in the statement"
        )
    return tree.sql(dialect="duckdb")

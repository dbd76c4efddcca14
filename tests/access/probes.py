"""Probes of a role's warehouse for personal data in the clear: the queries an analyst might write, and
the search of their results for the city's real ID numbers, mobile numbers and names (either engine)."""

from __future__ import annotations

import re

from hypothesis import strategies as st

FUNCTIONS = [
    "{c}",
    "upper(cast({c} as varchar))",
    "cast({c} as varchar) || ''",
    "reverse(cast({c} as varchar))",
    "substr(cast({c} as varchar), 1, 12)",
    "concat_ws('|', {c}, {c})",
    "trim(cast({c} as varchar))",
]
AGGREGATES = ["min({c})", "max({c})", "string_agg(cast({c} as varchar), ',')", "any_value({c})", "list({c})"]
TOKEN_BOUNDARY = re.compile(r"[|,\s\[\]'\"]+")
DIGIT_RUN = re.compile(r"[0-9Xx]{11,18}")
FILTERS = [
    "{c} is not null",
    "cast({c} as varchar) like '3%'",
    "length(cast({c} as varchar)) > 3",
    "cast({c} as varchar) similar to '.*[0-9].*'",
    "true",
]


def role_tables(settings, role: str) -> dict[str, list[str]]:
    """`schema.table` -> columns of every table of the role's warehouse, as its manifest lists them."""
    from pipelines.engines import engine_for

    with engine_for(settings).role_reader(role) as reader:
        _, rows = reader.execute("select schema_name || '.' || table_name, column_name from _access.columns")
    tables: dict[str, list[str]] = {}
    for table, column in sorted(rows):
        tables.setdefault(table, []).append(column)
    return tables


def leaks(rows: list[tuple], city) -> list[str]:
    """Real ID numbers, mobile numbers or full names of the city's people (or their reversals) anywhere
    in the result — as a whole value or as one of the pieces a query joined together."""
    found = []
    for row in rows:
        for value in row:
            text = str(value)
            pieces = {text, *TOKEN_BOUNDARY.split(text), *DIGIT_RUN.findall(text)}
            found += [p for p in pieces if p.upper() in city.personal_values]
    return found


@st.composite
def analyst_queries(draw, tables: dict[str, list[str]]) -> str:
    table = draw(st.sampled_from(sorted(tables)))
    columns = tables[table]
    chosen = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=4, unique=True))
    where = draw(st.sampled_from(FILTERS)).format(c=draw(st.sampled_from(columns)))
    if draw(st.booleans()):
        select = ", ".join(draw(st.sampled_from(AGGREGATES)).format(c=c) for c in chosen)
        return f"select {select} from {table} where {where}"
    select = ", ".join(draw(st.sampled_from(FUNCTIONS)).format(c=c) for c in chosen)
    limit = draw(st.integers(1, 5000))
    return f"select distinct {select} from {table} where {where} order by all limit {limit}"

"""Masks that survive combination: statistical disclosure control of a population-study role's tables.

Masking one column at a time leaves combinations: birth year + district + sex + ethnicity singled out
one analyst-visible person in eighteen, a masked mobile was unique for almost everyone who had one, and
row numbers with a masked household number rebuilt every household. For the roles the masking rules
name (`disclosure_control` in `standards/masking.yml`), a table is planned without any identifier in any
form (the columns those rules would have masked, record keys, row numbers), its quasi-identifiers are
generalised (the birth year to bands) and then suppressed — set to NULL together — in every cell of
fewer than k rows. The risk (k, unique rows, rows under k) is measured before and after on the same
rows, written into the warehouse (`_access.risk`), and a table still under k stops the build.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.access.columns import OutputColumn
from pipelines.engines.dialects import HOUSE
from pipelines.standards.masking import DisclosureControl

GROUP = "_disclosure_cell"


class DisclosureRisk(RuntimeError):
    """A table would hold people in cells smaller than k: the build stops and the last good one stays."""


@dataclass(frozen=True)
class Risk:
    table: str
    rows: int
    quasi_identifiers: tuple[str, ...]
    k_before: int
    unique_before: int
    under_k_before: int
    k_after: int
    unique_after: int
    under_k_after: int
    suppressed: int  # rows showing no quasi-identifier after control (suppressed, or never known)

    def as_row(self) -> tuple:
        return (
            self.table,
            self.rows,
            ",".join(self.quasi_identifiers),
            self.k_before,
            self.unique_before,
            self.under_k_before,
            self.k_after,
            self.unique_after,
            self.under_k_after,
            self.suppressed,
        )


RISK_COLUMNS = {
    "table_name": "string",
    "rows": "bigint",
    "quasi_identifiers": "string",
    "k_before": "bigint",
    "unique_before": "bigint",
    "under_k_before": "bigint",
    "k_after": "bigint",
    "unique_after": "bigint",
    "under_k_after": "bigint",
    "suppressed": "bigint",
}


def withheld(column: OutputColumn, control: DisclosureControl) -> bool:
    rule = column.treatment.removeprefix("mask:") if column.treatment.startswith("mask:") else None
    return column.name in control.withheld_columns or rule in control.withheld_rules


def _year_band(expr: str, width: int) -> str:
    """'1987******' -> '1985-1989'."""
    start = f"cast(floor(cast(left(cast({expr} as varchar), 4) as integer) / {width}) * {width} as integer)"
    return f"case when {expr} is null then null else cast({start} as varchar) || '-' || cast({start} + {width - 1} as varchar) end"


def generalised(columns: list[OutputColumn], control: DisclosureControl) -> list[OutputColumn]:
    """The table's columns as the role sees them before suppression: withheld ones gone, bands applied."""
    out = []
    for c in columns:
        if withheld(c, control):
            continue
        width = control.year_bands.get(c.name)
        out.append(OutputColumn(c.name, _year_band(c.sql, width), f"{c.treatment}+band:{width}") if width else c)
    return out


def quasi_identifiers(columns: list[OutputColumn], control: DisclosureControl) -> list[str]:
    """The table's quasi-identifiers, if its rows are people (an entity's address singles out no one)."""
    names = [c.name for c in columns]
    if not set(names) & set(control.person_columns):
        return []
    return [n for n in names if n in control.quasi_identifiers]


def suppressed_select(select: str, names: list[str], qis: list[str], k: int) -> str:
    """`select` with its quasi-identifiers set to NULL, together, in every cell of fewer than k rows."""
    cell = ", ".join(HOUSE.ident(q) for q in qis)
    shown = ", ".join(
        f"case when {GROUP} >= {k} then {HOUSE.ident(n)} end as {HOUSE.ident(n)}" if n in qis else HOUSE.ident(n)
        for n in names
    )
    return f"select {shown} from (select *, count(*) over (partition by {cell}) as {GROUP} from ({select}) as t) as g"


def cells_select(frm: str, columns: list[OutputColumn], qis: list[str]) -> str:
    """The table's quasi-identifiers alone, row by row: all the cells and the risk need."""
    sql = {c.name: c.sql for c in columns}
    return f"select {', '.join(f'{sql[q]} as {HOUSE.ident(q)}' for q in qis)} from {frm}"


def cell_joined(
    frm: str, columns: list[OutputColumn], qis: list[str], k: int, cells: str
) -> tuple[str, list[OutputColumn]]:
    """The rows `suppressed_select` gives, as columns over `frm` joined with each row's cell (whether it
    holds k rows or more; `cells` is a relation of `cells_select`'s rows). A row then depends on its own
    source row and on which side of k its cell is, not on the whole table: a build may compute again only
    the rows whose source or side changed."""
    sql = {c.name: c.sql for c in columns}
    # the cell's columns named apart: a staging table's columns are not qualified by their table
    named = ", ".join(f"{HOUSE.ident(q)} as {GROUP}_{i}" for i, q in enumerate(qis))
    keys = ", ".join(f"{GROUP}_{i}" for i in range(len(qis)))
    cell = f"(select {keys}, count(*) >= {k} as {GROUP}_shown from (select {named} from {cells} as c) as c group by {keys}) as cell"
    on = " and ".join(f"({sql[q]}) is not distinct from cell.{GROUP}_{i}" for i, q in enumerate(qis))
    shown = [
        OutputColumn(c.name, f"case when cell.{GROUP}_shown then {c.sql} end", c.treatment) if c.name in qis else c
        for c in columns
    ]
    return f"{frm} join {cell} on {on}", shown


def risk_sql(select: str, qis: list[str], k: int) -> str:
    """One row: all rows, the smallest cell, rows alone in a cell, rows in cells under k, rows showing no
    quasi-identifier at all. Those last (suppressed, or never known) single no one out and, as in ARX,
    are counted apart rather than as one cell."""
    cell = ", ".join(HOUSE.ident(q) for q in qis)
    blank = " and ".join(f"{HOUSE.ident(q)} is null" for q in qis)
    return (
        "select coalesce(sum(n), 0), coalesce(min(n) filter (where not blank), 0), "
        "coalesce(sum(case when n = 1 and not blank then 1 else 0 end), 0), "
        f"coalesce(sum(case when n < {k} and not blank then n else 0 end), 0), "
        "coalesce(sum(case when blank then n else 0 end), 0) "
        f"from (select count(*) as n, {blank} as blank from ({select}) as t group by {cell}) as cells"
    )

"""Stable ids, and a record of every change to them.

A person or entity keeps its id while its records change: the id is derived from the cluster's key (a
valid identifier, or the cluster's first record), and record ids do not change across days. When
linkage merges two clusters, splits one, or a cluster's key changes (an identifier corrected), some
records move to another id: each such move is appended to `linkage.<subject>_id_changes` (old id, new id,
when, why, how many records), which the marts publish as `<subject>.id_changes`.

Every record whose link changed in any way (another id, another match, new, gone) is also listed in
`linkage.<subject>_links_changed`, with its id before and after, until the marts have been built from the
links (`forget_link_changes`): the models kept entity by entity compute again the entities those records
left or joined, and the source maps those records (`int_person_changes`, `int_entity_changes`). A build
killed before its marts leaves the list to the next, which adds its own changes to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.engines.base import Workspace

CHANGES_COLUMNS = "old_id, new_id, changed_at, reason, records"


def keep_previous_links(ws: Workspace, links: str) -> str | None:
    """The links the last run wrote, set aside before they are replaced; None on the first run. A run killed
    after setting them aside and before writing its own left them aside: they are still the last links."""
    previous = f"{links}_previous"
    if ws.exists(links):
        ws.set_aside(links, previous)
    elif not ws.exists(previous):
        return None
    return previous


def record_link_changes(ws: Workspace, changes: str, links: str, id_column: str, previous: str | None) -> str:
    """Add to `changes` every record whose link differs from `previous` (another id or match, new, gone):
    (source_record_id, old_id, new_id). Without `previous` (a first run), or where no run listed its changes
    yet, every record is listed. Returns the scratch table of this run's changes."""
    now = "link_changes_now"
    if previous is None or not ws.exists(changes):
        every = f"select source_record_id, cast(null as varchar) as old_id, {id_column} as new_id from {links}"
        if previous is not None:
            every += f" union all select source_record_id, {id_column}, cast(null as varchar) from {previous}"
        ws.execute(f"create or replace table {now} as {every}")
        ws.execute(f"create or replace table {changes} as select * from {now}")
        return now
    differs = " or ".join(f"n.{c} is distinct from p.{c}" for c in ws.columns(links) if c != "source_record_id")
    ws.execute(
        f"""create or replace table {now} as
        select coalesce(n.source_record_id, p.source_record_id) as source_record_id,
               p.{id_column} as old_id, n.{id_column} as new_id
        from {links} as n full join {previous} as p on n.source_record_id = p.source_record_id
        where n.source_record_id is null or p.source_record_id is null or {differs}"""
    )
    ws.replace_rows(changes, "false", f"select * from {now}")
    return now


def forget_link_changes(ws: Workspace, changes: str) -> None:
    """Once the marts are built from the links: their changes are taken in."""
    if ws.exists(changes):
        ws.replace_rows(changes, "true")


def record_id_changes(
    ws: Workspace, changes: str, links: str, id_column: str, previous: str | None, changed: str
) -> int:
    """Append this run's id changes to `changes` (created empty on the first run); returns how many.
    `changed`: this run's link changes (`record_link_changes`). A move's reason counts every record of
    the ids it is between, and only those: the ids the changed records left or joined."""
    empty = (
        "select cast(null as varchar) as old_id, cast(null as varchar) as new_id, "
        "cast(null as timestamp) as changed_at, cast(null as varchar) as reason, cast(null as bigint) as records "
        "where false"
    )
    earlier = f"{changes}_earlier"
    if ws.exists(changes):
        ws.execute(f"create or replace table {earlier} as select {CHANGES_COLUMNS} from {changes}")
    else:
        ws.execute(f"create or replace table {earlier} as {empty}")
    if previous is None:
        new = empty
    else:
        at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        new = f"""
        with moved as (
            select p.{id_column} as old_id, n.{id_column} as new_id
            from {previous} as p inner join {links} as n using (source_record_id)
            where p.{id_column} in (select old_id from {changed}) or n.{id_column} in (select new_id from {changed})
        ),
        fan_in as (select new_id, count(distinct old_id) as old_ids from moved group by new_id),
        fan_out as (select old_id, count(distinct new_id) as new_ids from moved group by old_id)
        select moved.old_id, moved.new_id, cast('{at}' as timestamp) as changed_at,
            case
                when fan_in.old_ids > 1 then 'merged'
                when fan_out.new_ids > 1 then 'split'
                else 'rekeyed'
            end as reason,
            count(*) as records
        from moved
        inner join fan_in using (new_id)
        inner join fan_out using (old_id)
        where moved.old_id <> moved.new_id
        group by moved.old_id, moved.new_id, fan_in.old_ids, fan_out.new_ids"""
    ws.execute(f"create or replace table id_changes_now as {new}")
    ws.execute(
        f"create or replace table {changes} as select {CHANGES_COLUMNS} from {earlier} "
        f"union all select {CHANGES_COLUMNS} from id_changes_now"
    )
    return ws.fetch("select count(*) from id_changes_now")[0][0]

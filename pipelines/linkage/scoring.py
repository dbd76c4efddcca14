"""Score the pairs a linkage run needs: every candidate pair, or only those the records changed since the
last run take part in.

With a kept model and the term frequencies kept with it, a pair's score depends on its two records alone.
So a run after one with the same model scores only the pairs with a record new or changed since
(`linkage.<subject>_scored` holds the records as they were last scored, `_scored_by` the model that scored
them), keeps the last run's edges between records that did not change, and drops those of records gone:
the edges scoring every pair again would give, at the cost of the day's records. The records' state is
brought up to date by the day's records too, where the engine can delete rows (`Workspace.sync_table`).
Unresolved records (no valid identifier) are scored against the identified ones (`predict_between`) and
against each other (`predict_within`), as in a full run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipelines.catalog.subjects import EDGE_FLOOR

if TYPE_CHECKING:
    from pipelines.engines.base import Workspace

SCHEMA = "linkage"


def scored_state(ws: Workspace, subject: str) -> str:
    """The warehouse table of the records as the last run scored them."""
    return ws.warehouse(SCHEMA, f"{subject}_scored")


def _follows_on(ws: Workspace, subject: str, model_key: str) -> bool:
    """Whether the last run scored with this model, and its edges and records are there to go on from."""
    table, edges, scored = f"{subject}_input", ws.warehouse(SCHEMA, f"{subject}_edges"), scored_state(ws, subject)
    by = f"{scored}_by"
    if not (ws.exists(edges) and ws.exists(scored) and ws.exists(by)):
        return False
    return ws.fetch(f"select model_key from {by}") == [(model_key,)] and ws.columns(scored) == ws.columns(table)


def score(ws: Workspace, db_api, linker, subject: str, model_key: str) -> tuple[int, bool]:
    """Write `linkage.<subject>_edges` (pairs at or above EDGE_FLOOR), scored by the model `model_key` names:
    only the pairs of records changed since the last run when it scored with the same model, else every
    pair. Returns (pairs scored, whether only the changed records' were)."""
    table, edges = f"{subject}_input", ws.warehouse(SCHEMA, f"{subject}_edges")
    follow_on = _follows_on(ws, subject, model_key)
    scored = scored_state(ws, subject)
    if follow_on:
        pairs = _score_changed(ws, db_api, linker, subject)
        ws.sync_table(scored, table, "source_record_id", f"{table}_touched")
    else:
        unresolved, resolved = db_api.register(f"{table}_unresolved"), db_api.register(f"{table}_resolved")
        # levels no labelled pair reached (e.g. a homophone name) keep Splink's default m: expected, not news
        predictions = [
            linker.inference.predict_between(unresolved, resolved, warning_mode="never"),
            linker.inference.predict_within(unresolved, warning_mode="never"),
        ]
        pairs = _write_edges(ws, edges, [p.physical_name for p in predictions])
        ws.execute(f"create or replace table {scored} as select * from {table}")
    ws.execute(f"create or replace table {scored}_by as select '{model_key}' as model_key")
    return pairs, follow_on


def _write_edges(ws: Workspace, edges: str, scored: list[str], stale: str | None = None) -> int:
    """`edges` from the scored pairs' tables: all of them, or (`stale`: a condition on the last run's edges)
    in place of the last run's edges it selects. Returns pairs scored."""
    columns = ", ".join(ws.columns(scored[0] if stale is None else edges))
    parts = " union all ".join(f"select {columns} from {t} where match_probability >= {EDGE_FLOOR}" for t in scored)
    if stale is None:
        ws.execute(f"create or replace table {edges} as {parts}")
    else:
        ws.replace_rows(edges, stale, parts or None)
    return sum(ws.fetch(f"select count(*) from {t}")[0][0] for t in scored)


def _score_changed(ws: Workspace, db_api, linker, subject: str) -> int:
    """The edges of a run that follows on the last: the last run's between unchanged records, and the pairs
    with a changed record scored now. Returns pairs scored."""
    t, edges, scored = f"{subject}_input", ws.warehouse(SCHEMA, f"{subject}_edges"), scored_state(ws, subject)
    ws.execute(f"create or replace table {t}_changed as {ws.changed_keys(t, scored, 'source_record_id')}")
    ws.execute(
        f"""create or replace table {t}_touched as
        select source_record_id from {t}_changed
        union select source_record_id from {scored} where source_record_id not in (select source_record_id from {t})"""
    )
    touched = f"select source_record_id from {t}_touched"
    stale = f"source_record_id_l in ({touched}) or source_record_id_r in ({touched})"
    changed = f"source_record_id in (select source_record_id from {t}_changed)"
    for side in ("resolved", "unresolved"):
        ws.execute(f"create or replace table {t}_{side}_changed as select * from {t}_{side} where {changed}")
    ws.execute(f"create or replace table {t}_unresolved_unchanged as select * from {t}_unresolved where not {changed}")
    count = {n: ws.fetch(f"select count(*) from {t}_{n}")[0][0] for n in ("unresolved_changed", "resolved_changed")}

    def frame(name: str):
        return db_api.register(f"{t}_{name}")

    new: list[str] = []
    if count["unresolved_changed"]:
        changed = frame("unresolved_changed")
        between = linker.inference.predict_between(changed, frame("resolved"), warning_mode="never")
        within = linker.inference.predict_within(changed, warning_mode="never")
        others = linker.inference.predict_between(changed, frame("unresolved_unchanged"), warning_mode="never")
        ws.execute(f"create or replace table {t}_others as {_as_within(ws, others.physical_name)}")
        new += [between.physical_name, within.physical_name, f"{t}_others"]
    if count["resolved_changed"]:
        unchanged = frame("unresolved_unchanged")
        new.append(
            linker.inference.predict_between(unchanged, frame("resolved_changed"), warning_mode="never").physical_name
        )
    return _write_edges(ws, edges, new, stale)  # with nothing new, the touched records' old edges still go


def _as_within(ws: Workspace, pairs: str) -> str:
    """SQL: pairs of unresolved records oriented as `predict_within` orients them, the lesser record id on
    the left (left and right columns swapped where it is on the right)."""
    columns = ws.columns(pairs)
    swap = "source_record_id_l > source_record_id_r"
    selected = []
    for c in columns:
        other = {"_l": "_r", "_r": "_l"}.get(c[-2:])
        if other and f"{c[:-2]}{other}" in columns:
            selected.append(f"case when {swap} then {c[:-2]}{other} else {c} end as {c}")
        else:
            selected.append(c)
    return f"select {', '.join(selected)} from {pairs}"

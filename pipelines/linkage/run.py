"""Link one subject's records into clusters and write the links to the warehouse (`linkage` schema).

Records with a valid identifier are linked by it, deterministically. The others (identifier missing
or invalid) are scored by Splink against the identified records (`predict_between`): the best match
at or above the threshold decides, unless a second person scores within `REVIEW_MARGIN` of it: such a
record is held for clerical review (`linkage.<subject>_review`, `govlake linkage review`) and links to
no one until a clerk decides (`govlake linkage decide`, `pipelines.linkage.decisions`). Those left over
are scored against each other (`predict_within`) and clustered (connected components); a record
matching nothing is a cluster of its own. An identified record is never merged into another
identifier's cluster, so one bad edge cannot join two citizens.

The model is trained once and kept in the warehouse (`linkage.<subject>_model`, with the term frequencies
it was trained with), as Splink advises: a day's build scores with it rather than learning m and u again
from the whole lake, and scores only the pairs of the records that changed (`pipelines.linkage.scoring`).
It is trained again on `govlake build --full-refresh`, `govlake linkage train`, or when its definition
(`pipelines.linkage.models`) changed; the run after that scores every pair.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.engines import engine_for
from pipelines.engines.dialects import HOUSE
from pipelines.linkage.id_changes import (
    forget_link_changes,
    keep_previous_links,
    record_id_changes,
    record_link_changes,
)
from pipelines.linkage.scoring import SCHEMA, score
from pipelines.settings import Settings

if TYPE_CHECKING:  # splink is imported only when linking: DAG files import this module
    from pipelines.engines.base import Workspace
    from pipelines.linkage.models import LinkageModel


# an unresolved record whose second-best person scores within this many bits (match weight, log2 of the
# odds) of the best is held for clerical review: a father and son of one name in one household tie
REVIEW_MARGIN = 1.0
U_SAMPLE_RECORDS = 2_000  # every pair of them (~2 million) trains u


@dataclass(frozen=True)
class SubjectTables:
    """Where a linked subject's records and links are: shared by linking, evaluation and explanation."""

    union: str  # the dbt model with one row per record and party
    id_column: str  # the cluster id column of the links (and of the marts)
    id_prefix: str
    truth_kind: str  # its `kind` in the synthetic city's truth/records.csv


SUBJECTS = {
    "population": SubjectTables("int_person_records_unioned", "person_id", "P", "person"),
    "legal_entities": SubjectTables("int_entity_records_unioned", "entity_id", "E", "entity"),
}


@dataclass(frozen=True)
class LinkageResult:
    subject: str
    records: int
    identified: int
    unresolved: int
    linked_probabilistically: int
    clusters: int
    pairs_scored: int
    seconds_training: float
    seconds_scoring: float
    seconds_total: float
    trained: bool = True  # False: scored with the model stored by an earlier run
    changed_only: bool = False  # True: only the pairs of records changed since the last run were scored

    @property
    def pairs_per_second(self) -> float:
        return self.pairs_scored / self.seconds_scoring if self.seconds_scoring else 0.0


def cluster_id(subject: str, cluster_key: str) -> str:
    """SQL for the stable id of the cluster keyed `cluster_key` (a valid identifier, or a record's id)."""
    return f"'{SUBJECTS[subject].id_prefix}' || substr(sha256('{subject}:' || {cluster_key}), 1, 15)"


def link_changes_table(ws: Workspace, subject: str) -> str:
    """The records whose link changed since the marts were last built (`id_changes.record_link_changes`)."""
    return ws.warehouse(SCHEMA, f"{subject}_links_changed")


def forget_links_changed(settings: Settings) -> None:
    """The marts are built from the links as they are: no record's link has changed since."""
    with engine_for(settings).workspace() as ws:
        for subject in SUBJECTS:
            forget_link_changes(ws, link_changes_table(ws, subject))


def review_queue(settings: Settings, subject: str) -> list[dict]:
    """Records held for clerical review, each with the people it reaches within `REVIEW_MARGIN`."""
    engine = engine_for(settings)
    if not engine.has_mart(SCHEMA, f"{subject}_review"):
        return []
    return engine.query(
        f"select * from {SCHEMA}.{subject}_review order by source_record_id, match_weight desc, matched_record_id"
    ).to_pylist()


def _pinyin(name: str | None) -> str | None:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name)) if name else None


def _name_pinyin(ws: Workspace, features: str) -> str:
    """The warehouse table of the pinyin of every name the records give now. pypinyin runs in Python (7 s for
    the 114,000 names of a million people), so each name is converted once, the first run it appears in,
    and again only under another version of pypinyin; names no record gives any more are dropped."""
    from importlib.metadata import version

    import pyarrow as pa

    converter = f"pypinyin {version('pypinyin')}"
    cache, kept = ws.warehouse(SCHEMA, "name_pinyin"), ws.warehouse(SCHEMA, "name_pinyin_kept")
    names = f"select distinct person_name from {features} where person_name is not null"
    parts = ["select person_name, name_pinyin, converter from _pinyin_new"]
    if ws.exists(cache):  # a table of its own: Spark cannot read and replace one
        ws.execute(
            f"""create or replace table {kept} as select person_name, name_pinyin, converter from {cache}
            where converter = '{converter}' and person_name in ({names})"""
        )
        names += f" and person_name not in (select person_name from {kept})"
        parts.append(f"select person_name, name_pinyin, converter from {kept}")
    new = [r[0] for r in ws.fetch(names)]
    schema = pa.schema([("person_name", pa.string()), ("name_pinyin", pa.string()), ("converter", pa.string())])
    rows = {"person_name": new, "name_pinyin": [_pinyin(n) for n in new], "converter": [converter] * len(new)}
    ws.register("_pinyin_new", pa.table(rows, schema=schema))
    ws.execute(f"create or replace table {cache} as {' union all '.join(parts)}")
    return cache


def _prepare_input(ws: Workspace, model: LinkageModel) -> None:
    table = f"{model.subject}_input"
    features = ws.warehouse("intermediate", model.features)
    if model.subject == "population":
        # pinyin: homophones and characters OpenCC does not convert still meet
        pinyin = _name_pinyin(ws, features)
        kept = [f"f.{c}" for c in ws.columns(features) if c != "birth_date"]
        ws.execute(
            f"""create or replace table {table} as
            select {", ".join(kept)}, cast(f.birth_date as varchar) as birth_date, p.name_pinyin
            from {features} f left join {pinyin} p on p.person_name = f.person_name
            where f.is_linkable"""
        )
    else:
        ws.execute(f"create or replace table {table} as select * from {features} where is_linkable")
    # views: a day that changed no unresolved record reads the resolved ones not at all (3 s to copy at 1M people)
    for side, where in (("resolved", "is not null"), ("unresolved", "is null")):
        ws.execute(
            f"create or replace temporary view {table}_{side} as select * from {table} where {model.identifier} {where}"
        )


def definition_digest(model: LinkageModel) -> str:
    """What a trained model was trained as: its comparisons, blocking rules and training sample. A model
    stored under another digest is trained again. Taken before training: Splink's linker fills in the
    settings it was given."""
    definition = [model.settings.create_settings_dict("duckdb"), model.identifier, U_SAMPLE_RECORDS]
    return hashlib.sha256(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()


def _model_table(ws: Workspace, subject: str) -> str:
    return ws.warehouse(SCHEMA, f"{subject}_model")


def _model_key(settings_json: str) -> str:
    """Which trained model this is (each training stores a new linker id in it)."""
    return hashlib.sha256(settings_json.encode()).hexdigest()


def _stored_model(ws: Workspace, model: LinkageModel, digest: str) -> tuple[dict, str] | None:
    """The model an earlier run trained and stored, if it was trained as defined now (`digest`), and its key."""
    table = _model_table(ws, model.subject)
    if not ws.exists(table) or "definition_digest" not in ws.columns(table):
        return None
    if not all(ws.exists(_tf_table(ws, model.subject, c)) for c in model.tf_columns):
        return None
    rows = ws.fetch(f"select settings_json, definition_digest from {table}")
    return (json.loads(rows[0][0]), _model_key(rows[0][0])) if rows and rows[0][1] == digest else None


def _tf_table(ws: Workspace, subject: str, column: str) -> str:
    return ws.warehouse(SCHEMA, f"{subject}_model_tf_{column}")


def _store_model(ws: Workspace, model: LinkageModel, digest: str, linker) -> str:
    """Keep the trained model, and the term frequencies of the records it was trained on: a pair scores
    the same on every later day, whatever records came since. Returns its key."""
    import pyarrow as pa

    for column in model.tf_columns:
        frequencies = linker.table_management.compute_tf_table(column)
        ws.execute(
            f"create or replace table {_tf_table(ws, model.subject, column)} as select * from {frequencies.physical_name}"
        )
    trained = json.dumps(linker.misc.save_model_to_json(), ensure_ascii=False)
    ws.register("_model", pa.table({"settings_json": [trained], "definition_digest": [digest]}))
    ws.execute(f"create or replace table {_model_table(ws, model.subject)} as select * from _model")
    return _model_key(trained)


def _use_kept_frequencies(ws: Workspace, db_api, linker, model: LinkageModel) -> None:
    for column in model.tf_columns:
        ws.execute(f"create or replace table _tf_{column} as select * from {_tf_table(ws, model.subject, column)}")
        linker.table_management.register_term_frequency_lookup(db_api.register(f"_tf_{column}"), column)


def _train(ws: Workspace, db_api, model: LinkageModel):
    """The trained linker: u from every pair of the fixed sample, m from the records sharing a valid
    identifier, the prior from those pairs too; each step deterministic, whatever the engine."""
    from splink import Linker, block_on

    table = f"{model.subject}_input"
    # u is estimated on every pair of a fixed sample, chosen by a digest of the record id: the same
    # records on every engine and every run, so both engines learn the same model
    ws.execute(
        f"create or replace table {table}_u_sample as select * from {table} "
        f"order by md5(source_record_id) limit {U_SAMPLE_RECORDS}"
    )
    sampler = Linker(db_api.register(f"{table}_u_sample"), model.settings, log_level=logging.WARNING)
    # one chunk, no early stop: Splink would otherwise stop after the chunks (chosen by the engine's own
    # hash) that gave every level 100 observations, a different subset of pairs on each engine
    sampler.training.estimate_u_using_random_sampling(
        max_pairs=U_SAMPLE_RECORDS**2, seed=7, min_count_per_level=None, num_chunks=1
    )
    linker = Linker(db_api.register(table), sampler.misc.save_model_to_json(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on(model.identifier)], recall=0.95)
    linker.training.estimate_m_from_label_column(model.identifier)
    return linker


def train(settings: Settings, subject: str) -> float:
    """Train `subject`'s model on the records in the warehouse now and store it for the builds that follow
    (`govlake linkage train`). Returns seconds; ValueError when no build has made its records yet."""
    from pipelines.linkage.models import MODELS

    started = time.perf_counter()
    model = MODELS[subject]()
    digest = definition_digest(model)
    with engine_for(settings).workspace() as ws:
        if not ws.exists(ws.warehouse("intermediate", model.features)):
            raise ValueError("no records to train on: run `govlake build` first")
        _prepare_input(ws, model)
        _store_model(ws, model, digest, _train(ws, ws.splink_api(), model))
    return time.perf_counter() - started


def link(
    settings: Settings,
    subject: str,
    threshold: float,
    older_than: dict[str, str] | None = None,
    decisions: list[tuple[str, str]] = (),
    retrain: bool = False,
) -> LinkageResult:
    """Link `subject`'s records in the warehouse; writes `linkage.<subject>_links` and `_edges` there.
    `decisions`: (record, person id) pairs a clerk decided (`pipelines.linkage.decisions`). The stored
    model scores them, unless `retrain` or there is none trained as the model is defined now."""
    from splink import Linker

    from pipelines.linkage.models import MODELS

    started = time.perf_counter()
    model = MODELS[subject]()
    digest = definition_digest(model)
    with engine_for(settings).workspace() as ws:
        _prepare_input(ws, model)
        table = f"{subject}_input"
        db_api = ws.splink_api()
        stored = None if retrain else _stored_model(ws, model, digest)
        if stored is None:
            linker = _train(ws, db_api, model)
            key = _store_model(ws, model, digest, linker)
        else:
            linker = Linker(db_api.register(table), stored[0], log_level=logging.WARNING)
            key = stored[1]
        trained = time.perf_counter()
        _use_kept_frequencies(ws, db_api, linker, model)
        pairs, changed_only = score(ws, db_api, linker, subject, key)
        scored = time.perf_counter()
        id_column, links = SUBJECTS[subject].id_column, ws.warehouse(SCHEMA, f"{subject}_links")
        rules, link_changes = (threshold, older_than or {}, decisions), link_changes_table(ws, subject)
        if changed_only and ws.exists(links) and ws.exists(link_changes):
            changed, previous = _update_links(ws, db_api, model, rules, links, link_changes)
        else:
            previous = keep_previous_links(ws, links)
            _write_links(ws, db_api, model, *rules, target=links)
            changed = record_link_changes(ws, link_changes, links, id_column, previous)
        record_id_changes(ws, ws.warehouse(SCHEMA, f"{subject}_id_changes"), links, id_column, previous, changed)
        counts = ws.fetch(
            f"""select count(*), count(*) filter (where match_method = 'identifier'),
                       count(*) filter (where match_method != 'identifier'),
                       count(*) filter (where match_method = 'probabilistic'), count(distinct cluster_key)
                from {links}"""
        )[0]
    seconds = (trained - started, scored - trained, time.perf_counter() - started)
    return LinkageResult(subject, *counts, pairs, *seconds, trained=stored is None, changed_only=changed_only)


def _record(source_record_id: str) -> str:
    """SQL: the record a party's `source_record_id` (department/resource/record key/party) belongs to."""
    return f"regexp_replace({source_record_id}, '/[^/]*$', '')"


def _different_records(edges: str) -> str:
    """SQL: the edge joins parties of two different records. The parties one record names (a father and
    the newborn on one birth certificate, of one name) are different people, whatever their scores."""
    return f"{_record(f'{edges}.source_record_id_l')} != {_record(f'{edges}.source_record_id_r')}"


def _update_links(
    ws: Workspace, db_api, model: LinkageModel, rules: tuple, links: str, link_changes: str
) -> tuple[str, str]:
    """The links of a run that scored only the records changed since the last (`score`), updated in place:
    a record linked by its identifier keeps its link until it changes, so only the touched records'
    (changed, new or gone) are written again, with every record linked otherwise (the unresolved records,
    clustered anew: a few percent of them). Rewriting all 2.85M links of a million people cost 3.8 s a day.
    Returns this run's link changes (`record_link_changes`) and a view of the links as they were before."""
    t, id_column = model.subject, SUBJECTS[model.subject].id_column
    touched, fresh, replaced = f"{t}_input_touched", f"{t}_links_fresh", f"{t}_links_replaced"
    _write_links(ws, db_api, model, *rules, target=fresh, only=touched)
    stale = (
        f"source_record_id in (select source_record_id from {fresh}) "
        f"or source_record_id in (select source_record_id from {touched})"
    )  # every record linked otherwise is in `fresh`: its old link goes, however it was linked
    ws.execute(f"create or replace table {replaced} as select * from {links} where {stale}")
    ws.replace_rows(links, stale, f"select * from {fresh}")
    changed = record_link_changes(ws, link_changes, fresh, id_column, replaced)
    before = f"{t}_links_before"  # the rows kept, and those the run replaced
    ws.execute(
        f"create or replace temporary view {before} as select * from {links} "
        f"where source_record_id not in (select source_record_id from {fresh}) union all select * from {replaced}"
    )
    return changed, before


def _write_links(
    ws: Workspace,
    db_api,
    model: LinkageModel,
    threshold: float,
    older_than: dict[str, str],
    decisions: list[tuple[str, str]],
    target: str,
    only: str | None = None,
) -> None:
    """The links (into `target`, with the review queue) from the scored edges; `decisions`: (record,
    person id) pairs a clerk decided for records held for review. `only`: a table of record ids, the only
    records linked by their identifier written (every record linked otherwise is)."""
    import pyarrow as pa
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    t, edges = model.subject, ws.warehouse(SCHEMA, f"{model.subject}_edges")
    review, tables = ws.warehouse(SCHEMA, f"{model.subject}_review"), SUBJECTS[model.subject]
    # a parent is older than the newborn its record names: never the person born on or after that day
    older, born_after = "", ""
    if older_than:
        pairs = " or ".join(f"(p.party = {HOUSE.lit(a)} and c.party = {HOUSE.lit(b)})" for a, b in older_than.items())
        ws.execute(
            f"""create or replace table {t}_born_before as
            select p.source_record_id, min(c.birth_date) as born_before
            from {t}_input p join {t}_input c
              on {_record("p.source_record_id")} = {_record("c.source_record_id")}
            where ({pairs}) and c.birth_date is not null
            group by p.source_record_id"""
        )
        older = f"left join {t}_born_before b on b.source_record_id = e.source_record_id_l"
        born_after = "and (b.born_before is null or r.birth_date is null or r.birth_date < b.born_before)"
    # every identified person an unresolved record reaches at the threshold, by their best pair
    ws.execute(
        f"""create or replace table {t}_candidates as
        select source_record_id_l as source_record_id, source_record_id_r as matched_record_id,
               match_probability, match_weight, r.{model.identifier} as cluster_key
        from {edges} e join {t}_input_resolved r on r.source_record_id = e.source_record_id_r
        {older}
        where e.match_probability >= {threshold} and {_different_records("e")} {born_after}
        qualify row_number() over (
            partition by source_record_id_l, r.{model.identifier} order by match_weight desc, source_record_id_r
        ) = 1"""
    )
    # two people within REVIEW_MARGIN of the best: a clerk decides, not the order of the records
    ws.execute(
        f"""create or replace table {t}_held as
        with ranked as (
            select *, max(match_weight) over (partition by source_record_id) as best_weight
            from {t}_candidates
        ),
        contenders as (select * from ranked where match_weight >= best_weight - {REVIEW_MARGIN})
        select source_record_id, {cluster_id(model.subject, "cluster_key")} as candidate_{tables.id_column},
               cluster_key, matched_record_id, match_probability, match_weight
        from contenders
        where source_record_id in (
            select source_record_id from contenders group by source_record_id having count(*) > 1
        )"""
    )
    ws.register(
        f"{t}_decisions",
        pa.table(
            {"source_record_id": [d[0] for d in decisions], "person": [d[1] for d in decisions]},
            schema=pa.schema([("source_record_id", pa.string()), ("person", pa.string())]),
        ),
    )
    # a clerk's decision links the record to the person it names, while it is still one of the candidates
    ws.execute(
        f"""create or replace table {t}_decided as
        select h.source_record_id, h.matched_record_id, h.match_probability, h.cluster_key
        from {t}_held h join {t}_decisions d
          on d.source_record_id = h.source_record_id and d.person = h.candidate_{tables.id_column}"""
    )
    ws.execute(
        f"""create or replace table {review} as
        select source_record_id, candidate_{tables.id_column}, matched_record_id, match_probability, match_weight
        from {t}_held where source_record_id not in (select source_record_id from {t}_decided)"""
    )
    ws.execute(
        f"""create or replace table {t}_best as
        select source_record_id, matched_record_id, match_probability, cluster_key
        from {t}_candidates
        where source_record_id not in (select source_record_id from {t}_held)
        qualify row_number() over (partition by source_record_id order by match_weight desc, matched_record_id) = 1"""
    )
    ws.execute(
        f"""create or replace table {t}_rest as
        select source_record_id from {t}_input_unresolved
        where source_record_id not in (select source_record_id from {t}_best)
          and source_record_id not in (select source_record_id from {t}_held)"""
    )
    ws.execute(
        f"""create or replace table {t}_rest_edges as
        select e.source_record_id_l, e.source_record_id_r, e.match_probability from {edges} e
        where {_different_records("e")}
          and e.source_record_id_l in (select source_record_id from {t}_rest)
          and e.source_record_id_r in (select source_record_id from {t}_rest)"""
    )
    clusters = cluster_pairwise_predictions_at_threshold(
        f"{t}_rest", f"{t}_rest_edges", db_api, "source_record_id", threshold_match_probability=threshold
    )
    scope = "" if only is None else f"where source_record_id in (select source_record_id from {only})"
    ws.execute(
        f"""create or replace table {target} as
        with identified as (
            select source_record_id, {model.identifier} as cluster_key, 'identifier' as match_method,
                   cast(1.0 as double) as match_probability, cast(null as varchar) as matched_record_id
            from {t}_input_resolved {scope}
        ),
        to_identified as (
            select source_record_id, cluster_key, 'probabilistic' as match_method, match_probability, matched_record_id
            from {t}_best
            union all
            select source_record_id, cluster_key, 'clerical' as match_method, match_probability, matched_record_id
            from {t}_decided
        ),
        rest_pairs as (
            select source_record_id_l as id, source_record_id_r as matched_record_id, match_probability
            from {t}_rest_edges where match_probability >= {threshold}
            union all
            select source_record_id_r, source_record_id_l, match_probability
            from {t}_rest_edges where match_probability >= {threshold}
        ),
        best_rest as (
            select * from rest_pairs
            qualify row_number() over (partition by id order by match_probability desc, matched_record_id) = 1
        ),
        clustered as (
            select c.source_record_id, 'record:' || c.cluster_id as cluster_key,
                   case when count(*) over (partition by c.cluster_id) > 1 then 'probabilistic' else 'unmatched' end
                       as match_method,
                   b.match_probability, b.matched_record_id
            from {clusters.physical_name} c
            left join best_rest b on b.id = c.source_record_id
        ),
        held as (
            select distinct source_record_id, 'review:' || source_record_id as cluster_key, 'review' as match_method,
                   cast(null as double) as match_probability, cast(null as varchar) as matched_record_id
            from {review}
        ),
        linked as (
            select * from identified union all select * from to_identified union all select * from clustered
            union all select * from held
        )
        select source_record_id, {cluster_id(model.subject, "cluster_key")} as {tables.id_column},
               cluster_key, match_method, match_probability, matched_record_id
        from linked"""
    )

"""Score the linkage against the synthetic city's ground truth (`truth/records.csv`).

Pairwise: of all pairs of records put in the same cluster, how many are truly the same person or
entity (precision); of all truly matching pairs, how many were put together (recall). Records the
linkage could not place (quarantined as unidentifiable) count as clusters of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.linkage.run import SCHEMA, SUBJECTS


@dataclass(frozen=True)
class LinkageScore:
    subject: str
    records: int
    true_clusters: int
    predicted_clusters: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(warehouse: Path, truth_dir: Path) -> list[LinkageScore]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(
            "create temp table truth as select * from read_csv(?, all_varchar = true)", [str(truth_dir / "records.csv")]
        )
        return [_score(con, subject, t.union, t.id_column, t.truth_kind) for subject, t in SUBJECTS.items()]
    finally:
        con.close()


def _score(con: duckdb.DuckDBPyConnection, subject: str, union: str, id_column: str, kind: str) -> LinkageScore:
    con.execute(
        f"""create or replace temp table scored as
        select u.source_record_id, t.true_id, coalesce(l.{id_column}, 'unplaced:' || u.source_record_id) as predicted_id
        from intermediate.{union} u
        join truth t on t.department = u.department and t.resource = u.resource
                    and t.record_key = u.record_key and t.role = u.party and t.kind = '{kind}'
        left join {SCHEMA}.{subject}_links l using (source_record_id)"""
    )
    pairs = "sum(n * (n - 1) // 2)"
    row = con.execute(
        f"""select
            (select count(*) from scored),
            (select count(distinct true_id) from scored),
            (select count(distinct predicted_id) from scored),
            (select {pairs} from (select count(*) n from scored group by true_id)),
            (select {pairs} from (select count(*) n from scored group by predicted_id)),
            (select {pairs} from (select count(*) n from scored group by true_id, predicted_id))"""
    ).fetchone()
    return LinkageScore(subject, *(int(v or 0) for v in row))

"""Score the linkage against the synthetic city's ground truth (`truth/records.csv`).

Pairwise: of all pairs of records put in the same cluster, how many are truly the same person or
entity (precision); of all truly matching pairs, how many were put together (recall). Records the
linkage could not place (quarantined as unidentifiable) count as clusters of one.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipelines.engines import engine_for
from pipelines.linkage.run import SCHEMA, SUBJECTS
from pipelines.settings import Settings


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


def evaluate(settings: Settings, truth_dir: Path) -> list[LinkageScore]:
    """Score each linked subject in the settings' warehouse (any engine) against the truth."""
    truth: dict[tuple, str] = {}
    with (truth_dir / "records.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            truth[(r["kind"], r["department"], r["resource"], r["record_key"], r["role"])] = r["true_id"]
    engine = engine_for(settings)
    return [_score(engine, truth, subject, t) for subject, t in SUBJECTS.items()]


def _score(engine, truth: dict[tuple, str], subject: str, t) -> LinkageScore:
    rows = engine.query(
        f"""select u.source_record_id, u.department, u.resource, u.record_key, u.party, l.{t.id_column} as predicted
        from intermediate.{t.union} u left join {SCHEMA}.{subject}_links l using (source_record_id)"""
    ).to_pylist()
    scored = [
        (true_id, r["predicted"] or f"unplaced:{r['source_record_id']}")
        for r in rows
        if (true_id := truth.get((t.truth_kind, r["department"], r["resource"], r["record_key"], r["party"])))
    ]

    def pairs(groups: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    return LinkageScore(
        subject,
        len(scored),
        len({a for a, _ in scored}),
        len({b for _, b in scored}),
        pairs(Counter(a for a, _ in scored)),
        pairs(Counter(b for _, b in scored)),
        pairs(Counter(scored)),
    )

"""How well the subject databases' history matches a living city's truth (`truth/events.csv`).

For every dated event the truth records (a move, a marriage, a death, a birth, a change of legal
representative, a deregistration, a licence renewal or revocation), the history must hold a version of
that attribute with that value beginning on that day. Events whose only source had not delivered yet by
the end of the timeline (health's late monthly file, civil affairs' quarterly workbook) are counted apart:
no platform could know them. A version beginning inside the timeline that no event explains is spurious
(a version with no earlier one is a first value, not a change: a newborn, a record first delivered).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from pipelines.engines import engine_for
from pipelines.settings import Settings

ENTITY_ATTRIBUTES = {"legal_rep_citizen_id": "legal_rep_person_id", "entity_status": "entity_status"}


@dataclass
class HistoryScore:
    events: int = 0
    found: int = 0
    awaiting_delivery: int = 0
    spurious: int = 0
    persons: int = 0
    missing: Counter = field(default_factory=Counter)

    @property
    def share_found(self) -> float:
        due = self.events - self.awaiting_delivery
        return self.found / due if due else 1.0

    @property
    def spurious_per_1000_persons(self) -> float:
        return 1000 * self.spurious / self.persons if self.persons else 0.0


def _events(city: Path) -> list[dict]:
    with (city / "truth" / "events.csv").open(encoding="utf-8", newline="") as f:
        return [e for e in csv.DictReader(f) if e["attribute"]]


def _citizen_ids(city: Path, events: list[dict]) -> dict[str, str]:
    with (city / "truth" / "persons.csv").open(encoding="utf-8", newline="") as f:
        ids = {p["person_id"]: p["citizen_id"] for p in csv.DictReader(f)}
    ids.update({e["true_id"]: e["value"] for e in events if e["event"] == "birth" and e["attribute"] == "citizen_id"})
    return ids


def _last_health_delivery(city: Path) -> str:
    """The latest month health has delivered (its monthly files are named by month)."""
    months = [p.stem.split("_")[1] for p in (city / "health" / "deaths").glob("deaths_*.csv")]
    return max(months, default="")


def evaluate_history(settings: Settings, city: Path, start: date) -> HistoryScore:
    events = _events(city)
    citizen = _citizen_ids(city, events)
    with engine_for(settings).workspace() as s:
        ph, le, lh, lic, pp = (
            s.warehouse(*t.split("."))
            for t in (
                "population.persons_history",
                "legal_entities.legal_entities",
                "legal_entities.legal_entities_history",
                "licences.licences_history",
                "population.persons",
            )
        )
        person_of = {cid: pid for pid, cid in s.fetch(
            f"select distinct person_id, attribute_value from {ph} where attribute = 'citizen_id'"
        )}  # fmt: skip
        persons = {
            (r[0], r[1], r[2], str(r[3])[:10])
            for r in s.fetch(f"select person_id, attribute, attribute_value, valid_from from {ph}")
        }
        entity_versions = {
            (r[0], r[1], r[2], str(r[3])[:10])
            for r in s.fetch(
                "select e.uscc, h.attribute, coalesce(p.citizen_id, h.attribute_value), h.valid_from "
                f"from {lh} h join {le} e using (entity_id) "
                f"left join {pp} p on h.attribute = 'legal_rep_person_id' and p.person_id = h.attribute_value"
            )
        }
        licence_versions = {
            (r[0], r[1], r[2], str(r[3])[:10])
            for r in s.fetch(f"select licence_number, attribute, attribute_value, valid_from from {lic}")
        }
        (n_persons,) = s.fetch(f"select count(*) from {pp}")[0]
        changes = s.fetch(  # versions that replaced an earlier value inside the timeline
            f"select person_id, attribute, attribute_value, valid_from from ("
            f"select *, lag(valid_from) over (partition by person_id, attribute order by valid_from) as earlier "
            f"from {ph}) where earlier is not null and valid_from >= cast('{start.isoformat()}' as timestamp)"
        )
    uscc_of = {e["true_id"]: e["value"] for e in events if e["event"] == "enterprise" and e["attribute"] == "uscc"}
    with (city / "truth" / "entities.csv").open(encoding="utf-8", newline="") as f:
        uscc_of.update({e["entity_id"]: e["uscc"] for e in csv.DictReader(f)})
    health_until = _last_health_delivery(city)
    score = HistoryScore(persons=n_persons)
    explained: set[tuple] = set()
    born: set[tuple[str, str]] = set()
    for e in events:
        on, attribute, value = e["date"], e["attribute"], e["value"]
        if e["kind"] == "person":
            pid = person_of.get(citizen.get(e["true_id"], ""))
            key = (pid, attribute, value, on)
            if e["event"] == "birth":
                born.add((pid, on))
            awaiting = attribute == "death_date" and on[:7] > health_until
            hit = key in persons
            explained.add(key)
        elif e["kind"] == "entity":
            attribute = ENTITY_ATTRIBUTES.get(attribute)
            if attribute is None:
                continue
            hit = (uscc_of.get(e["true_id"]), attribute, value, on) in entity_versions
            awaiting = False
        else:
            hit = (e["true_id"], attribute, value, on) in licence_versions
            awaiting = False
        score.events += 1
        if hit:
            score.found += 1
        elif awaiting:
            score.awaiting_delivery += 1
        else:
            score.missing[f"{e['event']}:{attribute}"] += 1
    for pid, attribute, value, valid_from in changes:
        day = str(valid_from)[:10]
        if (pid, attribute, value, day) not in explained and (pid, day) not in born:
            score.spurious += 1
    return score


def unexplained_id_changes(before: dict[tuple, str], after: dict[tuple, str], changes: set[tuple[str, str]]) -> int:
    """Records whose person id changed between two builds with no `id_changes` row saying so."""
    return sum(
        1 for k in before.keys() & after.keys() if before[k] != after[k] and (before[k], after[k]) not in changes
    )


@dataclass
class LivingCityRun:
    score: HistoryScore
    events: dict[str, int]
    unexplained_id_changes: int
    id_changes: int
    records_followed: int
    seconds: dict[str, float]
    # subjects linked by a model "trained" or "stored", and "changed only": scoring only the changed records' pairs
    linkage_models: dict[str, int] = field(default_factory=dict)


def _person_map(settings: Settings) -> tuple[dict[tuple, str], set[tuple[str, str]]]:
    with engine_for(settings).workspace() as s:
        sources = s.warehouse("population", "person_sources")
        changes = s.warehouse("population", "id_changes")
        mapping = {
            tuple(r[:4]): r[4]
            for r in s.fetch(f"select department, resource, record_key, party, person_id from {sources}")
        }
        moved = {(r[0], r[1]) for r in s.fetch(f"select old_person_id, new_person_id from {changes}")}
    return mapping, moved


def live_city(
    root: Path, people: int, days: int, as_of: date, seed: int = 42, builds: int = 3, then=None, periods: int = 3
) -> LivingCityRun:
    """Generate a city as of `as_of` (its records delivered over `periods` months), live it `days` days
    ingesting every day, build the subject databases `builds` times along the way (ids must stay stable or
    be followed through `id_changes`), score the history. `then(settings)` runs after each build (what
    follows the build in the DAGs)."""
    import time
    from datetime import timedelta

    from pipelines.ingest.runner import ingest
    from pipelines.synth.city import generate_city
    from pipelines.synth.config import CityConfig
    from pipelines.synth.timeline import LivingCity
    from pipelines.transform.build import build_subject_databases

    city, seconds = root / "city", {"ingest": 0.0, "build": 0.0}
    started = time.perf_counter()
    generate_city(CityConfig(people=people, seed=seed, as_of=as_of, periods=periods), city)
    seconds["generate"] = time.perf_counter() - started
    settings = Settings(data_dir=root / "data", source_root=city)
    start = as_of + timedelta(days=1)
    at = {round(days * (i + 1) / builds) for i in range(builds)}
    maps: list[dict[tuple, str]] = []
    moved: set[tuple[str, str]] = set()
    models = {"trained": 0, "stored": 0, "changed only": 0}
    living = LivingCity(city, seed, start)

    def after(on: date) -> None:
        nonlocal moved
        t = time.perf_counter()
        ingest(settings=settings)
        seconds["ingest"] += time.perf_counter() - t
        if (on - as_of).days in at:
            t = time.perf_counter()
            for linked in build_subject_databases(settings).linkage:
                models["trained" if linked.trained else "stored"] += 1
                models["changed only"] += linked.changed_only
            seconds["build"] += time.perf_counter() - t
            if then is not None:  # not the build's seconds
                then(settings)
            mapping, moved = _person_map(settings)
            maps.append(mapping)

    try:
        events = living.live(days, after)
    finally:
        living.close()
    unexplained = sum(unexplained_id_changes(a, b, moved) for a, b in pairwise(maps))
    followed = sum(len(a.keys() & b.keys()) for a, b in pairwise(maps))
    score = evaluate_history(settings, city, start)
    return LivingCityRun(score, events, unexplained, len(moved), followed, seconds, models)

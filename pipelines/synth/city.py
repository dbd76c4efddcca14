"""Generates the whole synthetic city in one streaming pass over its households."""

from __future__ import annotations

import json
import random
import shutil
from collections import deque
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipelines.synth.config import CityConfig
from pipelines.synth.defects import Defects
from pipelines.synth.departments import (
    CivilAffairs,
    Health,
    HumanResourcesSocialSecurity,
    MarketRegulation,
    PublicSecurity,
    Tax,
)
from pipelines.synth.entities import EntityFactory
from pipelines.synth.people import Household, Person, PopulationStream
from pipelines.synth.truth import Truth
from pipelines.synth.vocab import REGULATOR_USCC

PEOPLE_PER_ENTERPRISE = 20
PEOPLE_PER_SOCIAL_ORG = 400
DEPARTMENT_DIRS = [
    "public_security",
    "health",
    "civil_affairs",
    "market_regulation",
    "hr_social_security",
    "tax",
    "truth",
]


def months_ending(as_of: date, n: int) -> list[str]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


class CityGenerator:
    def __init__(self, cfg: CityConfig, out: Path):
        self.cfg, self.out = cfg, out
        for d in DEPARTMENT_DIRS:
            shutil.rmtree(out / d, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(cfg.seed)
        self.truth = Truth(out / "truth")
        self.defects = Defects(self.rng, cfg.rates, self.truth, {d: p.defects for d, p in cfg.profiles.items()})
        self.periods = months_ending(cfg.as_of, cfg.periods)
        args = (cfg, self.rng, self.defects, self.truth, self.periods)
        self.ps = PublicSecurity(*args, out=out)
        self.health = Health(*args, out=out)
        self.civil = CivilAffairs(*args, out=out)
        self.mr = MarketRegulation(*args, out=out)
        self.hr = HumanResourcesSocialSecurity(*args, out=out)
        self.tax = Tax(*args, out=out)
        self.population = PopulationStream(self.rng, cfg.people, cfg.as_of)
        self.factory = EntityFactory(self.rng, cfg.as_of, REGULATOR_USCC)
        self.reps: deque[Person] = deque(maxlen=5_000)
        self.employers: deque[Any] = deque(maxlen=2_000)
        self._enterprise_credit = self._org_credit = 0.0

    def _person_truth(self, p: Person) -> None:
        self.truth.write(
            "persons",
            p.person_id,
            p.citizen_id,
            p.name,
            p.sex,
            p.birth.isoformat(),
            p.ethnicity,
            p.county,
            p.address,
            p.phone,
            p.marital,
            p.household,
            p.relation,
            p.death.isoformat() if p.death else None,
            int(p.in_city),
        )

    def _household(self, h: Household) -> None:
        as_of = self.cfg.as_of
        for p in h.members:
            self._person_truth(p)
        self.ps.household(h)
        couple = h.marriage[:2] if h.marriage else h.divorce[:2] if h.divorce else None
        if h.marriage:
            self.civil.registration(*h.marriage, "结婚")
        if h.divorce:
            husband, wife, married_on, divorced_on = h.divorce
            self._person_truth(wife if not wife.in_city else husband)
            self.civil.registration(husband, wife, married_on, "结婚")
            self.civil.registration(husband, wife, divorced_on, "离婚")
        if couple:
            husband, wife = couple
            for child in wife.children:
                self.health.birth(child, wife, husband)
        for p in h.members:
            if p.death:
                self.health.death(p)
            age = (as_of - p.birth).days / 365.25
            if not p.alive:
                continue
            if 25 <= age <= 70:
                self.reps.append(p)
            if 18 <= age <= 60 and self.employers and self.rng.random() < 0.7:
                employer = self.rng.choice(self.employers)
                start = max(p.birth + timedelta(days=int(18 * 365.25) + 1), employer.established)
                on = start + timedelta(days=self.rng.randrange(0, max(1, (as_of - start).days)))
                self.hr.enrolment(p, employer, min(on, as_of))
        self._enterprise_credit += len(h.members) / PEOPLE_PER_ENTERPRISE
        self._org_credit += len(h.members) / PEOPLE_PER_SOCIAL_ORG
        while self._enterprise_credit >= 1 and self.reps:
            self._enterprise_credit -= 1
            self._enterprise()
        while self._org_credit >= 1 and self.reps:
            self._org_credit -= 1
            org = self.factory.social_org(self.rng.choice(self.reps))
            self.truth.write(
                "entities",
                org.entity_id,
                org.uscc,
                org.name,
                "social_organisation",
                org.org_kind,
                org.status,
                org.division,
                "",
                org.legal_rep.person_id,
                org.established.isoformat(),
            )
            self.civil.social_org(org)

    def _enterprise(self) -> None:
        e = self.factory.enterprise(self.rng.choice(self.reps))
        self.truth.write(
            "entities",
            e.entity_id,
            e.uscc,
            e.name,
            "enterprise",
            e.org_type,
            e.status,
            e.division,
            e.industry,
            e.legal_rep.person_id,
            e.established.isoformat(),
        )
        self.mr.enterprise(e)
        self.tax.taxpayer(e)
        lic = self.factory.food_licence(e)
        if lic:
            self.truth.write(
                "licences",
                lic.licence_id,
                lic.number,
                e.entity_id,
                lic.issued.isoformat(),
                lic.expires.isoformat(),
                lic.status,
            )
            self.mr.licence(lic)
        if e.status == "1":
            self.employers.append(e)

    def run(self, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        for h in self.population:
            self._household(h)
            if progress:
                progress(len(h.members))
        files = []
        for dept in (self.ps, self.health, self.civil, self.mr, self.hr, self.tax):
            files.extend(dept.close())
        if self.cfg.malformed_files:
            from pipelines.synth.malformed import write_malformed_files

            write_malformed_files(self.out, self.truth)
        counts = {
            f"{d.code}/{r}": n
            for d in (self.ps, self.health, self.civil, self.mr, self.hr, self.tax)
            for r, n in sorted(d.counters.items())
        }
        summary = {
            "config": json.loads(self.cfg.model_dump_json(exclude={"public_security_url", "market_regulation_url"})),
            "periods": self.periods,
            "people": self.population.count,
            "people_outside_city": self.population.outsiders,
            "enterprises": self.factory.enterprises,
            "social_organisations": self.factory.social_orgs,
            "food_licences": self.factory.licences,
            "records": counts,
            "defects": self.defects.stats(),
        }
        self.truth.close()
        (self.out / "truth" / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return summary


def generate_city(cfg: CityConfig, out: Path, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write the city's departmental sources and its ground truth under `out`; return the summary."""
    return CityGenerator(cfg, out).run(progress)

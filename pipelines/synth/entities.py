"""Organisations and licences of the synthetic city: enterprises, social organisations, food licences."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.synth.identifiers import UsccIssuer, electronic_licence_id, food_licence_number
from pipelines.synth.people import Person
from pipelines.synth.vocab import (
    FOOD_INDUSTRIES,
    INDUSTRY_WORDS,
    NINGBO_COUNTIES,
    ROADS,
    SOCIAL_ORG_WORDS,
    TRADE_NAMES,
)


@dataclass(slots=True)
class Enterprise:
    entity_id: str
    uscc: str
    name: str
    org_type: str
    status: str  # entity_status code
    division: str
    address: str
    industry: str
    legal_rep: Person
    established: date
    capital: float
    changed_on: date


@dataclass(slots=True)
class SocialOrg:
    entity_id: str
    uscc: str
    name: str
    org_kind: str  # social_org_type code
    status: str
    division: str
    address: str
    legal_rep: Person
    supervisor: str
    established: date
    capital: float


@dataclass(slots=True)
class Licence:
    licence_id: str
    number: str
    holder: Enterprise
    form: str
    issued: date
    expires: date
    status: str  # licence_status code (true status)


class EntityFactory:
    def __init__(self, rng: random.Random, as_of: date, regulator_uscc: str):
        self.rng, self.as_of, self.regulator_uscc = rng, as_of, regulator_uscc
        self.uscc = UsccIssuer(offset=rng.randrange(UsccIssuer.MODULUS))
        self.enterprises = self.social_orgs = self.licences = 0

    def _address(self, county: str) -> str:
        name, towns = NINGBO_COUNTIES[county]
        return f"浙江省宁波市{name}{self.rng.choice(towns)}{self.rng.choice(ROADS)}{self.rng.randrange(1, 1999)}号"

    def enterprise(self, rep: Person) -> Enterprise:
        rng = self.rng
        self.enterprises += 1
        county = rep.county or rng.choice(list(NINGBO_COUNTIES))
        industry, word = rng.choice(INDUSTRY_WORDS)
        individual = rng.random() < 0.3
        org_type = "9100" if individual else rng.choice(["1100", "1100", "1100", "1200", "4000", "4100"])
        trade = "".join(rng.choice(TRADE_NAMES) for _ in range(2))
        city = NINGBO_COUNTIES[county][0].removesuffix("区").removesuffix("县").removesuffix("市")
        if individual:
            name = f"{city}{NINGBO_COUNTIES[county][0][-1]}{trade}{word}店"
        else:
            suffix = {"1100": "有限公司", "1200": "股份有限公司", "4000": "（个人独资）", "4100": "（有限合伙）"}[
                org_type
            ]
            name = f"宁波{trade}{word}{suffix}"
        kind = "2" if individual else "1"
        uscc = self.uscc.issue(rng, "9", kind, county)
        established = self.as_of - timedelta(days=rng.randrange(30, 25 * 365))
        roll = rng.random()
        status = "1" if roll < 0.85 else "3" if roll < 0.93 else "2"
        changed = established + timedelta(days=rng.randrange(0, max(1, (self.as_of - established).days)))
        capital = float(rng.choice([3, 10, 50, 100, 200, 500, 1000, 5000]))
        return Enterprise(
            f"C{self.enterprises:08d}",
            uscc,
            name,
            org_type,
            status,
            county,
            self._address(county),
            industry,
            rep,
            established,
            capital,
            changed,
        )

    def social_org(self, rep: Person) -> SocialOrg:
        rng = self.rng
        self.social_orgs += 1
        county = rep.county or "330203"
        word = rng.choice(SOCIAL_ORG_WORDS)
        kind = "3" if word == "基金会" else "2" if word in ("服务中心", "学校") else "1"
        trade = "".join(rng.choice(TRADE_NAMES) for _ in range(2))
        name = f"宁波市{NINGBO_COUNTIES[county][0]}{trade}{word}"
        uscc = self.uscc.issue(rng, "5", kind, county)
        established = self.as_of - timedelta(days=rng.randrange(200, 20 * 365))
        status = "1" if rng.random() < 0.92 else "3"
        supervisor = rng.choice(["宁波市民政局", "宁波市科学技术协会", "宁波市教育局", "宁波市商务局"])
        return SocialOrg(
            f"S{self.social_orgs:08d}",
            uscc,
            name,
            kind,
            status,
            county,
            self._address(county),
            rep,
            supervisor,
            established,
            float(rng.choice([3, 10, 50, 200])),
        )

    def food_licence(self, holder: Enterprise) -> Licence | None:
        if holder.industry not in FOOD_INDUSTRIES:
            return None
        rng = self.rng
        self.licences += 1
        form = "2" if holder.industry.startswith("H") else "1"
        issued = max(holder.established, self.as_of - timedelta(days=8 * 365)) + timedelta(days=rng.randrange(10, 200))
        issued = min(issued, self.as_of - timedelta(days=1))
        expires = issued + timedelta(days=5 * 365)
        number = food_licence_number(rng, form, holder.division, self.licences)
        licence_id = electronic_licence_id(
            "11100000000013338W011", self.regulator_uscc, f"{issued:%Y}{self.licences:07d}"
        )
        if holder.status != "1":
            status = "2"
        elif expires < self.as_of:
            status = "4"
        else:
            status = "1"
        return Licence(licence_id, number, holder, form, issued, expires, status)

"""Households and the people in them, streamed one household at a time (memory flat in N)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from pipelines.synth.identifiers import CitizenIdIssuer, mobile_phone
from pipelines.synth.vocab import (
    COUNTY_WEIGHTS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    ID_CODE_HISTORY,
    MIGRANT_ORIGINS,
    NINGBO_COUNTIES,
    ROADS,
    SURNAMES,
)

COUNTIES = list(NINGBO_COUNTIES)
COUNTY_CUM = list(accumulate(COUNTY_WEIGHTS))
SURNAME_LIST = [s for s, _ in SURNAMES]
SURNAME_CUM = list(accumulate(w for _, w in SURNAMES))
MINORITIES = ["22", "03", "08", "06", "04", "11", "02", "15"]  # 畲 回 壮 苗 藏 满 蒙古 土家


@dataclass(slots=True)
class Person:
    person_id: str
    surname: str
    name: str
    sex: int  # GB/T 2261.1: 1 male, 2 female
    birth: date
    ethnicity: str
    county: str  # current registered county (GB/T 2260)
    address: str
    citizen_id: str
    household: str
    relation: str  # GB/T 4761 two-digit code, relative to the head
    marital: str  # GB/T 2261.2
    phone: str | None
    death: date | None = None
    in_city: bool = True  # False: an ex-spouse living elsewhere, not on the city's registry
    children: list[Person] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.death is None


@dataclass(slots=True)
class Household:
    number: str
    county: str
    address: str
    members: list[Person]
    marriage: tuple[Person, Person, date] | None  # husband, wife, registration date
    divorce: tuple[Person, Person, date, date] | None  # husband, wife, married on, divorced on


class PopulationStream:
    """Yields households of the city until `people` persons have been generated."""

    def __init__(self, rng: random.Random, people: int, as_of: date):
        self.rng, self.people, self.as_of = rng, people, as_of
        self.ids = CitizenIdIssuer()
        self.count = 0
        self.outsiders = 0

    # --- single attributes -------------------------------------------------------------------
    def _surname(self) -> str:
        return self.rng.choices(SURNAME_LIST, cum_weights=SURNAME_CUM)[0]

    def _given(self, sex: int) -> str:
        pool = GIVEN_MALE if sex == 1 else GIVEN_FEMALE
        n = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.choice(pool) for _ in range(n))

    def _birth(self, age_years: float) -> date:
        return self.as_of - timedelta(days=int(age_years * 365.25) + self.rng.randrange(365))

    def _address(self, county: str) -> str:
        name, towns = NINGBO_COUNTIES[county]
        rng = self.rng
        addr = f"浙江省宁波市{name}{rng.choice(towns)}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
        if rng.random() < 0.7:
            addr += (
                f"{rng.randrange(1, 40)}幢{rng.randrange(1, 6)}单元{rng.randrange(1, 30)}{rng.randrange(1, 4):02d}室"
            )
        return addr

    def _id_code(self, county: str, birth: date, native: bool) -> str:
        if not native:
            return self.rng.choice(MIGRANT_ORIGINS)
        issued = birth.year if birth.year >= 1985 else self.rng.randrange(1985, 1990)
        code = ID_CODE_HISTORY[county][0][1]
        for first_year, c in ID_CODE_HISTORY[county]:
            if issued >= first_year:
                code = c
        return code

    def _person(
        self,
        county: str,
        address: str,
        household: str,
        relation: str,
        sex: int,
        birth: date,
        surname: str | None = None,
        native: bool | None = None,
    ) -> Person:
        rng = self.rng
        self.count += 1
        native = rng.random() < 0.78 if native is None else native
        ethnicity = "01" if rng.random() < 0.985 else rng.choice(MINORITIES)
        age = (self.as_of - birth).days / 365.25
        phone = mobile_phone(rng) if age >= 16 and rng.random() < 0.95 else None
        citizen_id = self.ids.issue(rng, self._id_code(county, birth, native), birth, sex)
        surname = surname or self._surname()
        return Person(
            f"P{self.count:08d}",
            surname,
            surname + self._given(sex),
            sex,
            birth,
            ethnicity,
            county,
            address,
            citizen_id,
            household,
            relation,
            "10",
            phone,
        )

    def _outsider(self, sex: int, birth: date) -> Person:
        self.outsiders += 1
        rng = self.rng
        citizen_id = self.ids.issue(rng, rng.choice(MIGRANT_ORIGINS), birth, sex)
        surname = self._surname()
        return Person(
            f"E{self.outsiders:08d}",
            surname,
            surname + self._given(sex),
            sex,
            birth,
            "01",
            "",
            "",
            citizen_id,
            "",
            "",
            "40",
            mobile_phone(rng),
            in_city=False,
        )

    def _maybe_die(self, p: Person) -> None:
        age = (self.as_of - p.birth).days / 365.25
        risk = 0.002 if age < 50 else 0.02 if age < 70 else 0.08
        if self.rng.random() < risk:
            p.death = self.as_of - timedelta(days=self.rng.randrange(1, 3650))
            if p.death <= p.birth:
                p.death = None

    # --- households -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Household]:
        n = 0
        while self.count < self.people:
            n += 1
            yield self._household(n)

    def _household(self, n: int) -> Household:
        rng = self.rng
        county = rng.choices(COUNTIES, cum_weights=COUNTY_CUM)[0]
        address = self._address(county)
        number = f"{county}{n:08d}"
        head_age = rng.triangular(20, 92, 45)
        head_sex = 1 if rng.random() < 0.78 else 2
        head = self._person(county, address, number, "02", head_sex, self._birth(head_age))
        members = [head]
        marriage = divorce = None
        if head_age > 23 and rng.random() < min(0.9, (head_age - 20) / 12):
            spouse_sex = 3 - head_sex
            spouse_birth = head.birth + timedelta(days=rng.randrange(-5 * 365, 4 * 365))
            if spouse_birth >= self.as_of - timedelta(days=20 * 365):
                spouse_birth = self.as_of - timedelta(days=22 * 365 + rng.randrange(365))
            younger = max(head.birth, spouse_birth)
            married_on = younger + timedelta(days=rng.randrange(21 * 365 + 200, 33 * 365))
            married_on = min(married_on, self.as_of - timedelta(days=1))
            if head_age > 35 and rng.random() < 0.06:  # divorced head; the ex-spouse lives elsewhere
                ex = self._outsider(spouse_sex, spouse_birth)
                husband, wife = (head, ex) if head_sex == 1 else (ex, head)
                divorced_on = married_on + timedelta(days=rng.randrange(365, 12 * 365))
                divorced_on = min(divorced_on, self.as_of - timedelta(days=1))
                head.marital = "40"
                divorce = (husband, wife, married_on, divorced_on)
                mother = wife
            else:
                spouse = self._person(county, address, number, "10", spouse_sex, spouse_birth)
                head.marital = spouse.marital = "20"
                members.append(spouse)
                husband, wife = (head, spouse) if head_sex == 1 else (spouse, head)
                marriage = (husband, wife, married_on)
                mother = wife
            father = husband
            members.extend(self._children(county, address, number, father, mother, married_on, head_sex))
        if head_age < 55 and rng.random() < 0.15:  # an elderly parent lives with the head
            parent_sex = 1 if rng.random() < 0.4 else 2
            parent_birth = head.birth - timedelta(days=rng.randrange(22 * 365, 36 * 365))
            parent = self._person(
                county,
                address,
                number,
                "51" if parent_sex == 1 else "52",
                parent_sex,
                parent_birth,
                head.surname if parent_sex == 1 and head_sex == 1 else None,
            )
            parent.marital = "30"
            members.append(parent)
        for p in members:
            self._maybe_die(p)
        return Household(number, county, address, members, marriage, divorce)

    def _children(
        self, county: str, address: str, number: str, father: Person, mother: Person, married_on: date, head_sex: int
    ) -> list[Person]:
        rng = self.rng
        era = mother.birth.year
        count = (
            rng.choice([1, 2, 2, 3])
            if era < 1955
            else rng.choice([0, 1, 1, 1, 2])
            if era < 1990
            else rng.choice([0, 1, 2])
        )
        children = []
        born = married_on + timedelta(days=rng.randrange(300, 3 * 365))
        for i in range(count):
            if born >= self.as_of:
                break
            sex = 1 if rng.random() < 0.52 else 2
            order = i + 1
            relation = (
                (f"2{min(order + 1, 6)}" if sex == 1 else f"3{min(order + 1, 6)}")
                if count > 1
                else ("21" if sex == 1 else "31")
            )
            child = self._person(county, address, number, relation, sex, born, father.surname, native=True)
            if (self.as_of - born).days > 26 * 365 and rng.random() < 0.2:
                child.marital = "20"  # married but still registered with the parents
            mother.children.append(child)
            children.append(child)
            born = born + timedelta(days=rng.randrange(400, 6 * 365))
        return children

"""Injects defects at configured rates and records each one in the ground truth.

`roll()` counts every eligible value, so the realised rate of each defect kind is known exactly
(`stats()`), and tests can compare it with the configured rate.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from opencc import OpenCC

from pipelines.standards.checksums import ric_check_char
from pipelines.synth.config import DefectRates
from pipelines.synth.truth import Truth
from pipelines.synth.vocab import PLACEHOLDERS

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
BAD_CODES = {
    "sex_code": ["3", "5", "M"],
    "ethnicity_code": ["00", "60", "88"],
    "marital_status": ["50", "11"],
    "division_code": ["330299", "330200X", "339999"],
    "family_relation": ["98", "00"],
    "insurance_type": ["999", "610"],
    "industry_code": ["Z99", "H9999"],
}


class Defects:
    def __init__(self, rng: random.Random, rates: DefectRates, truth: Truth, factors: dict[str, float] | None = None):
        self.rng, self.rates, self.truth = rng, rates, truth
        self._factors = factors or {}  # department -> multiplier of every rate (its quality profile)
        self.eligible: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self._s2t = OpenCC("s2t")
        self.ctx: tuple[str, str, str] = ("", "", "")
        self._rates = rates.model_dump()
        self._random = rng.random

    def at(self, dept: str, resource: str, key: str) -> Defects:
        """Set the record the next rolls apply to."""
        self.ctx = (dept, resource, key)
        return self

    def roll(self, kind: str, field: str, record: bool = True) -> bool:
        """Decide whether this eligible value gets the defect; log it against the current record."""
        self.eligible[kind] += 1
        rate = self._rates[kind] * self._factors.get(self.ctx[0], 1.0)
        if self._random() < rate:
            self.injected[kind] += 1
            if record:
                self.truth.write("defects", *self.ctx, field, kind)
            return True
        return False

    def stats(self) -> dict[str, dict[str, float]]:
        return {
            k: {
                "eligible": self.eligible[k],
                "injected": self.injected[k],
                "rate": round(self.injected[k] / self.eligible[k], 6) if self.eligible[k] else 0.0,
                "configured": getattr(self.rates, k),
            }
            for k in DefectRates.model_fields
        }

    # --- value transformations ------------------------------------------------------------------
    def citizen_id(self, field: str, value: str, birth: date, optional: bool = False) -> str | None:
        """A person's ID number as typed by a clerk: maybe missing, legacy, mistyped."""
        if optional and self.roll("missing_id", field):
            return None
        if birth.year < 2000 and self.roll("legacy_15_digit", field):
            return value[:6] + value[8:17]
        return self.mistyped_id(field, value)

    def mistyped_id(self, field: str, value: str) -> str:
        """An 18-character ID number as a clerk types it: a wrong check character or a lower-case x, digits
        in full width."""
        if self.roll("bad_check_char", field):
            wrong = self.rng.choice([c for c in "0123456789X" if c != ric_check_char(value[:17])])
            value = value[:17] + wrong
        elif value.endswith("X") and self.roll("lowercase_x", field):
            value = value[:17] + "x"
        if self.roll("full_width_digits", field):
            value = value.translate(FULL_WIDTH)
        return value

    def uscc(self, field: str, value: str) -> str:
        if self.roll("bad_check_char", field):
            alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
            value = value[:17] + self.rng.choice([c for c in alphabet if c != value[17]])
        return value

    def name(self, field: str, value: str, required: bool = True) -> str | None:
        if required and self.roll("missing_required", field):
            return None
        traditional = self._s2t.convert(value)
        if traditional != value and self.roll("traditional_chars", field):
            return traditional
        return value

    def code(self, field: str, element: str, value: str) -> str:
        if self.roll("out_of_codelist", field):
            return self.rng.choice(BAD_CODES[element])
        return value

    def optional(self, field: str, value: str | None) -> str | None:
        if value is not None and self.roll("placeholder", field):
            return self.rng.choice(PLACEHOLDERS)
        return value

    def phone(self, field: str, value: str | None) -> str | None:
        value = self.optional(field, value)
        if value is not None and value.isdigit() and self.roll("full_width_digits", field):
            value = value.translate(FULL_WIDTH)
        return value

    def required(self, field: str, value: str | None) -> str | None:
        return None if self.roll("missing_required", field) else value

    def date(self, field: str, value: date, fmt: str, as_of: date) -> str | date:
        """A date as the department writes it (`fmt` a strftime pattern, or 'excel' for a real date)."""
        if self.roll("impossible_date", field):
            y = value.year
            bad = self.rng.choice([(y, 2, 30), (y, 13, 1), (y, 4, 31), (as_of.year + 5, value.month, 1)])
            if fmt == "excel":
                fmt = "%Y-%m-%d"
            return (
                fmt.replace("%Y", f"{bad[0]:04d}")
                .replace("%m", f"{bad[1]:02d}")
                .replace("%d", f"{bad[2]:02d}")
                .replace("%H", "00")
                .replace("%M", "00")
            )
        return value if fmt == "excel" else value.strftime(fmt)

    # --- disagreement with the authoritative source -----------------------------------------------
    def disagree_name(self, field: str, name: str, surname: str) -> str:
        if self.roll("disagreement", field):
            given = name[len(surname) :]
            pool = "伟华明丽芳军红平静敏"
            repl = self.rng.choice([c for c in pool if c != given[-1]])
            return surname + given[:-1] + repl
        return name

    def disagree_birth(self, field: str, birth: date) -> date:
        if self.roll("disagreement", field):
            return birth + timedelta(days=self.rng.choice([-365, -31, -1, 1, 10, 365]))
        return birth

    def disagree_sex(self, field: str, sex: int) -> int:
        return 3 - sex if self.roll("disagreement", field) else sex

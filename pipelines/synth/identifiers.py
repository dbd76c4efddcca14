"""Well-formed national identifiers for synthetic people, organisations and licences."""

from __future__ import annotations

import random
from array import array
from datetime import date

from pipelines.standards.checksums import (
    mod37_36_check_char,
    org_code_check_char,
    ric_check_char,
    uscc_check_char,
)
from pipelines.synth.vocab import MOBILE_PREFIXES


class CitizenIdIssuer:
    """Issues unique GB 11643 numbers.

    The next free sequence per (address code, birth date) lives in a fixed-size array indexed by
    code and day, so memory stays flat however many people are issued numbers.
    """

    EPOCH = date(1880, 1, 1)
    DAYS = (date(2100, 1, 1) - EPOCH).days

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._next: list[array[int]] = []

    def issue(self, rng: random.Random, address_code: str, birth: date, sex: int) -> str:
        slot = self._codes.get(address_code)
        if slot is None:
            slot = self._codes[address_code] = len(self._next)
            self._next.append(array("H", bytes(2 * self.DAYS)))
        counters, day = self._next[slot], (birth - self.EPOCH).days
        k = counters[day] or 1 + rng.randrange(0, 40)  # 0 means unused: start at a random offset
        counters[day] = k + 1 + rng.randrange(0, 3)
        seq = 2 * (k - 1) + (1 if sex == 1 else 2)
        if seq > 999:
            raise RuntimeError(f"sequence space exhausted for {address_code} on {birth}")
        body = f"{address_code}{birth:%Y%m%d}{seq:03d}"
        return body + ric_check_char(body)


class UsccIssuer:
    """Issues unique GB 32100 credit codes with a valid embedded GB 11714 organisation code.

    The 8-character organisation-code body is a bijection of a counter (multiplication by a unit
    modulo 10^8), so codes are unique without remembering the ones issued.
    """

    MODULUS = 10**8
    MULTIPLIER = 48_271  # prime, coprime with 10^8

    def __init__(self, offset: int = 0) -> None:
        self.count = 0
        self.offset = offset

    def issue(self, rng: random.Random, authority: str, org_type: str, division: str) -> str:
        self.count += 1
        body8 = f"{(self.count * self.MULTIPLIER + self.offset) % self.MODULUS:08d}"
        body17 = f"{authority}{org_type}{division}{body8}{org_code_check_char(body8)}"
        return body17 + uscc_check_char(body17)


def mobile_phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def food_licence_number(rng: random.Random, form: str, division: str, serial: int) -> str:
    """食品经营许可证编号: JY + subject form (1 digit) + division (6) + serial (6) + check digit."""
    body = f"{form}{division}{serial % 1_000_000:06d}"
    check = sum(int(c) * (i + 1) for i, c in enumerate(body)) % 10
    return f"JY{body}{check}"


def electronic_licence_id(type_code: str, issuer_uscc: str, serial: str, version: str = "001") -> str:
    """GB/T 36904 identifier: 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<MOD 37,36 check>."""
    check = mod37_36_check_char(f"{type_code}{issuer_uscc}{serial}{version}")
    return f"1.2.156.3005.2.{type_code}.{issuer_uscc}.{serial}.{version}.{check}"

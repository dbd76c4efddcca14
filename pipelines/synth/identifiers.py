"""Well-formed national identifiers for synthetic people, organisations and licences."""

from __future__ import annotations

import random
from datetime import date

from pipelines.standards.checksums import (
    USCC_ALPHABET,
    mod37_36_check_char,
    org_code_check_char,
    ric_check_char,
    uscc_check_char,
)
from pipelines.synth.vocab import MOBILE_PREFIXES

ORG_BODY_CHARS = "0123456789" * 3 + "ABCDEFGHJKLMNPQRTUWXY"  # mostly digits, as issued


class CitizenIdIssuer:
    """Issues unique GB 11643 numbers; the sequence counters are bounded by codes x days, not by people."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, date], int] = {}

    def issue(self, rng: random.Random, address_code: str, birth: date, sex: int) -> str:
        key = (address_code, birth)
        k = self._next.get(key, rng.randrange(0, 40))
        self._next[key] = k + 1 + rng.randrange(0, 3)
        seq = 2 * k + (1 if sex == 1 else 2)
        if seq > 999:
            raise RuntimeError(f"sequence space exhausted for {address_code} on {birth}")
        body = f"{address_code}{birth:%Y%m%d}{seq:03d}"
        return body + ric_check_char(body)


class UsccIssuer:
    """Issues unique GB 32100 credit codes with a valid embedded GB 11714 organisation code."""

    def __init__(self) -> None:
        self._issued: set[str] = set()

    def issue(self, rng: random.Random, authority: str, org_type: str, division: str) -> str:
        while True:
            body8 = "".join(rng.choice(ORG_BODY_CHARS) for _ in range(8))
            org_check = org_code_check_char(body8)
            if org_check not in USCC_ALPHABET:  # never happens for X/0-9, kept for safety
                continue
            body17 = f"{authority}{org_type}{division}{body8}{org_check}"
            if body17 in self._issued:
                continue
            self._issued.add(body17)
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

"""Generated values for every data element, valid ones and the ways departments break them.

The agreement tests feed the same values to the Python, DuckDB and Spark implementations, and the
benchmark scales them up. Seeded, so a failure names a reproducible value. Adversarial forms:
full-width characters, lower-case letters, inner and outer whitespace (ASCII and ideographic),
Unicode look-alikes of digits and letters, placeholders, empty strings, NULL, truncation,
overlong values, and random text from several Unicode blocks.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from pipelines.standards import checksums as alg
from pipelines.standards.registry import load_codelist, load_elements, load_placeholders

LOOKALIKES = {
    "0": "０Оo〇٠",
    "1": "１lI١¹",
    "2": "２²٢",
    "3": "３³٣",
    "5": "５٥",
    "8": "８৪",
    "9": "９٩",
    "X": "ｘХⅩx×",
    "A": "АＡ",
    "B": "ВＢ",
    "M": "МＭ",
    "-": "－—‐",
    ".": "。．",
}
SPACES = [" ", "\t", "\u3000", "  ", "\n", "\v", "\xa0"]
BLOCKS = [(0x20, 0x7E), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E), (0x0400, 0x04FF), (0x3400, 0x3500), (0x1F600, 0x1F64F)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢欧阳司"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华国荣龙凤"


@cache
def _codes(name: str) -> list[str]:
    return sorted({r["code"] for r in load_codelist(name)})


@cache
def _names(name: str) -> list[str]:
    return sorted({r["name_zh"] for r in load_codelist(name) if r.get("name_zh")})


@cache
def _counties() -> list[str]:
    return [c for c in _codes("division_code") if not c.endswith("00")]


def _date(rng: random.Random, start: int = 1900, end: int = 2025) -> date:
    return date(start, 1, 1) + timedelta(days=rng.randrange((date(end, 12, 31) - date(start, 1, 1)).days))


def citizen_id(rng: random.Random) -> str:
    kind = rng.random()
    counties = _counties()
    birth = _date(rng)
    seq = f"{rng.randrange(1000):03d}"
    if kind < 0.05:  # legacy 15-digit number
        return rng.choice(counties) + birth.strftime("%y%m%d") + seq
    prefix = rng.choice(["810000", "820000", "830000"]) if kind < 0.07 else rng.choice(counties)
    if kind > 0.99:  # foreign permanent residence card (2023): leading 9
        prefix = "9" + "".join(rng.choices(string.digits, k=5))
    body = prefix + birth.strftime("%Y%m%d") + seq
    return body + alg.ric_check_char(body)


def organisation_code(rng: random.Random) -> str:
    body = "".join(rng.choices(alg.USCC_ALPHABET, k=8))
    return body + alg.org_code_check_char(body)


def uscc(rng: random.Random) -> str:
    head = rng.choice(_codes("uscc_authority_type")) + rng.choice([*_codes("division_code"), "100000"])
    body = head + organisation_code(rng)
    return body + alg.uscc_check_char(body)


def licence_id(rng: random.Random) -> str:
    parts = [uscc(rng) + f"{rng.randrange(1000):03d}", uscc(rng), str(rng.randrange(10**6, 10**11)), "001"]
    return "1.2.156.3005.2." + ".".join(parts) + "." + alg.mod37_36_check_char("".join(parts))


def person_name(rng: random.Random) -> str:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
    if rng.random() < 0.05:
        name = name + rng.choice("·•・.") + "".join(rng.choices(GIVEN, k=2))
    return name


def address(rng: random.Random) -> str:
    return (
        rng.choice(["浙江省", "广东省", ""])
        + rng.choice(["宁波市", "杭州市"])
        + rng.choice(["海曙区", "鄞州区", "余姚市"])
        + "".join(rng.choices(GIVEN, k=2))
        + rng.choice(["路", "街", "巷"])
        + str(rng.randint(1, 2000))
        + "号"
    )


def date_text(rng: random.Random) -> str:
    d = _date(rng, 1850, 2030)
    layout = rng.choice(["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "{y}-{m}-{d}"])
    if layout.startswith("{"):
        return layout.format(y=d.year, m=d.month, d=d.day)
    text = d.strftime(layout)
    if rng.random() < 0.05:  # impossible dates
        text = text.replace(f"{d.day:02d}", rng.choice(["30", "31", "00", "32"]), 1)
    return text


def mobile_phone(rng: random.Random) -> str:
    number = "1" + rng.choice("3456789") + "".join(rng.choices(string.digits, k=9))
    return rng.choice(["{n}", "+86{n}", "86{n}", "+86 {n}", "{a}-{b}-{c}"]).format(
        n=number, a=number[:3], b=number[3:7], c=number[7:]
    )


def _from_codelist(name: str) -> Callable[[random.Random], str]:
    codes, names = _codes(name), _names(name)
    return lambda rng: rng.choice(names) if names and rng.random() < 0.2 else rng.choice(codes)


VALID: dict[str, Callable[[random.Random], str]] = {
    "citizen_id": citizen_id,
    "uscc": uscc,
    "organisation_code": organisation_code,
    "licence_id": licence_id,
    "person_name": person_name,
    "address": address,
    "date": date_text,
    "expiry_date": date_text,
    "datetime": lambda rng: f"{_date(rng).isoformat()} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
    "mobile_phone": mobile_phone,
    "postal_code": lambda rng: "".join(rng.choices(string.digits, k=6)),
    "division_code": lambda rng: rng.choice(_codes("division_code")),
    "industry_code": lambda rng: rng.choice(_codes("industry_division")) + rng.choice(["", "1", "12"]),
    "sex_code": lambda rng: rng.choice(["0", "1", "2", "9", "男", "女", "M", "F"]),
    "amount": lambda rng: f"{rng.uniform(-1e6, 1e7):.2f}",
    "org_name": lambda rng: address(rng)[:6] + "有限公司",
    "free_text": lambda rng: "".join(rng.choices(GIVEN + string.ascii_letters + " ", k=rng.randint(1, 40))),
    "record_key": lambda rng: "".join(rng.choices(string.ascii_uppercase + string.digits, k=12)),
    "household_number": lambda rng: "".join(rng.choices(string.digits, k=9)),
    "licence_number": lambda rng: "JY" + "".join(rng.choices(string.digits, k=14)),
}


def _valid(element_id: str) -> Callable[[random.Random], str]:
    if element_id in VALID:
        return VALID[element_id]
    element = load_elements()[element_id]
    assert element.codelist, element_id
    return _from_codelist(element.codelist)


@cache
def _simplified_to_traditional() -> dict[int, int]:
    return {ord(r["simplified"]): ord(r["code"]) for r in load_codelist("t2s_characters")}


def _random_text(rng: random.Random) -> str:
    low, high = rng.choice(BLOCKS)
    return "".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 25)))


def mutate(rng: random.Random, value: str) -> str | None:
    """One of the ways a value arrives broken (or merely dressed differently)."""
    roll = rng.randrange(14)
    if roll == 0:
        return None
    if roll == 1:
        return rng.choice(["", " ", "\u3000", "\t\n"])
    if roll == 2:
        return rng.choice(load_placeholders()) if rng.random() < 0.7 else rng.choice(["null", "n/a", "Null "])
    if roll == 3:  # full width
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and rng.random() < 0.7 else c for c in value)
    if roll == 4:
        return value.lower()
    if roll == 5:
        i = rng.randrange(len(value) + 1)
        return rng.choice(SPACES) + value[:i] + rng.choice(SPACES) + value[i:] + rng.choice(SPACES)
    if roll == 6:  # look-alike characters
        return "".join(rng.choice(LOOKALIKES[c]) if c in LOOKALIKES and rng.random() < 0.3 else c for c in value)
    if roll == 7 and value:  # one character replaced
        i = rng.randrange(len(value))
        return value[:i] + rng.choice(string.ascii_letters + string.digits + "中-") + value[i + 1 :]
    if roll == 8 and value:
        return value[: rng.randrange(len(value))]
    if roll == 9:
        return value * rng.randint(2, 40)
    if roll == 10:
        return _random_text(rng)
    if roll == 12:  # written in traditional characters
        return value.translate(_simplified_to_traditional())
    if roll == 11 and len(value) > 1:  # two characters swapped
        i = rng.randrange(len(value) - 1)
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    return value


def samples(element_id: str, n: int, seed: int = 0) -> list[str | None]:
    """`n` values for one element: about a third as generated, the rest through one or two mutations."""
    rng = random.Random(f"{element_id}:{seed}")
    valid = _valid(element_id)
    out: list[str | None] = []
    for _ in range(n):
        value: str | None = valid(rng)
        for _ in range(rng.choice([0, 1, 1, 2])):
            if value is not None:
                value = mutate(rng, value)
        out.append(value)
    return out


def rule_pairs(rule_id: str, n: int, seed: int = 0) -> list[tuple[str | None, str | None]]:
    """Normalised (left, right) pairs for a cross-field rule: mostly consistent, then broken."""
    from pipelines.standards.python import engine

    rng = random.Random(f"{rule_id}:{seed}")
    ids = [engine("citizen_id").normalise(v) for v in samples("citizen_id", n, seed)]
    dates = [engine("date").normalise(v) for v in samples("date", n, seed)]
    out: list[tuple[str | None, str | None]] = []
    for i in range(n):
        left, other = ids[i], dates[i]
        if rule_id == "licence_expires_after_issue":
            left, other = dates[i], dates[(i * 7 + 3) % n]
            out.append((left, other))
            continue
        consistent = left is not None and len(left) == 18 and rng.random() < 0.6
        if rule_id == "id_sex_parity_matches":
            right = (
                (str(2 - int(left[16]) % 2) if left[16] in "0123456789" else "1")
                if consistent
                else rng.choice(["1", "2", "0", "9", None])
            )
        else:
            right = f"{left[6:10]}-{left[10:12]}-{left[12:14]}" if consistent else other
        out.append((left, right))
    return out

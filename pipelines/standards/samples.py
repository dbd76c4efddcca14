"""Generated values for every data element, valid ones and the ways departments break them.

Values come from the element's declaration, by kind: its conformity pattern, the code lists,
dates and check characters its checks name, written into their spans, then dressed by undoing its
normalisation steps (a mapped spelling, another date layout, a 15-digit ID, a dropped prefix). So a
new element built from existing check kinds needs no Python here.

The agreement tests feed the same values to the Python, DuckDB and Spark implementations, and the
benchmark scales them up. Seeded, so a failure names a reproducible value. Adversarial forms:
full-width characters, lower-case letters, inner and outer whitespace (ASCII and ideographic),
Unicode look-alikes of digits and letters, placeholders, empty strings, NULL, truncation,
overlong values, and random text from several Unicode blocks.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from pipelines.standards import checksums as alg
from pipelines.standards import spec
from pipelines.standards.python import codelist_codes, mapping_of
from pipelines.standards.regex_values import generator
from pipelines.standards.registry import DataElement, load_codelist, load_elements, load_placeholders, load_rule

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
TEXT_CHARACTERS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢欧阳司伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华国荣龙凤省市区县路街号"
LAST_YEAR = 2025  # generated dates run to here (+10 where the check admits future dates)
DRESSED = 0.25  # the chance that each declared normalisation step is undone in a generated value


def _date(rng: random.Random, start: int, end: int) -> date:
    return date(start, 1, 1) + timedelta(days=rng.randrange((date(end, 12, 31) - date(start, 1, 1)).days))


def _splice(value: str, start: int, length: int | None, part: str) -> str:
    i = start - 1
    return value[:i] + part + (value[i + length :] if length is not None else "")


def _span(value: str, start: int, length: int | None) -> str:
    return value[start - 1 : start - 1 + length] if length is not None else value[start - 1 :]


def _applies(check, value: str) -> bool:
    return check.when is None or re.fullmatch(check.when, value) is not None


def _code(rng: random.Random, check: spec.CodelistCheck, codes: list[str]) -> str:
    return rng.choice(check.extra) if check.extra and rng.random() < 0.05 else rng.choice(codes)


def _date_in(rng: random.Random, check: spec.DateCheck) -> str:
    d = _date(rng, max(check.min_year, 1900), LAST_YEAR + (10 if check.future else 0))
    text = d.strftime("%Y%m%d" if check.layout == "compact" else "%Y-%m-%d")
    if rng.random() < 0.05:  # an impossible day
        text = text[:-2] + rng.choice(["30", "31", "00", "32"])
    return text


def _part(rng: random.Random, check, codes: dict[str, list[str]]) -> str | None:
    """What a code-list or date check wants in its span (other checks want nothing written)."""
    if isinstance(check, spec.CodelistCheck):
        return _code(rng, check, codes[check.id])
    if isinstance(check, spec.DateCheck):
        return _date_in(rng, check)
    return None


def _text(rng: random.Random, max_length: int) -> str:
    return "".join(rng.choices(TEXT_CHARACTERS, k=min(max_length, rng.choice([2, 3, 3, 4, 6, 10, 25]))))


def _canonical(element: DataElement) -> Callable[[random.Random], str]:
    """A value shaped by the element's own checks: its conformity pattern (or a code, or text), then
    every code list, date and check character it declares written into the span it declares."""
    checks = element.checks
    shape = next((c for c in checks if isinstance(c, spec.RegexCheck) and c.dimension == "conformity"), None)
    whole = next((c for c in checks if isinstance(c, spec.CodelistCheck) and c.start == 1 and c.length is None), None)
    max_length = min((c.length for c in checks if isinstance(c, spec.MaxLengthCheck)), default=40)
    pattern_value = generator(shape.pattern) if shape is not None else None
    codes = {c.id: sorted(codelist_codes(c)) for c in checks if isinstance(c, spec.CodelistCheck)}

    def generate(rng: random.Random) -> str:
        if pattern_value is not None:
            value = pattern_value(rng)
        elif whole is not None:
            value = _code(rng, whole, codes[whole.id])
        else:
            value = _text(rng, max_length)
        spans: set[tuple[int, int | None]] = set()
        for check in checks:
            span = (getattr(check, "start", 1), getattr(check, "length", None))
            part = _part(rng, check, codes) if span not in spans and _applies(check, value) else None
            if part is not None:
                value = _splice(value, *span, part)
                spans.add(span)
        for check in checks:
            if isinstance(check, spec.ChecksumCheck) and _applies(check, value):
                value = _splice(
                    value,
                    check.start,
                    check.length,
                    alg.completed(check.algorithm, _span(value, check.start, check.length)),
                )
        return value

    return generate


def _dresser(step, element: DataElement) -> Callable[[random.Random, str], str]:
    """Undoes one normalisation step the element declares: the value as a department might write it."""
    if isinstance(step, spec.MapValues):
        spellings: dict[str, list[str]] = {}
        for spelling, code in mapping_of(step, element).items():
            spellings.setdefault(code, []).append(spelling)
        return lambda rng, value: rng.choice(spellings[value]) if value in spellings else value
    return lambda rng, value: _dressed(rng, step, value)


def _dressed(rng: random.Random, step, value: str) -> str:
    match step:
        case spec.IsoDate() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
            y, m, d = value[:4], value[5:7], value[8:10]
            return (
                rng.choice([f"{y}{m}{d}", f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}年{m}月{d}日", f"{y}-{int(m)}-{int(d)}"])
                + value[10:]
            )
        case spec.UpgradeId15() if len(value) == 18 and value[6:8] == "19":
            return value[:6] + value[8:17]
        case spec.DropPrefix(prefix=prefix, length=length) if length is None or len(prefix + value) == length:
            return prefix + value
        case spec.RemoveChars(chars=chars) if value:
            i = rng.randrange(len(value) + 1)
            return value[:i] + rng.choice(chars) + value[i:]
        case spec.ReplaceChars(source=source, target=target):
            return "".join(rng.choice([s for s, t in zip(source, target, strict=True) if t == c] or [c]) for c in value)
    return value


@cache
def _generator(element_id: str) -> Callable[[random.Random], str]:
    element = load_elements()[element_id]
    canonical = _canonical(element)
    dressers = [_dresser(step, element) for step in element.normalise]

    def generate(rng: random.Random) -> str:
        value = canonical(rng)
        for dress in dressers:
            if rng.random() < DRESSED:
                value = dress(rng, value)
        return value

    return generate


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
    valid = _generator(element_id)
    out: list[str | None] = []
    for _ in range(n):
        value: str | None = valid(rng)
        for _ in range(rng.choice([0, 1, 1, 2])):
            if value is not None:
                value = mutate(rng, value)
        out.append(value)
    return out


def rule_pairs(rule_id: str, n: int, seed: int = 0) -> list[tuple[str | None, str | None]]:
    """Normalised (left, right) pairs for a cross-field rule, by its kind: mostly consistent, then broken."""
    from pipelines.standards.python import engine

    rule = load_rule(rule_id)
    rng = random.Random(f"{rule_id}:{seed}")
    lefts = [engine(rule.left).normalise(v) for v in samples(rule.left, n, seed)]
    rights = [engine(rule.right).normalise(v) for v in samples(rule.right, n, seed + 1)]
    if rule.kind == "date_order":
        return list(zip(lefts, rights, strict=True))
    out: list[tuple[str | None, str | None]] = []
    for left, other in zip(lefts, rights, strict=True):
        consistent = left is not None and len(left) == 18 and rng.random() < 0.6
        if consistent and rule.kind == "id_sex_parity":
            out.append((left, str(2 - int(left[16]) % 2) if left[16] in string.digits else "1"))
        elif consistent:  # the birth date written in the ID number
            out.append((left, f"{left[6:10]}-{left[10:12]}-{left[12:14]}"))
        else:
            out.append((left, other))
    return out

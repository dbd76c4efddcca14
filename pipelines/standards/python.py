"""The Python side of the standards engine: normalisers and validators compiled from `standards/`.

Used for single values (CLI, API, tests, the oracle of the SQL side); bulk data is checked in SQL
(`sql.py`). Semantics shared with SQL: every element first maps full width to half width, trims,
and turns placeholders into None; then its declared steps run; an empty result is None. A check
returns None for a missing value or one outside its `when`, else True or False.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache

from pipelines.standards import checksums as alg
from pipelines.standards import spec
from pipelines.standards.registry import DataElement, load_codelist, load_elements, load_placeholders

Normaliser = Callable[[str], str]
Validator = Callable[[str], bool]

WHITESPACE = " \t\n\r\f\v\xa0"  # with the no-break space that web and Excel copies carry
FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
WS_RUN = re.compile(r"[ \t\n\r\f\v\xa0]+")
CJK_GAP = re.compile(r"([一-鿿㐀-䶿]) ([一-鿿㐀-䶿])")
DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
DATE_SEPARATED = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)


@cache
def t2s_table() -> dict[int, int]:
    return {ord(r["code"]): ord(r["simplified"]) for r in load_codelist("t2s_characters")}


@cache
def placeholder_set() -> frozenset[str]:
    return frozenset(p.translate(UPPER) for p in load_placeholders())


def prepare(value: str | None) -> str | None:
    """The universal first steps: full width to half width, trim, placeholders to None."""
    if value is None:
        return None
    v = value.translate(FULLWIDTH).strip(WHITESPACE)
    return None if v == "" or v.translate(UPPER) in placeholder_set() else v


def collapse_whitespace(v: str) -> str:
    v = WS_RUN.sub(" ", v)
    for _ in range(2):  # two passes join every gap between Chinese characters (matches never overlap)
        v = CJK_GAP.sub(r"\1\2", v)
    return v


def iso_date(v: str) -> str:
    m = DATE_COMPACT.fullmatch(v) or DATE_SEPARATED.fullmatch(v)
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else v


def _step(step, element: DataElement) -> Normaliser:
    match step:
        case spec.Fullwidth():
            return lambda v: v.translate(FULLWIDTH)
        case spec.Trim():
            return lambda v: v.strip(WHITESPACE)
        case spec.RemoveWhitespace():
            return lambda v: WS_RUN.sub("", v)
        case spec.CollapseWhitespace():
            return collapse_whitespace
        case spec.RemoveChars(chars=chars):
            table = {ord(c): None for c in chars}
            return lambda v: v.translate(table)
        case spec.ReplaceChars(source=source, target=target):
            table = str.maketrans(source, target)
            return lambda v: v.translate(table)
        case spec.UpperAscii():
            return lambda v: v.translate(UPPER)
        case spec.TraditionalToSimplified():
            table = t2s_table()
            return lambda v: v.translate(table)
        case spec.DropPrefix(prefix=prefix, length=length):
            return lambda v: v[len(prefix) :] if v.startswith(prefix) and (length is None or len(v) == length) else v
        case spec.MapValues():
            mapping = mapping_of(step, element)
            return lambda v: mapping.get(v, v)
        case spec.UpgradeId15():
            return lambda v: alg.ric_upgrade_15(v) if len(v) == 15 and v.isascii() and v.isdigit() else v
        case spec.IsoDate():
            return iso_date
    raise TypeError(f"no Python implementation for step {step!r}")


def mapping_of(step: spec.MapValues, element: DataElement | None = None) -> dict[str, str]:
    mapping = dict(step.values)
    if step.codelist_names and element is not None and element.codelist:
        for row in load_codelist(element.codelist):
            mapping.setdefault(row["name_zh"], row["code"])
    return mapping


def codelist_codes(check: spec.CodelistCheck) -> frozenset[str]:
    rows = load_codelist(check.codelist)
    return frozenset(r["code"] for r in rows if not (check.current and r.get("valid_to"))) | set(check.extra)


def _substring(v: str, start: int, length: int | None) -> str:
    return v[start - 1 : start - 1 + length] if length is not None else v[start - 1 :]


def valid_date(y: int, m: int, d: int, min_year: int, today: str) -> bool:
    if y < min_year or not 1 <= m <= 12 or d < 1:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    days = 30 if m in (4, 6, 9, 11) else (29 if leap else 28) if m == 2 else 31
    return d <= days and f"{y:04d}-{m:02d}-{d:02d}" <= today


def _validator(check) -> Validator:
    match check:
        case spec.RegexCheck(pattern=pattern):
            rx = re.compile(pattern, re.ASCII)
            return lambda v: rx.fullmatch(v) is not None
        case spec.MaxLengthCheck(length=length):
            return lambda v: len(v) <= length
        case spec.CodelistCheck(start=start, length=length):
            codes = codelist_codes(check)
            return lambda v: _substring(v, start, length) in codes
        case spec.ChecksumCheck(algorithm=algorithm, start=start, length=length):
            fn = alg.CHECKSUMS[algorithm]
            return lambda v: fn(_substring(v, start, length))
        case spec.DateCheck(start=start, length=length, layout=layout, min_year=min_year, future=future):
            rx = re.compile(r"(\d{4})(\d{2})(\d{2})" if layout == "compact" else r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)

            def check_date(v: str) -> bool:
                m = rx.fullmatch(_substring(v, start, length))
                latest = "9999-12-31" if future else date.today().isoformat()
                return m is not None and valid_date(int(m[1]), int(m[2]), int(m[3]), min_year, latest)

            return check_date
    raise TypeError(f"no Python implementation for check {check!r}")


class ElementEngine:
    """One element's normaliser and checks, compiled once."""

    def __init__(self, element: DataElement):
        self.element = element
        self.steps = [_step(s, element) for s in element.normalise]
        self.checks = [(c.id, re.compile(c.when, re.ASCII) if c.when else None, _validator(c)) for c in element.checks]

    def normalise(self, value: str | None) -> str | None:
        v = prepare(value)
        if v is None:
            return None
        for step in self.steps:
            v = step(v)
        return v or None

    def check(self, normalised: str | None) -> dict[str, bool | None]:
        if normalised is None:
            return {cid: None for cid, _, _ in self.checks}
        return {
            cid: (None if when is not None and when.fullmatch(normalised) is None else fn(normalised))
            for cid, when, fn in self.checks
        }

    def validate(self, value: str | None) -> dict[str, bool | None]:
        return self.check(self.normalise(value))


@cache
def engine(element_id: str) -> ElementEngine:
    return ElementEngine(load_elements()[element_id])


@cache
def division_spans() -> dict[str, list[tuple[int, int]]]:
    """Division code -> its validity years (open ends as 0 and 9999); a code may have several spans."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for r in load_codelist("division_code"):
        spans.setdefault(r["code"], []).append((int(r["valid_from"] or 0), int(r["valid_to"] or 9999)))
    return spans


ID18 = re.compile(r"[1-8]\d{16}[0-9X]", re.ASCII)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def cross_field(rule: spec.CrossFieldRule, left: str | None, right: str | None) -> bool | None:
    """A cross-field rule on two normalised values; None when it does not apply."""
    if left is None or right is None:
        return None
    match rule.kind:
        case "id_birth_date":
            return left[6:14] == right.replace("-", "") if ID18.fullmatch(left) and ISO.fullmatch(right) else None
        case "id_sex_parity":
            return (int(left[16]) % 2 == 1) == (right == "1") if ID18.fullmatch(left) and right in ("1", "2") else None
        case "id_division_at_birth":
            if not (ID18.fullmatch(left) and ISO.fullmatch(right)) or left[:2] in ("81", "82", "83"):
                return None
            year = int(right[:4])
            return any(a <= year <= b for a, b in division_spans().get(left[:6], []))
        case "date_order":
            return left < right if ISO.fullmatch(left) and ISO.fullmatch(right) else None
    raise TypeError(rule.kind)

"""The SQL side of the standards engine: the same normalisations and checks as `python.py`,
compiled to one expression per element and check, for DuckDB and for Spark SQL.

The expressions are what the dbt macros contain (`dbt_macros.py` writes them) and what the
agreement tests run; everything is plain built-in SQL (no UDF), so the hot path stays vectorised.
What differs between engines is the `Dialect`'s (`pipelines.engines.dialects`); nothing here asks
which engine it is on.
`{col}` in a template is replaced by the column expression.
"""

from __future__ import annotations

from pipelines.engines.dialects import Dialect
from pipelines.standards import checksums as alg
from pipelines.standards import spec
from pipelines.standards.codetable import CODE_TABLE, DIVISIONS, OPEN_TO, division_year_bounds
from pipelines.standards.python import FULLWIDTH, mapping_of, placeholder_set, t2s_table
from pipelines.standards.registry import DataElement, load_elements

LOWER, UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WS_CLASS = r"[ \t\n\r\f\x0B\xA0]"  # escapes both RE2 and Java read as the same seven characters
CJK = "一-鿿㐀-䶿"
RIC_SHAPE = r"\d{17}[0-9X]"


def _translate(x: str, table: dict[int, int], d: Dialect) -> str:
    return d.translate_chars(x, "".join(chr(k) for k in table), "".join(chr(v) for v in table.values()))


def mod37_36(body: str, d: Dialect) -> str:
    """ISO 7064 MOD 37,36 check character over `body` (a fold over its characters)."""
    alphabet = d.lit(alg.MOD37_ALPHABET)
    step = "(2 * (case when (p + v) % 36 = 0 then 36 else (p + v) % 36 end)) % 37"
    fold = d.fold_chars(body, f"instr({alphabet}, c) - 1", "36", step)
    return f"substring({alphabet}, ((37 - ({fold})) % 36) + 1, 1)"


def _case_map(x: str, mapping: dict[str, str], d: Dialect) -> str:
    if not mapping:
        return x
    whens = " ".join(f"when {d.lit(k)} then {d.lit(v)}" for k, v in sorted(mapping.items()))
    return f"(case {x} {whens} else {x} end)"


def _substr(x: str, start: int, length: int | None) -> str:
    if start == 1 and length is None:
        return x
    return f"substring({x}, {start}, {length})" if length is not None else f"substring({x}, {start})"


def weighted_digits(x: str, start: int, weights: list[int], alphabet: str, d: Dialect) -> str:
    """sum(value(char_i) * w_i): a character's value is its index in `alphabet`."""
    a = d.lit(alphabet)
    return " + ".join(f"(instr({a}, substring({x}, {start + i}, 1)) - 1) * {w}" for i, w in enumerate(weights))


def ric_check_char(body: str, d: Dialect) -> str:
    total = weighted_digits(body, 1, alg.RIC_WEIGHTS, "0123456789", d)
    return f"substring('10X98765432', (({total}) % 11) + 1, 1)"


def prepare(x: str, d: Dialect) -> str:
    """Full width to half width, trim, placeholders to NULL (same order as Python)."""

    def body(v: str) -> str:
        upper = f"translate({v}, '{LOWER}', '{UPPER}')"
        return f"(case when {v} = '' or {d.in_list(upper, placeholder_set())} then null else {v} end)"

    return d.let(d.trim(_translate(x, FULLWIDTH, d)), body)


def step_sql(step, x: str, element: DataElement, d: Dialect) -> str:
    match step:
        case spec.Fullwidth():
            return _translate(x, FULLWIDTH, d)
        case spec.Trim():
            return d.trim(x)
        case spec.RemoveWhitespace():
            return d.replace_all(x, WS_CLASS + "+", "")
        case spec.CollapseWhitespace():
            v = d.replace_all(x, WS_CLASS + "+", " ")
            for _ in range(2):
                v = d.replace_all(v, f"([{CJK}]) ([{CJK}])", "\\1\\2")
            return v
        case spec.RemoveChars(chars=chars):
            return f"translate({x}, {d.lit(chars)}, '')"
        case spec.ReplaceChars(source=source, target=target):
            return f"translate({x}, {d.lit(source)}, {d.lit(target)})"
        case spec.UpperAscii():
            return f"translate({x}, '{LOWER}', '{UPPER}')"
        case spec.TraditionalToSimplified():
            return _translate(x, t2s_table(), d)
        case spec.DropPrefix(prefix=prefix, length=length):

            def drop(v: str) -> str:
                cond = d.starts_with(v, prefix)
                if length is not None:
                    cond += f" and char_length({v}) = {length}"
                return f"(case when {cond} then substring({v}, {len(prefix) + 1}) else {v} end)"

            return d.let(x, drop)
        case spec.MapValues():
            return d.let(x, lambda v: _case_map(v, mapping_of(step, element), d))
        case spec.UpgradeId15():

            def upgrade(v: str) -> str:
                body = f"(substring({v}, 1, 6) || '19' || substring({v}, 7, 9))"
                return (
                    f"(case when {d.full_match(v, '[0-9]{15}')} then {body} || {ric_check_char(body, d)} else {v} end)"
                )

            return d.let(x, upgrade)
        case spec.IsoDate():
            return d.let(x, lambda v: iso_date_sql(v, d))
    raise TypeError(f"no SQL for step {step!r}")


DATE_COMPACT, DATE_SEPARATED = r"(\d{4})(\d{2})(\d{2})", r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"


def iso_date_sql(v: str, d: Dialect) -> str:
    def iso(p: str) -> str:
        parts = [d.extract(v, p, 1), f"lpad({d.extract(v, p, 2)}, 2, '0')", f"lpad({d.extract(v, p, 3)}, 2, '0')"]
        return " || '-' || ".join(parts)

    return (
        f"(case when {d.full_match(v, DATE_COMPACT)} then {iso(DATE_COMPACT)} "
        f"when {d.full_match(v, DATE_SEPARATED)} then {iso(DATE_SEPARATED)} else {v} end)"
    )


def normalise_sql(element: DataElement, x: str, d: Dialect) -> str:
    v = prepare(x, d)
    for step in element.normalise:
        v = step_sql(step, v, element, d)
    return f"nullif({v}, '')"


def valid_date_sql(y: str, m: str, dd: str, min_year: int, d: Dialect) -> str:
    leap = f"({y} % 4 = 0 and ({y} % 100 <> 0 or {y} % 400 = 0))"
    days = (
        f"(case when {m} in (4, 6, 9, 11) then 30 when {m} = 2 then (case when {leap} then 29 else 28 end) else 31 end)"
    )
    return f"({y} >= {min_year} and {m} between 1 and 12 and {dd} between 1 and {days})"


def check_sql(check, x: str, d: Dialect) -> str:
    """True/False for a non-null value (NULL handling and `when` are added by `checks_sql`)."""
    match check:
        case spec.RegexCheck(pattern=pattern):
            return d.full_match(x, pattern)
        case spec.MaxLengthCheck(length=length):
            return f"(char_length({x}) <= {length})"
        case spec.CodelistCheck():
            return codelist_sql(check, x, d)
        case spec.ChecksumCheck(algorithm=algorithm, start=start, length=length):
            return checksum_sql(algorithm, _substr(x, start, length), d)
        case spec.DateCheck(start=start, length=length, layout=layout, min_year=min_year, future=future):
            v = _substr(x, start, length)
            if layout == "compact":
                shape, y, m, dd = r"\d{8}", f"substring({v}, 1, 4)", f"substring({v}, 5, 2)", f"substring({v}, 7, 2)"
                iso = f"({y} || '-' || {m} || '-' || {dd})"
            else:
                shape, y, m, dd = (
                    r"\d{4}-\d{2}-\d{2}",
                    f"substring({v}, 1, 4)",
                    f"substring({v}, 6, 2)",
                    f"substring({v}, 9, 2)",
                )
                iso = v
            valid = valid_date_sql(d.int(y), d.int(m), d.int(dd), min_year, d)
            not_after_today = "" if future else f" and {iso} <= {d.today()}"
            return f"(case when {d.full_match(v, shape)} then ({valid}{not_after_today}) else false end)"
    raise TypeError(f"no SQL for check {check!r}")


def codelist_sql(check: spec.CodelistCheck, x: str, d: Dialect) -> str:
    """The (part of the) value is a code of the list, looked up in the code table."""
    v = _substr(x, check.start, check.length)
    current = f" and valid_to = {OPEN_TO}" if check.current else ""
    listed = f"{v} in (select code from {CODE_TABLE} where codelist = {d.lit(check.codelist)}{current})"
    return f"({listed} or {d.in_list(v, check.extra)})" if check.extra else f"({listed})"


def checksum_sql(algorithm: str, v: str, d: Dialect) -> str:
    match algorithm:
        case "gb11643":
            return f"(case when {d.full_match(v, RIC_SHAPE)} then {ric_check_char(v, d)} = substring({v}, 18, 1) else false end)"
        case "gb11714":
            total = weighted_digits(v, 1, alg.ORG_WEIGHTS, alg.MOD37_ALPHABET, d)
            c9 = f"(11 - ({total}) % 11)"
            char = f"(case when {c9} = 10 then 'X' when {c9} = 11 then '0' else {d.as_string(c9)} end)"
            return (
                f"(case when {d.full_match(v, '[0-9A-Z]{8}[0-9X]')} then {char} = substring({v}, 9, 1) else false end)"
            )
        case "gb32100":
            total = weighted_digits(v, 1, alg.USCC_WEIGHTS, alg.USCC_ALPHABET, d)
            char = f"substring({d.lit(alg.USCC_ALPHABET)}, ((31 - ({total}) % 31) % 31) + 1, 1)"
            return f"(case when {d.full_match(v, '[0-9A-HJ-NPQRTUWXY]{18}')} then {char} = substring({v}, 18, 1) else false end)"
        case "mod37_36_licence":
            shape = r"1\.2\.156\.3005\.2\.[0-9A-Z]+\.[0-9A-Z]+\.[0-9A-Z]+\.\d{3}\.[0-9A-Z]"
            body = f"replace(substring({v}, 16, char_length({v}) - 17), '.', '')"
            return (
                f"(case when {d.full_match(v, shape)} then {mod37_36(body, d)} = substring({v}, char_length({v}), 1) "
                "else false end)"
            )
    raise TypeError(algorithm)


def checks_sql(element: DataElement, x: str, d: Dialect) -> dict[str, str]:
    """Check id -> SQL expression on the normalised value `x`: NULL when missing or outside `when`."""
    out = {}
    for check in element.checks:
        guard = f"{x} is null" if not check.when else f"{x} is null or not {d.full_match(x, check.when)}"
        out[check.id] = f"(case when {guard} then null else {check_sql(check, x, d)} end)"
    return out


def division_at_year_sql(code: str, year: str, d: Dialect) -> str:
    """The division code was valid in that year (GB/T 2260's full history, in the code table).

    The subquery correlates by equality only (code, and the year clamped into the span of years the list
    names), so every engine joins it by hash: a range predicate on the outer year makes Spark join every
    distinct year with every code first. Clamping is exact: every finite bound lies strictly inside
    [lo, hi], so a year below lo (above hi) is in the same spans as lo (hi)."""
    lo, hi = division_year_bounds()
    return (
        f"exists (select 1 from {CODE_TABLE} as divisions, {d.integers(lo, hi)} as years "
        f"where divisions.codelist = {d.lit(DIVISIONS)} and divisions.code = {code} "
        f"and years.n = greatest({lo}, least({hi}, {year})) and years.n between divisions.valid_from and divisions.valid_to)"
    )


def cross_field_sql(rule: spec.CrossFieldRule, left: str, right: str, d: Dialect) -> str:
    """The rule on two normalised values; NULL when it does not apply (same cases as Python)."""
    id18 = d.full_match(left, r"[1-8]\d{16}[0-9X]")
    iso_r = d.full_match(right, r"\d{4}-\d{2}-\d{2}")
    match rule.kind:
        case "id_birth_date":
            cond, test = f"{id18} and {iso_r}", f"substring({left}, 7, 8) = replace({right}, '-', '')"
        case "id_sex_parity":
            parity = f"{d.int(f'substring({left}, 17, 1)')} % 2 = 1"
            cond, test = f"{id18} and {right} in ('1', '2')", f"(({parity}) = ({right} = '1'))"
        case "id_division_at_birth":
            cond = f"{id18} and {iso_r} and substring({left}, 1, 2) not in ('81', '82', '83')"
            test = division_at_year_sql(f"substring({left}, 1, 6)", d.int(f"substring({right}, 1, 4)"), d)
        case "date_order":
            iso_l = d.full_match(left, r"\d{4}-\d{2}-\d{2}")
            cond, test = f"{iso_l} and {iso_r}", f"({left} < {right})"
        case _:
            raise TypeError(rule.kind)
    return f"(case when {left} is null or {right} is null then null when {cond} then {test} else null end)"


def element_sql(element_id: str, d: Dialect) -> tuple[str, dict[str, str]]:
    """(normalisation template, {check id: template}) with `{col}` for the raw column."""
    element = load_elements()[element_id]
    return normalise_sql(element, "{col}", d), checks_sql(element, "{col}", d)

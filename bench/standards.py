"""Standards engine in SQL: every check of ten elements over 10,000,000 values (1,000,000 per
element) in DuckDB, generated SQL against a hand-written single query doing the same
normalisations and checks, in the same run. Both must report the same failure counts."""

from __future__ import annotations

import time

import duckdb
import pyarrow as pa

from pipelines.engines.dialects import DUCKDB
from pipelines.standards import checksums as alg
from pipelines.standards.evaluate import duckdb_with_codes
from pipelines.standards.python import FULLWIDTH, placeholder_set
from pipelines.standards.registry import load_codelist, load_elements
from pipelines.standards.samples import samples
from pipelines.standards.sql import element_sql

ELEMENTS = [
    "citizen_id",
    "uscc",
    "organisation_code",
    "division_code",
    "mobile_phone",
    "postal_code",
    "date",
    "sex_code",
    "ethnicity_code",
    "industry_code",
]


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _codes(name: str, extra: tuple[str, ...] = ()) -> str:
    return ", ".join(_lit(c) for c in sorted({r["code"] for r in load_codelist(name)} | set(extra)))


def _weights(col: str, weights: list[int], alphabet: str) -> str:
    return " + ".join(f"(instr({_lit(alphabet)}, {col}[{i + 1}]) - 1) * {w}" for i, w in enumerate(weights))


def handwritten() -> str:
    """What an engineer would write by hand for these ten elements: one query, CTEs per stage."""
    fw_from = _lit("".join(chr(k) for k in FULLWIDTH))
    fw_to = _lit("".join(chr(v) for v in FULLWIDTH.values()))
    ws = "' ' || chr(9) || chr(10) || chr(13) || chr(12) || chr(11) || chr(160)"
    placeholders = ", ".join(_lit(p) for p in sorted(placeholder_set()))

    def prep(c: str) -> str:
        # DuckDB's translate() builds its map per row: test for full-width characters first
        t = f"trim(case when regexp_matches({c}, '[！-～　]') then translate({c}, {fw_from}, {fw_to}) else {c} end, {ws})"
        return f"case when {t} = '' or upper({t}) in ({placeholders}) then null else {t} end as {c}"

    def nows(c: str, upper: bool = False) -> str:
        e = f"regexp_replace({c}, '[ \\t\\n\\r\\f\\x0B\\xA0]+', '', 'g')"
        return f"upper({e})" if upper else e

    sex_map = "case {c} when '男' then '1' when '女' then '2' when '男性' then '1' when '女性' then '2' when '未知' then '0' when 'M' then '1' when 'F' then '2' else {c} end"
    eth = {r["name_zh"]: r["code"] for r in load_codelist("ethnicity_code")} | {
        str(i): f"{i:02d}" for i in range(1, 10)
    }
    eth |= {"汉": "01", "崩龙族": "46", "毛难族": "36"}
    eth_map = "case {c} " + " ".join(f"when {_lit(k)} then {_lit(v)}" for k, v in sorted(eth.items())) + " else {c} end"
    today = "strftime(current_date, '%Y-%m-%d')"

    def real_date(y: str, m: str, d: str, iso: str) -> str:
        leap = f"({y} % 4 = 0 and ({y} % 100 <> 0 or {y} % 400 = 0))"
        days = f"case when {m} in (4, 6, 9, 11) then 30 when {m} = 2 then (case when {leap} then 29 else 28 end) else 31 end"
        return f"({y} >= 1800 and {m} between 1 and 12 and {d} between 1 and {days} and {iso} <= {today})"

    id_body = "c[1:6] || '19' || c[7:15]"
    return f"""
with p as (select {", ".join(prep(e) for e in ELEMENTS)} from bench_values),
s as (
  select
    {nows("citizen_id", True)} as c,
    {nows("uscc", True)} as uscc,
    replace(upper({nows("organisation_code")}), '-', '') as org,
    {nows("division_code")} as division,
    regexp_replace(regexp_replace(translate({nows("mobile_phone")}, '-()', ''), '^\\+86', ''), '^86(\\d{{11}})$', '\\1') as phone,
    {nows("postal_code")} as postal,
    {nows("date")} as d,
    {sex_map.format(c=nows("sex_code"))} as sex,
    {eth_map.format(c=nows("ethnicity_code"))} as eth,
    {nows("industry_code", True)} as industry
  from p),
n as (
  select
    nullif(case when regexp_full_match(c, '\\d{{15}}')
      then {id_body} || substring('10X98765432', (({_weights(f"({id_body})", alg.RIC_WEIGHTS, "0123456789")}) % 11) + 1, 1)
      else c end, '') as citizen_id,
    nullif(uscc, '') as uscc, nullif(org, '') as org, nullif(division, '') as division, nullif(phone, '') as phone,
    nullif(postal, '') as postal,
    nullif(case when regexp_full_match(d, '(\\d{{4}})(\\d{{2}})(\\d{{2}})')
           then regexp_replace(d, '(\\d{{4}})(\\d{{2}})(\\d{{2}})', '\\1-\\2-\\3')
         when regexp_full_match(d, '(\\d{{4}})[-/.年](\\d{{1,2}})[-/.月](\\d{{1,2}})日?')
           then regexp_extract(d, '^(\\d{{4}})', 1) || '-' || lpad(regexp_extract(d, '^\\d{{4}}[-/.年](\\d{{1,2}})', 1), 2, '0')
                || '-' || lpad(regexp_extract(d, '(\\d{{1,2}})日?$', 1), 2, '0')
         else d end, '') as d,
    nullif(sex, '') as sex, nullif(eth, '') as eth, nullif(industry, '') as industry
  from s)
select
  count(*) filter (where not regexp_full_match(citizen_id, '[1-9]\\d{{16}}[0-9X]')),
  count(*) filter (where not (regexp_full_match(citizen_id, '\\d{{17}}[0-9X]')
    and substring('10X98765432', (({_weights("citizen_id", alg.RIC_WEIGHTS, "0123456789")}) % 11) + 1, 1) = citizen_id[18])),
  count(*) filter (where regexp_full_match(citizen_id, '[1-8][\\s\\S]*') and not coalesce(regexp_full_match(citizen_id[7:14], '\\d{{8}}')
    and {real_date("try_cast(citizen_id[7:10] as integer)", "try_cast(citizen_id[11:12] as integer)", "try_cast(citizen_id[13:14] as integer)", "(citizen_id[7:10] || '-' || citizen_id[11:12] || '-' || citizen_id[13:14])")}, false)),
  count(*) filter (where regexp_full_match(citizen_id, '[1-8][\\s\\S]*') and citizen_id[1:6] not in ({_codes("division_code", ("810000", "820000", "830000"))})),
  count(*) filter (where not regexp_full_match(uscc, '[1-9ANY][1-9]\\d{{6}}[0-9A-HJ-NPQRTUWXY]{{10}}')),
  count(*) filter (where uscc[1:2] not in ({_codes("uscc_authority_type")})),
  count(*) filter (where uscc[3:8] not in ({_codes("division_code", ("100000",))})),
  count(*) filter (where not (regexp_full_match(uscc[9:17], '[0-9A-Z]{{8}}[0-9X]') and
    (case (11 - ({_weights("uscc[9:17]", alg.ORG_WEIGHTS, alg.MOD37_ALPHABET)}) % 11) when 10 then 'X' when 11 then '0'
     else cast(11 - ({_weights("uscc[9:17]", alg.ORG_WEIGHTS, alg.MOD37_ALPHABET)}) % 11 as varchar) end) = uscc[17])),
  count(*) filter (where not (regexp_full_match(uscc, '[0-9A-HJ-NPQRTUWXY]{{18}}') and
    substring({_lit(alg.USCC_ALPHABET)}, ((31 - ({_weights("uscc", alg.USCC_WEIGHTS, alg.USCC_ALPHABET)}) % 31) % 31) + 1, 1) = uscc[18])),
  count(*) filter (where not regexp_full_match(org, '[0-9A-Z]{{8}}[0-9X]')),
  count(*) filter (where not (regexp_full_match(org, '[0-9A-Z]{{8}}[0-9X]') and
    (case (11 - ({_weights("org", alg.ORG_WEIGHTS, alg.MOD37_ALPHABET)}) % 11) when 10 then 'X' when 11 then '0'
     else cast(11 - ({_weights("org", alg.ORG_WEIGHTS, alg.MOD37_ALPHABET)}) % 11 as varchar) end) = org[9])),
  count(*) filter (where not regexp_full_match(division, '\\d{{6}}')),
  count(*) filter (where division not in ({_codes("division_code")})),
  count(*) filter (where division not in ({", ".join(_lit(c) for c in sorted({r["code"] for r in load_codelist("division_code") if not r["valid_to"]}))})),
  count(*) filter (where not regexp_full_match(phone, '1[3-9]\\d{{9}}')),
  count(*) filter (where not regexp_full_match(postal, '\\d{{6}}')),
  count(*) filter (where not regexp_full_match(d, '\\d{{4}}-\\d{{2}}-\\d{{2}}')),
  count(*) filter (where d is not null and not coalesce(regexp_full_match(d, '\\d{{4}}-\\d{{2}}-\\d{{2}}')
    and {real_date("try_cast(d[1:4] as integer)", "try_cast(d[6:7] as integer)", "try_cast(d[9:10] as integer)", "d")}, false)),
  count(*) filter (where sex not in ({_codes("sex_code")})),
  count(*) filter (where eth not in ({_codes("ethnicity_code")})),
  count(*) filter (where not regexp_full_match(industry, '[A-T](\\d{{2}}(\\d\\d?)?)?')),
  count(*) filter (where regexp_full_match(industry, '[A-Z]\\d\\d[\\s\\S]*') and industry[1:3] not in ({_codes("industry_division")}))
from n
"""


def generated() -> str:
    """The engine's SQL (what the dbt macros hold) for the same elements and checks."""
    norms, checks = [], []
    for e in ELEMENTS:
        norm, element_checks = element_sql(e, DUCKDB)
        norms.append(f"{norm.replace('{col}', e)} as {e}")
        checks += [f"count(*) filter (where not {sql.replace('{col}', e)})" for sql in element_checks.values()]
    return f"select {', '.join(checks)} from (select {', '.join(norms)} from bench_values)"


def run(total: int = 10_000_000, distinct: int = 100_000) -> dict:
    per_element = total // len(ELEMENTS)
    con = duckdb.connect(config={"threads": 2})
    base = pa.table({e: pa.array(samples(e, distinct, seed=42), pa.string()) for e in ELEMENTS})
    con.register("base", base)
    duckdb_with_codes(con)  # the code table the generated checks look codes up in
    copies = -(-per_element // distinct)
    con.execute(f"create table bench_values as select base.* from base, range({copies}) limit {per_element}")
    rows = con.execute("select count(*) from bench_values").fetchone()[0]
    n_checks = sum(len(load_elements()[e].checks) for e in ELEMENTS)
    timings: dict[str, list[float]] = {"generated": [], "handwritten": []}
    results = {}
    for _ in range(2):
        for name, sql in (("handwritten", handwritten()), ("generated", generated())):
            t = time.perf_counter()
            results[name] = con.execute(sql).fetchone()
            timings[name].append(time.perf_counter() - t)
    return {
        "values": rows * len(ELEMENTS),
        "elements": len(ELEMENTS),
        "checks": n_checks,
        "counts_agree": results["generated"] == results["handwritten"],
        "failures_found": sum(results["generated"]),
        "generated_seconds": round(min(timings["generated"]), 2),
        "handwritten_seconds": round(min(timings["handwritten"]), 2),
        "ratio": round(min(timings["generated"]) / min(timings["handwritten"]), 2),
        "measured_at": time.strftime("%Y-%m-%d"),
    }

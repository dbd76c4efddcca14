"""Each department's view of the city, written in that department's own format and habits.

Public security is the authoritative source of identity; the others carry the same people and
companies with their own column names, date formats, code conventions and mistakes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pipelines.synth.config import CityConfig
from pipelines.synth.defects import Defects
from pipelines.synth.entities import Enterprise, Licence, SocialOrg
from pipelines.synth.people import Household, Person
from pipelines.synth.sinks import CsvSink, JsonPagesSink, PeriodRouter, SqlTableSink, XlsxSink
from pipelines.synth.truth import Truth
from pipelines.synth.vocab import NINGBO_COUNTIES

S = sa.String
SEX_TEXT = {1: "男", 2: "女"}
HOSPITALS = [
    "宁波市妇女儿童医院",
    "宁波市第一医院",
    "宁波市第二医院",
    "李惠利医院",
    "鄞州区人民医院",
    "慈溪市人民医院",
    "余姚市人民医院",
]


def engine_for(url: str | None, sqlite_file: Path) -> sa.Engine:
    if url:
        return sa.create_engine(url)
    sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    sqlite_file.unlink(missing_ok=True)
    return sa.create_engine(f"sqlite:///{sqlite_file}")


class Department:
    """Common emission logic: duplicates, truth records, period routing."""

    code = ""
    engine: sa.Engine | None = None

    def __init__(self, cfg: CityConfig, rng: random.Random, defects: Defects, truth: Truth, periods: list[str]):
        self.cfg, self.rng, self.defects, self.truth, self.periods = cfg, rng, defects, truth, periods
        self.counters: dict[str, int] = {}
        self.sinks: dict[str, Any] = {}

    def period_of(self, d: date) -> str:
        p = f"{d:%Y-%m}"
        return min(max(p, self.periods[0]), self.periods[-1])

    def router(self, resource: str) -> PeriodRouter:
        missing: set[str] = set()
        if self.cfg.dormant_resource == f"{self.code}/{resource}":
            missing = set(self.periods[1:])
        elif self.cfg.gap_resource == f"{self.code}/{resource}" and len(self.periods) > 2:
            missing = {self.periods[len(self.periods) // 2]}
        for p in self.periods:
            self.truth.write("deliveries", self.code, resource, p, "", "missing" if p in missing else "delivered")
        return PeriodRouter(self.periods, missing)

    def next_key(self, resource: str) -> int:
        self.counters[resource] = self.counters.get(resource, 0) + 1
        return self.counters[resource]

    def emit(
        self,
        resource: str,
        period: str,
        key_fmt: Callable[[int], str],
        build: Callable[[str], dict[str, Any]],
        subjects: list[tuple[str, str, str]],
    ) -> None:
        """Write one record, and maybe its duplicate; `subjects` are (role, kind, true_id) for the truth."""
        for copy in (False, True):
            key = key_fmt(self.next_key(resource))
            self.defects.at(self.code, resource, key)
            if copy:
                self.truth.write("defects", self.code, resource, key, "*", "duplicate_record")
            self.sinks[resource].write(period, build(key))
            for role, kind, true_id in subjects:
                self.truth.record(self.code, resource, key, role, kind, true_id)
            if copy or not self.defects.roll("duplicate_record", "*", record=False):
                break

    def close(self) -> list[Path]:
        files: list[Path] = []
        for sink in self.sinks.values():
            files.extend(sink.close())
        if self.engine is not None:
            self.engine.dispose()
        return files


class PublicSecurity(Department):
    """人口户籍: the household registry, authoritative for identity (SQLite or PostgreSQL)."""

    code = "public_security"

    def __init__(self, *args: Any, out: Path, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.engine = engine = engine_for(self.cfg.public_security_url, out / self.code / "hukou.sqlite")
        cols = [
            ("xh", sa.Integer()),
            ("gmsfhm", S(32)),
            ("xm", S(64)),
            ("xb", S(8)),
            ("mz", S(8)),
            ("csrq", S(16)),
            ("hjdz_xzqh", S(16)),
            ("hjdz", S(200)),
            ("hh", S(32)),
            ("yhzgx", S(8)),
            ("hyzk", S(8)),
            ("lxdh", S(32)),
            ("hjzt", S(4)),
            ("gxsj", S(32)),
        ]
        self.sinks["household_registry"] = SqlTableSink(engine, "rk_hjxx", cols, "xh")

    def household(self, h: Household) -> None:
        d, as_of = self.defects, self.cfg.as_of
        for p in h.members:

            def build(key: str, p: Person = p) -> dict[str, Any]:
                updated = p.death or (as_of - timedelta(days=self.rng.randrange(0, 90)))
                return {
                    "xh": int(key),
                    "gmsfhm": d.citizen_id("gmsfhm", p.citizen_id, p.birth),
                    "xm": d.name("xm", p.name),
                    "xb": d.code("xb", "sex_code", str(p.sex)),
                    "mz": d.optional("mz", d.code("mz", "ethnicity_code", p.ethnicity)),
                    "csrq": d.date("csrq", p.birth, "%Y%m%d", as_of),
                    "hjdz_xzqh": d.code("hjdz_xzqh", "division_code", p.county),
                    "hjdz": d.optional("hjdz", p.address),
                    "hh": p.household,
                    "yhzgx": d.code("yhzgx", "family_relation", p.relation),
                    "hyzk": d.optional("hyzk", p.marital),
                    "lxdh": d.phone("lxdh", p.phone),
                    "hjzt": "0" if p.alive else "1",
                    "gxsj": datetime.combine(updated, datetime.min.time()).replace(hour=9).isoformat(sep=" "),
                }

            self.emit("household_registry", "", str, build, [("subject", "person", p.person_id)])


class Health(Department):
    """出生医学证明 and 死亡医学证明 as GB18030 CSV file drops."""

    code = "health"

    def __init__(self, *args: Any, out: Path, **kwargs: Any):
        super().__init__(*args, **kwargs)
        folder = out / self.code
        self.birth_cols = [
            "出生医学证明编号",
            "新生儿姓名",
            "性别",
            "出生时间",
            "出生地点",
            "母亲姓名",
            "母亲身份证号",
            "父亲姓名",
            "父亲身份证号",
            "新生儿身份证号",
            "签发机构",
        ]
        self.death_cols = [
            "证明编号",
            "姓名",
            "身份证号",
            "性别",
            "出生日期",
            "死亡日期",
            "户籍地址",
            "死亡地点",
            "填报单位",
        ]
        self.sinks["birth_records"] = CsvSink(
            folder / "births", "births", self.birth_cols, "gb18030", self.router("birth_records")
        )
        self.sinks["death_records"] = CsvSink(
            folder / "deaths", "deaths", self.death_cols, "gb18030", self.router("death_records")
        )

    def _person_fields(self, p: Person, name_col: str, birth_col: str, sex_col: str) -> tuple[str, date, int]:
        """Name, birth date and sex as this department recorded them (maybe disagreeing with public security)."""
        d = self.defects
        return (
            d.disagree_name(name_col, p.name, p.surname),
            d.disagree_birth(birth_col, p.birth),
            d.disagree_sex(sex_col, p.sex),
        )

    def birth(self, child: Person, mother: Person, father: Person | None) -> None:
        if child.birth.year < 1996:
            return
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            name, birth, sex = self._person_fields(child, "新生儿姓名", "出生时间", "性别")
            born_at = datetime.combine(birth, datetime.min.time()) + timedelta(minutes=self.rng.randrange(1440))
            return {
                "出生医学证明编号": key,
                "新生儿姓名": d.name("新生儿姓名", name),
                "性别": SEX_TEXT.get(sex) if not d.roll("out_of_codelist", "性别") else "未知",
                "出生时间": d.date("出生时间", born_at.date(), "%Y-%m-%d", as_of) + born_at.strftime(" %H:%M"),
                "出生地点": d.code("出生地点", "division_code", child.county),
                "母亲姓名": d.name("母亲姓名", mother.name),
                "母亲身份证号": d.citizen_id("母亲身份证号", mother.citizen_id, mother.birth, optional=True),
                "父亲姓名": d.optional("父亲姓名", father.name if father else None),
                "父亲身份证号": d.citizen_id("父亲身份证号", father.citizen_id, father.birth, optional=True)
                if father
                else None,
                "新生儿身份证号": d.citizen_id("新生儿身份证号", child.citizen_id, child.birth, optional=True),
                "签发机构": self.rng.choice(HOSPITALS),
            }

        subjects = [("newborn", "person", child.person_id), ("mother", "person", mother.person_id)]
        if father:
            subjects.append(("father", "person", father.person_id))
        letter = "ABCDEFGHJKLMNPQRSTUVWXYZ"[(child.birth.year - 1996) % 24]
        self.emit("birth_records", self.period_of(child.birth), lambda n: f"{letter}{330000000 + n}", build, subjects)

    def death(self, p: Person) -> None:
        assert p.death is not None
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            name, birth, sex = self._person_fields(p, "姓名", "出生日期", "性别")
            return {
                "证明编号": key,
                "姓名": d.name("姓名", name),
                "身份证号": d.citizen_id("身份证号", p.citizen_id, p.birth, optional=True),
                "性别": SEX_TEXT[sex],
                "出生日期": d.date("出生日期", birth, "%Y%m%d", as_of),
                "死亡日期": d.date("死亡日期", p.death, "%Y年%m月%d日", as_of),
                "户籍地址": d.optional("户籍地址", p.address),
                "死亡地点": d.code("死亡地点", "division_code", p.county),
                "填报单位": self.rng.choice(HOSPITALS),
            }

        year = p.death.year
        self.emit(
            "death_records",
            self.period_of(p.death),
            lambda n: f"SW{year}{n:07d}",
            build,
            [("subject", "person", p.person_id)],
        )


class CivilAffairs(Department):
    """婚姻登记 and 社会组织 as Excel workbooks."""

    code = "civil_affairs"

    def __init__(self, *args: Any, out: Path, **kwargs: Any):
        super().__init__(*args, **kwargs)
        folder = out / self.code
        self.sinks["marriage_registrations"] = XlsxSink(
            folder / "marriages",
            "marriages",
            "婚姻登记",
            [
                "登记证字号",
                "登记类型",
                "男方姓名",
                "男方身份证件号",
                "男方出生日期",
                "女方姓名",
                "女方身份证件号",
                "女方出生日期",
                "登记日期",
                "登记机关",
            ],
            self.router("marriage_registrations"),
        )
        self.sinks["social_organisations"] = XlsxSink(
            folder / "social_organisations",
            "social_orgs",
            "社会组织",
            [
                "序号",
                "统一社会信用代码",
                "社会组织名称",
                "社会组织类型",
                "法定代表人",
                "业务主管单位",
                "住所",
                "成立登记日期",
                "登记状态",
                "注册资金（万元）",
            ],
            self.router("social_organisations"),
        )

    def registration(self, husband: Person, wife: Person, on: date, kind: str) -> None:
        d, as_of = self.defects, self.cfg.as_of
        county = (husband if husband.in_city else wife).county

        def build(key: str) -> dict[str, Any]:
            hn, hb, _ = (
                d.disagree_name("男方姓名", husband.name, husband.surname),
                d.disagree_birth("男方出生日期", husband.birth),
                1,
            )
            wn, wb = d.disagree_name("女方姓名", wife.name, wife.surname), d.disagree_birth("女方出生日期", wife.birth)
            return {
                "登记证字号": key,
                "登记类型": kind,
                "男方姓名": d.name("男方姓名", hn),
                "男方身份证件号": d.citizen_id("男方身份证件号", husband.citizen_id, husband.birth),
                "男方出生日期": d.date("男方出生日期", hb, "excel", as_of),
                "女方姓名": d.name("女方姓名", wn),
                "女方身份证件号": d.citizen_id("女方身份证件号", wife.citizen_id, wife.birth),
                "女方出生日期": d.date("女方出生日期", wb, "excel", as_of),
                "登记日期": d.date("登记日期", on, "excel", as_of),
                "登记机关": f"宁波市{NINGBO_COUNTIES[county][0]}民政局婚姻登记处",
            }

        prefix = "J" if kind == "结婚" else "L"
        self.emit(
            "marriage_registrations",
            self.period_of(on),
            lambda n: f"{prefix}{county}-{on.year}-{n:06d}",
            build,
            [("husband", "person", husband.person_id), ("wife", "person", wife.person_id)],
        )

    def social_org(self, o: SocialOrg) -> None:
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            return {
                "序号": int(key),
                "统一社会信用代码": d.uscc("统一社会信用代码", o.uscc),
                "社会组织名称": o.name,
                "社会组织类型": o.org_kind,
                "法定代表人": d.name(
                    "法定代表人", d.disagree_name("法定代表人", o.legal_rep.name, o.legal_rep.surname)
                ),
                "业务主管单位": o.supervisor,
                "住所": d.optional("住所", o.address),
                "成立登记日期": d.date("成立登记日期", o.established, "excel", as_of),
                "登记状态": "正常" if o.status == "1" else "注销",
                "注册资金（万元）": o.capital,
            }

        self.emit(
            "social_organisations",
            self.period_of(o.established),
            str,
            build,
            [("subject", "entity", o.entity_id), ("legal_rep", "person", o.legal_rep.person_id)],
        )


class MarketRegulation(Department):
    """企业登记 and 食品经营许可证 in the regulator's database (SQLite or MariaDB)."""

    code = "market_regulation"

    def __init__(self, *args: Any, out: Path, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.engine = engine_for(self.cfg.market_regulation_url, out / self.code / "samr.sqlite")
        ent_cols = [
            ("id", sa.Integer()),
            ("tyshxydm", S(32)),
            ("qymc", S(200)),
            ("qylx", S(8)),
            ("fddbr", S(64)),
            ("fddbr_zjhm", S(32)),
            ("zs", S(200)),
            ("xzqh", S(16)),
            ("hydm", S(8)),
            ("clrq", S(16)),
            ("djzt", S(4)),
            ("djjg", S(100)),
            ("zczb", sa.Numeric(14, 2)),
            ("gxsj", S(32)),
        ]
        lic_cols = [
            ("id", sa.Integer()),
            ("xkzbh", S(32)),
            ("dzzzbs", S(100)),
            ("jyzmc", S(200)),
            ("tyshxydm", S(32)),
            ("fddbr", S(64)),
            ("jycs", S(200)),
            ("ztyt", S(4)),
            ("fzrq", S(16)),
            ("yxqz", S(16)),
            ("fzjg", S(100)),
            ("zt", S(4)),
            ("gxsj", S(32)),
        ]
        self.sinks["enterprise_registry"] = SqlTableSink(self.engine, "qydj", ent_cols, "id")
        self.sinks["food_business_licences"] = SqlTableSink(self.engine, "spjyxkz", lic_cols, "id")

    def enterprise(self, e: Enterprise) -> None:
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            rep = e.legal_rep
            return {
                "id": int(key),
                "tyshxydm": d.uscc("tyshxydm", e.uscc),
                "qymc": d.required("qymc", e.name),
                "qylx": e.org_type,
                "fddbr": d.name("fddbr", d.disagree_name("fddbr", rep.name, rep.surname)),
                "fddbr_zjhm": d.citizen_id("fddbr_zjhm", rep.citizen_id, rep.birth, optional=True),
                "zs": d.optional("zs", e.address),
                "xzqh": d.code("xzqh", "division_code", e.division),
                "hydm": d.code("hydm", "industry_code", e.industry),
                "clrq": d.date("clrq", e.established, "%Y-%m-%d", as_of),
                "djzt": e.status,
                "djjg": f"宁波市{NINGBO_COUNTIES[e.division][0]}市场监督管理局",
                "zczb": e.capital,
                "gxsj": f"{e.changed_on:%Y-%m-%d} 10:00:00",
            }

        self.emit(
            "enterprise_registry",
            "",
            str,
            build,
            [("subject", "entity", e.entity_id), ("legal_rep", "person", e.legal_rep.person_id)],
        )

    def licence(self, lic: Licence) -> None:
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            status = lic.status
            if d.roll("licence_lifecycle", "zt"):  # expired or holder deregistered, yet still 有效
                status = "1" if status != "1" else "4"
            h = lic.holder
            return {
                "id": int(key),
                "xkzbh": lic.number,
                "dzzzbs": lic.licence_id,
                "jyzmc": h.name,
                "tyshxydm": d.uscc("tyshxydm", h.uscc),
                "fddbr": d.name("fddbr", h.legal_rep.name),
                "jycs": d.optional("jycs", h.address),
                "ztyt": lic.form,
                "fzrq": d.date("fzrq", lic.issued, "%Y-%m-%d", as_of),
                "yxqz": lic.expires.isoformat(),
                "fzjg": f"宁波市{NINGBO_COUNTIES[h.division][0]}市场监督管理局",
                "zt": status,
                "gxsj": f"{lic.issued:%Y-%m-%d} 15:30:00",
            }

        self.emit(
            "food_business_licences",
            "",
            str,
            build,
            [("subject", "licence", lic.licence_id), ("holder", "entity", lic.holder.entity_id)],
        )


class HumanResourcesSocialSecurity(Department):
    """社会保险参保登记 as a paginated JSON API (pages saved under `enrolments/<period>/`)."""

    code = "hr_social_security"

    def __init__(self, *args: Any, out: Path, page_size: int = 500, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sinks["social_insurance_enrolments"] = JsonPagesSink(
            out / self.code / "enrolments", page_size, self.router("social_insurance_enrolments")
        )

    def enrolment(self, p: Person, employer: Enterprise, on: date) -> None:
        d, as_of = self.defects, self.cfg.as_of

        def build(key: str) -> dict[str, Any]:
            birth = d.disagree_birth("aac006", p.birth)
            raw_birth = d.date("aac006", birth, "%Y%m%d", as_of)
            return {
                "aaz159": key,
                "aac002": d.citizen_id("aac002", p.citizen_id, p.birth, optional=True),
                "aac003": d.name("aac003", d.disagree_name("aac003", p.name, p.surname)),
                "aac004": d.code("aac004", "sex_code", str(d.disagree_sex("aac004", p.sex))),
                "aac006": int(raw_birth) if raw_birth.isdigit() else raw_birth,
                "aae005": d.phone("aae005", p.phone),
                "aab998": d.uscc("aab998", employer.uscc),
                "aab004": employer.name,
                "aae140": d.code("aae140", "insurance_type", "110"),
                "aac030": d.date("aac030", on, "%Y-%m-%d", as_of),
                "aac008": "1",
                "aae036": f"{on:%Y-%m-%d} 11:00:00",  # 经办时间: when the enrolment was last handled
            }

        self.emit(
            "social_insurance_enrolments",
            self.period_of(on),
            lambda n: f"3302{n:012d}",
            build,
            [("subject", "person", p.person_id), ("employer", "entity", employer.entity_id)],
        )


class Tax(Department):
    """税务登记 as UTF-8 CSV with a byte-order mark."""

    code = "tax"

    def __init__(self, *args: Any, out: Path, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sinks["taxpayer_registrations"] = CsvSink(
            out / self.code / "taxpayers",
            "taxpayers",
            [
                "登记序号",
                "纳税人识别号",
                "纳税人名称",
                "法定代表人姓名",
                "法定代表人身份证件号码",
                "纳税人类型",
                "行业",
                "生产经营地址",
                "主管税务机关",
                "登记日期",
                "联系电话",
                "纳税人状态",
                "变更类型",
                "变更时间",
            ],
            "utf-8-sig",
            self.router("taxpayer_registrations"),
        )

    def taxpayer(self, e: Enterprise) -> None:
        d, as_of = self.defects, self.cfg.as_of
        registered = min(e.established + timedelta(days=self.rng.randrange(1, 60)), as_of)

        def build(key: str) -> dict[str, Any]:
            rep = e.legal_rep
            return {
                "登记序号": key,
                "纳税人识别号": d.uscc("纳税人识别号", e.uscc),
                "纳税人名称": e.name,
                "法定代表人姓名": d.name("法定代表人姓名", d.disagree_name("法定代表人姓名", rep.name, rep.surname)),
                "法定代表人身份证件号码": d.citizen_id(
                    "法定代表人身份证件号码", rep.citizen_id, rep.birth, optional=True
                ),
                "纳税人类型": "1" if e.capital >= 500 else "2",
                "行业": d.code("行业", "industry_code", e.industry),
                "生产经营地址": d.optional("生产经营地址", e.address),
                "主管税务机关": f"国家税务总局宁波市{NINGBO_COUNTIES[e.division][0]}税务局",
                "登记日期": d.date("登记日期", registered, "%Y/%m/%d", as_of),
                "联系电话": d.phone("联系电话", rep.phone),
                "纳税人状态": {"1": "03", "2": "05", "3": "07"}.get(e.status, "03"),
                "变更类型": "新增",  # a change feed: every registration so far arrives as an insert
                "变更时间": f"{registered:%Y-%m-%d} 09:00:00",
            }

        self.emit(
            "taxpayer_registrations",
            self.period_of(registered),
            lambda n: f"T{n:09d}",
            build,
            [("subject", "entity", e.entity_id), ("legal_rep", "person", e.legal_rep.person_id)],
        )

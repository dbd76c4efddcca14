"""The clerks of the living city's departments: the defects they type into what their department delivers.

A department with a quality profile (`CityConfig.profiles`) makes each defect at the city's rate times its
profile's factor, in its deliveries as the city lives as in the records it held when generated, so its
scorecards follow its profile quarter after quarter. Each delivery's forms are described below as the
departments fill them in (the platform's catalogue describes them too, but a department does not read
the platform's catalogue): an ID number can get a wrong check character, a name traditional
characters, a value the form requires can be left empty. Each defect is logged in `truth/defects.csv`
beside the generated city's. What a department's clerks typed wrong it rectifies (整改) by re-sending the
record as it is, and each defect so corrected is logged in `truth/rectifications.csv` with the day it was
delivered. A city without profiles delivers what its departments recorded, untouched, and draws nothing
from any random stream.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pipelines.synth.config import CityConfig
from pipelines.synth.defects import Defects

RECTIFICATION_COLUMNS = ["date", "department", "resource", "record_key", "field", "defect"]


@dataclass(frozen=True)
class Form:
    """A delivery's form: its record key, and the fields each kind of defect can reach."""

    key: str
    citizen_ids: tuple[str, ...] = ()
    usccs: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    codes: tuple[tuple[str, str], ...] = ()  # (field, the code list's element)
    dates: tuple[tuple[str, str], ...] = ()  # (field, how the department writes it)
    withdrawal: tuple[str, str] | None = None  # (field, value) of a row withdrawing its record


FORMS = {
    ("health", "birth_records"): Form(
        "出生医学证明编号", ("母亲身份证号", "父亲身份证号", "新生儿身份证号"), (), ("新生儿姓名", "母亲姓名", "父亲姓名"),
        ("新生儿姓名", "性别", "出生时间", "母亲姓名"), (("性别", "sex_code"),), (("出生时间", "%Y-%m-%d %H:%M"),),
    ),
    ("health", "death_records"): Form(
        "证明编号", ("身份证号",), (), ("姓名",), ("姓名", "身份证号", "性别", "出生日期", "死亡日期"),
        (("性别", "sex_code"),), (("出生日期", "%Y%m%d"), ("死亡日期", "%Y年%m月%d日")),
    ),
    ("civil_affairs", "marriage_registrations"): Form(
        "登记证字号", ("男方身份证件号", "女方身份证件号"), (), ("男方姓名", "女方姓名"),
        ("登记类型", "男方姓名", "男方身份证件号", "女方姓名", "女方身份证件号", "登记日期"), (),
        (("男方出生日期", "%Y-%m-%d"), ("女方出生日期", "%Y-%m-%d"), ("登记日期", "%Y-%m-%d")),
    ),
    ("tax", "taxpayer_registrations"): Form(
        "登记序号", ("法定代表人身份证件号码",), ("纳税人识别号",), ("法定代表人姓名",),
        ("纳税人识别号", "纳税人名称", "法定代表人姓名", "纳税人类型", "登记日期", "纳税人状态"),
        (("行业", "industry_code"),), (("登记日期", "%Y-%m-%d"),), ("变更类型", "删除"),
    ),
}  # fmt: skip


class Clerks:
    def __init__(self, city: Path, seed: int, start: date):
        config = CityConfig.model_validate(json.loads((city / "truth" / "summary.json").read_text())["config"])
        self.factors = {code: p.defects for code, p in config.profiles.items()}
        self.lateness = {code: p.late for code, p in config.profiles.items() if p.late is not None}
        self._file = None
        self.typed_wrong: dict[tuple[str, str, str], list[tuple[str, str]]] = {}  # record -> (field, defect)
        if not self.factors:
            return
        self._file = (city / "truth" / "defects.csv").open("a", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator="\n")
        rectifications = city / "truth" / "rectifications.csv"
        fresh = not rectifications.exists()
        self._rectifications_file = rectifications.open("a", encoding="utf-8", newline="")
        self._rectifications = csv.writer(self._rectifications_file, lineterminator="\n")
        if fresh:
            self._rectifications.writerow(RECTIFICATION_COLUMNS)
        rng = random.Random(f"clerks:{seed}:{start.isoformat()}")
        self.defects = Defects(rng, config.rates, self, self.factors)

    def late(self, department: str, usual: float) -> float:
        """How often the department delivers late: its profile's, or the city's `usual`."""
        return self.lateness.get(department, usual)

    def write(self, table: str, *values: object) -> None:
        """Where `Defects` logs what it injected (the truth's `defects` table, appended to)."""
        self._writer.writerow(values)
        department, resource, key, field, kind = values
        self.typed_wrong.setdefault((department, resource, key), []).append((field, kind))

    def typed_wrong_in(self, department: str, resource: str, rows: list[dict]) -> list[dict]:
        """Those of `rows` (as the department recorded them) its clerks typed with a defect not yet rectified."""
        key = FORMS[(department, resource)].key
        return [r for r in rows if (department, resource, str(r[key])) in self.typed_wrong]

    def rectify(self, department: str, resource: str, rows: list[dict], on: date) -> None:
        """`rows` re-sent as recorded on `on`: each defect typed into them before is logged as rectified."""
        key = FORMS[(department, resource)].key
        for row in rows:
            record = (department, resource, str(row[key]))
            self._rectified(record, self.typed_wrong.pop(record, []), on)

    def _rectified(self, record: tuple[str, str, str], before: list[tuple[str, str]], on: date) -> None:
        """Log as rectified on `on` each defect of `before` in a field the record's new typing got right."""
        wrong_now = {field for field, _ in self.typed_wrong.get(record, [])}
        for field, kind in before:
            if field not in wrong_now:
                self._rectifications.writerow([on.isoformat(), *record, field, kind])

    def type(self, department: str, resource: str, rows: list[dict], on: date) -> list[dict]:
        """`rows` as the department's clerks typed them on `on` (new dicts; the records themselves are
        unchanged). A record typed again without a defect typed into it before is rectified; one withdrawn
        is not (it is gone)."""
        if self._file is None:
            return rows
        form = FORMS[(department, resource)]
        typed = []
        for row in rows:
            row = dict(row)
            record = (department, resource, str(row[form.key]))
            before = self.typed_wrong.pop(record, [])
            d = self.defects.at(*record)
            for field in form.citizen_ids:
                if isinstance(row.get(field), str) and len(row[field]) == 18:
                    row[field] = d.mistyped_id(field, row[field])
            for field in form.usccs:
                if isinstance(row.get(field), str) and len(row[field]) == 18:
                    row[field] = d.uscc(field, row[field])
            for field in form.names:
                if isinstance(row.get(field), str) and row[field]:
                    row[field] = d.name(field, row[field], required=False)
            for field, element in form.codes:
                if row.get(field):
                    row[field] = d.code(field, element, row[field])
            for field, written in form.dates:
                if row.get(field):
                    day = datetime.strptime(row[field], written)
                    row[field] = d.date(field, day, written, day.date())
            for field in form.required:
                if row.get(field) and d.roll("missing_required", field):
                    row[field] = None
            if form.withdrawal is None or row.get(form.withdrawal[0]) != form.withdrawal[1]:
                self._rectified(record, before, on)
            typed.append(row)
        return typed

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._rectifications_file.close()

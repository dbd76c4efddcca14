"""Documentation pages per data element, in Chinese and English, generated from `standards/`.

`govlake generate` writes `docs/standards/{zh,en}/<element>.md` and an index per language;
each page shows what the element is, how it is normalised, what is checked (with the GB/T 36344
dimension and severity of each check), which cross-field rules use it, and worked examples
computed by the engine itself, so the page can never disagree with the code.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.generation import Generator
from pipelines.paths import CODELISTS_DIR
from pipelines.paths import STANDARDS_DOCS_DIR as DOCS_DIR
from pipelines.standards.masking import mask
from pipelines.standards.python import engine
from pipelines.standards.registry import DataElement, load_elements, load_rules
from pipelines.standards.spec import Dimension
from pipelines.yamlio import load_yaml

T = {
    "zh": {
        "index": "数据元标准索引",
        "standard": "标准",
        "datatype": "数据类型",
        "sensitivity": "敏感级别",
        "codelist": "代码表",
        "normalise": "规范化步骤",
        "universal": "全角转半角、去除首尾空白、占位符（无、不详、/、NULL 等）视为缺失",
        "checks": "校验规则",
        "cols": ["规则", "类型", "质量维度", "严重程度", "说明"],
        "rules": "跨字段规则",
        "examples": "示例（由引擎计算）",
        "ex_cols": ["输入", "规范化结果", "未通过的规则"],
        "none": "无",
        "source": "来源",
        "version": "版本",
        "dimensions": {d.value: d.names["zh"] for d in Dimension},
        "severity": {"error": "错误", "warning": "警告"},
    },
    "en": {
        "index": "Data element standards",
        "standard": "Standard",
        "datatype": "Data type",
        "sensitivity": "Sensitivity",
        "codelist": "Code list",
        "normalise": "Normalisation",
        "universal": "full width to half width, trim, placeholders (无, 不详, /, NULL, ...) count as missing",
        "checks": "Checks",
        "cols": ["Check", "Kind", "Dimension", "Severity", "Description"],
        "rules": "Cross-field rules",
        "examples": "Examples (computed by the engine)",
        "ex_cols": ["Input", "Normalised", "Failed checks"],
        "none": "none",
        "source": "source",
        "version": "version",
        "dimensions": {d.value: d.value for d in Dimension},
        "severity": {"error": "error", "warning": "warning"},
    },
}
STEP_NAMES = {
    "zh": {
        "fullwidth": "全角转半角",
        "trim": "去除首尾空白",
        "remove_whitespace": "删除所有空白",
        "collapse_whitespace": "合并连续空白，删除汉字之间的空白",
        "remove_chars": "删除字符",
        "replace_chars": "替换字符",
        "upper_ascii": "英文字母转大写",
        "t2s": "繁体转简体（OpenCC t2s）",
        "drop_prefix": "去除前缀",
        "map": "部门写法映射为代码",
        "upgrade_id15": "15 位号码升位为 18 位",
        "iso_date": "日期统一为 YYYY-MM-DD",
    },
    "en": {
        "fullwidth": "full width to half width",
        "trim": "trim",
        "remove_whitespace": "remove all whitespace",
        "collapse_whitespace": "collapse whitespace runs, drop whitespace between Chinese characters",
        "remove_chars": "remove characters",
        "replace_chars": "replace characters",
        "upper_ascii": "ASCII letters to upper case",
        "t2s": "traditional to simplified (OpenCC t2s)",
        "drop_prefix": "drop prefix",
        "map": "department spellings to codes",
        "upgrade_id15": "upgrade 15-digit numbers to 18 digits",
        "iso_date": "dates to YYYY-MM-DD",
    },
}
EXAMPLES = {
    "citizen_id": [
        "11010519491231002X",
        "１１０１０５４９１２３１００２",
        "11010519491231002x",
        "110105194912310021",
        "不详",
    ],
    "uscc": ["91350100M000100Y43", "91350100m000100y43", "91350100M000100Y44"],
    "organisation_code": ["M000100Y-4", "60003734-2"],
    "licence_id": ["1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"],
    "person_name": ["張 三", "阿卜杜拉•买买提"],
    "date": ["2020年1月5日", "20200230", "2020/02/29"],
    "mobile_phone": ["+86 138-0013-8000", "1380013800"],
    "sex_code": ["男", "1", "3"],
    "division_code": ["330203", "330204", "999999"],
    "industry_code": ["c38", "A38"],
}


def _step_text(step, lang: str) -> str:
    text = STEP_NAMES[lang][step.op]
    extra = {k: v for k, v in step.model_dump().items() if k != "op" and v not in (None, {}, False, [])}
    return text + (f" `{extra}`" if extra else "")


def _codelist_sources() -> dict:
    return load_yaml(CODELISTS_DIR / "_sources.yml").data


def page(element: DataElement, lang: str) -> str:
    t = T[lang]
    name = element.name.zh if lang == "zh" else element.name.en
    lines = [f"# {name} (`{element.id}`)", ""]
    if element.description:
        lines += [element.description, ""]
    lines += [
        f"- {t['standard']}: {element.standard}",
        f"- {t['datatype']}: {element.datatype}",
        f"- {t['sensitivity']}: {element.sensitivity.value}",
    ]
    if element.codelist:
        src = _codelist_sources().get(element.codelist, {})
        lines.append(
            f"- {t['codelist']}: `{element.codelist}` ({t['source']}: {src.get('source', '?')}; {t['version']}: {src.get('version', '?')})"
        )
    lines += ["", f"## {t['normalise']}", "", f"1. {t['universal']}"]
    lines += [f"{i}. {_step_text(s, lang)}" for i, s in enumerate(element.normalise, start=2)]
    lines += ["", f"## {t['checks']}", "", "| " + " | ".join(t["cols"]) + " |", "|" + "---|" * len(t["cols"])]
    for c in element.checks:
        lines.append(
            f"| `{c.id}` | {c.kind} | {t['dimensions'][c.dimension.value]} | {t['severity'][c.severity.value]} | {c.description or ''} |"
        )
    rules = [r for r in load_rules() if element.id in (r.left, r.right)]
    if rules:
        lines += ["", f"## {t['rules']}", ""]
        lines += [
            f"- `{r.id}` ({t['dimensions'][r.dimension.value]}, {t['severity'][r.severity.value]}): {r.description}"
            for r in rules
        ]
    if element.id in EXAMPLES:
        lines += ["", f"## {t['examples']}", "", "| " + " | ".join(t["ex_cols"]) + " |", "|---|---|---|"]
        e = engine(element.id)
        for raw in EXAMPLES[element.id]:
            n = e.normalise(raw)
            failed = [k for k, v in e.check(n).items() if v is False]
            shown = (mask(element.id, raw), mask(element.id, n)) if element.id in ("person_name",) else (raw, n)
            lines.append(f"| `{shown[0]}` | `{shown[1]}` | {', '.join(failed) or t['none']} |")
    return "\n".join(lines) + "\n"


def render_docs(out: Path = DOCS_DIR) -> dict[Path, str]:
    """One page per element and an index, in each language."""
    files: dict[Path, str] = {}
    elements = load_elements()
    for lang in ("zh", "en"):
        index = [f"# {T[lang]['index']}", ""]
        for element_id, element in sorted(elements.items()):
            files[out / lang / f"{element_id}.md"] = page(element, lang)
            name = element.name.zh if lang == "zh" else element.name.en
            index.append(f"- [{name}]({element_id}.md) — {element.standard}, {len(element.checks)}")
        files[out / lang / "index.md"] = "\n".join(index) + "\n"
    return files


GENERATOR = Generator(
    "standards documentation (standards/)",
    render_docs,
    lambda: {*DOCS_DIR.glob("zh/*.md"), *DOCS_DIR.glob("en/*.md")},
)

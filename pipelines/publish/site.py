"""`govlake publish`: the static, bilingual scorecard site under `site/`.

    site/index.html                       language choice (zh first)
    site/<lang>/index.html                league table
    site/<lang>/departments/<dept>.html   scorecard, charts, rule counts, spot checks
    site/<lang>/standards.html            index of the standards
    site/data/...json                     the data behind every page; departments' failing keys as CSV
    site/assets/style.css

No script, no CDN: charts are inline SVG, so pages open from file:// as well as through `govlake serve`.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.publish.charts import bar_chart, line_chart
from pipelines.publish.data import DIMENSIONS, SiteData, collect, write_json
from pipelines.publish.i18n import LANGUAGES, dimension_names, words
from pipelines.settings import Settings

HERE = Path(__file__).parent


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = _pct
    env.filters["pct0"] = lambda v: _pct(v, 0)
    env.filters["signed_pct"] = lambda v: "–" if v is None else ("+" if v >= 0 else "") + _pct(v)
    return env


def publish(settings: Settings, out: Path | None = None) -> Path:
    """Write the whole site afresh (a page of a department no longer scored does not linger)."""
    data = collect(settings)
    out = out or settings.site_root
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    shutil.copy(HERE / "assets" / "style.css", out / "assets" / "style.css")
    _write_data(out, data)
    env = _environment()
    generated_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for lang in LANGUAGES:
        other = next(x for x in LANGUAGES if x != lang)
        common = {
            "lang": lang,
            "other_lang": other,
            "w": words(lang),
            "dims": dimension_names(lang),
            "dimensions": DIMENSIONS,
            "generated_at": generated_at,
        }
        pages = [("index.html", "index.html", "data/index.json", data.index, {}, words(lang)["league_table"])]
        pages.append(
            ("standards.html", "standards.html", "data/standards.json", data.standards, {}, words(lang)["standards"])
        )
        for code, dept in data.departments.items():
            pages.append(
                (
                    f"departments/{code}.html",
                    "department.html",
                    f"data/departments/{code}.json",
                    dept,
                    _charts(dept, lang),
                    dept["name"][lang],
                )
            )
        for page, template, json_path, page_data, extra, title in pages:
            root = "../" * (page.count("/") + 1)
            html = env.get_template(template).render(
                **common, **extra, page=page, root=root, json=json_path, data=page_data, title=title
            )
            path = out / lang / page
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
    (out / "index.html").write_text(_language_choice(), encoding="utf-8")
    return out


def _charts(dept: dict, lang: str) -> dict[str, str]:
    dims, w = dimension_names(lang), words(lang)
    latest = {d["dimension"]: d["score"] for d in dept["dimension_scores"]}
    bars = [(dims[d], latest.get(d)) for d in DIMENSIONS]
    quarters = [c for c in dept["scorecards"] if c["period_kind"] == "quarter"]  # the trend across quarters
    series = {w["overall"]: [(c["period"], c["overall_score"]) for c in quarters]}
    for d in DIMENSIONS:
        series[dims[d]] = [(c["period"], c[f"{d}_score"]) for c in quarters]
    return {
        "dimension_chart": bar_chart(bars, dept["pass_mark"], w["dimensions"]),
        "trend_chart": line_chart(series, dept["pass_mark"], w["trend"]),
    }


def _write_data(out: Path, data: SiteData) -> None:
    write_json(out / "data" / "index.json", data.index)
    write_json(out / "data" / "standards.json", data.standards)
    for code, dept in data.departments.items():
        write_json(out / "data" / "departments" / f"{code}.json", dept)


def _language_choice() -> str:
    return (
        '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="0; url=zh/index.html"><link rel="icon" href="data:,">'
        "<title>政务数据质量评分 · Government data quality scorecards</title></head>"
        '<body><p><a href="zh/index.html">中文</a> · <a href="en/index.html" lang="en">English</a></p></body></html>\n'
    )

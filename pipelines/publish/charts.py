"""Charts as inline SVG, drawn here: the site needs no chart library, no script and no network.

Scores near 100% are what departments compare, so the value axis starts at the nearest tenth below
the lowest value (never above the pass mark) rather than at zero; the axis is labelled.
"""

from __future__ import annotations

from html import escape

WIDTH, BAR_HEIGHT, GAP, LABEL = 560, 22, 8, 120
COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#0e7490", "#57606a"]


def _floor(values: list[float], pass_mark: float) -> float:
    low = min([*values, pass_mark])
    return max(0.0, int(low * 10) / 10)


def _pct(value: float) -> str:
    return f"{value:.2%}"


def bar_chart(bars: list[tuple[str, float | None]], pass_mark: float, title: str) -> str:
    """Horizontal bars, one per dimension, with the pass mark as a dashed line."""
    scored = [v for _, v in bars if v is not None]
    low = _floor(scored or [1.0], pass_mark)
    plot = WIDTH - LABEL - 70
    height = len(bars) * (BAR_HEIGHT + GAP) + 30

    def x(v: float) -> float:
        return LABEL + plot * (v - low) / (1 - low or 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(bars):
        y = i * (BAR_HEIGHT + GAP)
        parts.append(f'<text x="{LABEL - 6}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{LABEL + 4}" y="{y + 16}" class="muted">–</text>')
            continue
        colour = "#1a7f37" if value >= pass_mark else "#d1242f"
        parts.append(
            f'<rect x="{LABEL}" y="{y}" width="{max(x(value) - LABEL, 1):.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
        )
        parts.append(f'<text x="{x(value) + 4:.1f}" y="{y + 16}">{_pct(value)}</text>')
    axis_y = len(bars) * (BAR_HEIGHT + GAP)
    parts.append(
        f'<line x1="{x(pass_mark):.1f}" y1="0" x2="{x(pass_mark):.1f}" y2="{axis_y}" stroke="#57606a" '
        f'stroke-dasharray="4 3"/>'
    )
    for tick in (low, (low + 1) / 2, 1.0):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y + 16}" text-anchor="middle" class="muted">{_pct(tick)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[str, float | None]]], pass_mark: float, title: str) -> str:
    """One line per series over the periods, with the pass mark dashed and a legend."""
    periods = sorted({p for points in series.values() for p, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    low = _floor(values or [1.0], pass_mark)
    left, top, plot_w, plot_h = 60, 10, WIDTH - 110, 180
    height = top + plot_h + 40 + 18 * ((len(series) + 2) // 3)

    def x(period: str) -> float:
        return left + (plot_w * periods.index(period) / (len(periods) - 1) if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (1 - low or 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#d0d7de"/>',
        f'<line x1="{left}" y1="{y(pass_mark):.1f}" x2="{left + plot_w}" y2="{y(pass_mark):.1f}" stroke="#57606a" '
        f'stroke-dasharray="4 3"/>',
    ]
    for tick in (low, (low + 1) / 2, 1.0):
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" class="muted">{_pct(tick)}</text>')
    for period in periods:
        parts.append(f'<text x="{x(period):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(period)}</text>')
    for i, (name, points) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        coords = [(x(p), y(v)) for p, v in sorted(points) if v is not None]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>' for cx, cy in coords)
        lx, ly = left + (i % 3) * (plot_w / 3), top + plot_h + 36 + 18 * (i // 3)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{ly}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)

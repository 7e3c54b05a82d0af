"""The daily report: one self-contained HTML page per as-of date, beside the day's exports.

`<EXPORT_DIR>/<date>/report_<date>.html`: the tiers and their trend over the last published dates, candidates by
product, province and industry, the distribution of suggested limits, the day's triggers, the new early warnings
by signal and severity, the pool's missed conditions, and the model-monitoring figures. Charts are inline SVG
drawn here (no script, no CDN, no font download), so the page opens offline, from a mail attachment or from the
Airflow UI (Browse > Daily report). It reads only the published marts.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text

from sme_credit import settings
from sme_credit.publish.exports import NEW_WARNING, day_folder

TREND_DATES = 30
COLOURS = ("#1f6f8b", "#99a8b2", "#e6a157", "#c0392b", "#6c5b7b", "#2e8b57", "#8e7f5a", "#4a6fa5")
TIER_COLOURS = {"high_potential": "#2e8b57", "steady": "#1f6f8b", "risk_warning": "#c0392b"}
# GB/T 2260 province-level codes: the first two digits of a region code
PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
    "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
}  # fmt: skip


def report_path(as_of_date: dt.date, folder: Path | None = None) -> Path:
    return day_folder(as_of_date, folder) / f"report_{as_of_date:%Y%m%d}.html"


def latest_report() -> Path | None:
    """The report of the latest date written, if any."""
    reports = sorted(settings.export_dir().glob("*/report_*.html"))
    return reports[-1] if reports else None


def write_report(engine: Engine, as_of_date: dt.date, folder: Path | None = None, log=print) -> Path:
    path = report_path(as_of_date, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".html.partial")
    partial.write_text(render(engine, as_of_date), encoding="utf-8")
    os.replace(partial, path)
    log(f"daily report for {as_of_date}: {path}")
    return path


def _rows(conn, sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in conn.execute(text(sql), params)]


def render(engine: Engine, day: dt.date) -> str:
    with engine.connect() as conn:
        dates = [
            d
            for (d,) in _rows(
                conn,
                "select distinct as_of_date from marts.customer_risk_tiers where as_of_date <= :d "
                "order by as_of_date desc limit :n",
                d=day,
                n=TREND_DATES,
            )
        ][::-1]
        tiers = _rows(
            conn,
            "select as_of_date, risk_tier, count(*) from marts.customer_risk_tiers where as_of_date = any(:dates) "
            "group by 1, 2 order by 1, 2",
            dates=dates,
        )
        candidates = "from marts.precredit_candidates as c join marts.customer_features as f using (uscc, as_of_date) "
        by_product = _rows(
            conn,
            f"select c.suggested_product, count(*) {candidates} where c.as_of_date = :d group by 1 order by 2 desc",
            d=day,
        )
        by_region = _rows(
            conn,
            f"select left(f.region_code, 2), count(*) {candidates} where c.as_of_date = :d group by 1 order by 2 desc",
            d=day,
        )
        by_industry = _rows(
            conn,
            "select concat_ws(' ', f.industry_section, i.section_name_zh), count(*) "
            f"{candidates} left join reference.industry_risk_coefficients as i using (industry_section) "
            "where c.as_of_date = :d group by 1 order by 2 desc",
            d=day,
        )
        limits = [
            float(v)
            for (v,) in _rows(
                conn, "select suggested_limit from marts.precredit_candidates where as_of_date = :d", d=day
            )
        ]
        triggers = _rows(
            conn,
            "select uscc, enterprise_name, risk_tier, trigger_condition, suggested_limit "
            "from marts.precredit_candidates where as_of_date = :d and triggered order by suggested_limit desc, uscc",
            d=day,
        )
        warnings = _rows(
            conn,
            "select w.signal, count(*) filter (where w.severity = 'high'), "
            "count(*) filter (where w.severity = 'medium') "
            f"from marts.early_warning_signals as w where w.as_of_date = :as_of_date and {NEW_WARNING} "
            "group by 1 order by 2 + 3 desc, 1",
            as_of_date=day,
        )
        missed = _rows(
            conn,
            "select missed_condition, count(*) from marts.precredit_pool "
            "where as_of_date = :d and pool_status = 'watch' group by 1 order by 2 desc",
            d=day,
        )
        monitoring = []
        if conn.execute(text("select to_regclass('marts.model_monitoring') is not null")).scalar():
            monitoring = _rows(
                conn,
                "select metric, subject, baseline, psi, status, model_version from marts.model_monitoring "
                "where as_of_date = :d order by metric desc, psi desc",
                d=day,
            )
    today = {tier: n for d, tier, n in tiers if d == day}
    series: dict[str, list[tuple[dt.date, float]]] = {}
    for d, tier, n in tiers:
        series.setdefault(tier, []).append((d, n))
    sections = [
        _section(
            "tiers",
            "风险分层 Tiers",
            f"<p>{' · '.join(f'{html.escape(t)}: <b>{n:,}</b>' for t, n in sorted(today.items()))}</p>"
            + _line_chart("tiers-trend", series, TIER_COLOURS),
        ),
        _section(
            "candidates",
            f"预授信客户 Candidates ({sum(n for _, n in by_product):,})",
            _bar_chart("by-product", "by product", by_product)
            + _bar_chart("by-region", "by province", [(PROVINCES.get(code, code), n) for code, n in by_region])
            + _bar_chart("by-industry", "by industry section (GB/T 4754)", by_industry),
        ),
        _section("limits", "建议额度 Suggested limits (yuan)", _histogram("limits", limits)),
        _section(
            "triggers",
            f"今日触发 Triggered today ({len(triggers)})",
            _table(("USCC", "enterprise", "tier", "condition met", "limit"), triggers),
        ),
        _section(
            "warnings",
            "新增预警 New early warnings (high / medium)",
            _stacked_bars("warnings-by-signal", [(s, (h, m)) for s, h, m in warnings], ("high", "medium")),
        ),
        _section("missed", "观察名单未满足条件 Watch: missed conditions", _bar_chart("missed-conditions", "", missed)),
        _section(
            "monitoring",
            "模型监控 Model monitoring (PSI)",
            _table(("metric", "subject", "baseline", "PSI", "status", "model"), monitoring)
            if monitoring
            else "<p>No monitoring figures for this date.</p>",
        ),
    ]
    return PAGE.format(day=day, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), body="".join(sections))


PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>SME pre-credit daily report {day}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }}
section {{ margin-bottom: 2.5em; }} h1 {{ font-size: 1.5em; }}
h2 {{ font-size: 1.15em; border-bottom: 1px solid #ccc; }}
h3 {{ font-size: 0.95em; margin: 1em 0 0.2em; }} svg.chart {{ display: block; margin: 0.5em 0; }}
svg text {{ font-size: 11px; fill: #333; }} table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ddd; padding: 2px 8px; text-align: left; }} td.n {{ text-align: right; }}
</style></head>
<body><h1>SME pre-credit daily report · 预授信日报 · {day}</h1>
<p>Published marts as of {day}; generated {generated}.</p>
{body}</body></html>
"""


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{html.escape(title)}</h2>{body}</section>'


def _empty(key: str) -> str:
    return f'<p class="empty" data-chart="{key}">Nothing on this date.</p>'


def _bar_chart(key: str, title: str, rows: list[tuple]) -> str:
    rows = [(str(label) if label is not None else "(none)", float(n)) for label, n in rows]
    heading = f"<h3>{html.escape(title)}</h3>" if title else ""
    if not rows:
        return heading + _empty(key)
    top = max(n for _, n in rows) or 1
    width, label_w, bar_h = 640, 190, 18
    bars = "".join(
        f'<text x="{label_w - 6}" y="{i * bar_h + 13}" text-anchor="end">{html.escape(label[:28])}</text>'
        f'<rect x="{label_w}" y="{i * bar_h + 2}" width="{max(1.0, (width - label_w - 60) * n / top):.1f}" '
        f'height="{bar_h - 4}" fill="{COLOURS[0]}"><title>{html.escape(label)}: {n:,.0f}</title></rect>'
        f'<text x="{label_w + (width - label_w - 60) * n / top + 4:.1f}" y="{i * bar_h + 13}">{n:,.0f}</text>'
        for i, (label, n) in enumerate(rows)
    )
    return heading + (
        f'<svg class="chart" data-chart="{key}" width="{width}" height="{len(rows) * bar_h + 4}" '
        f'xmlns="http://www.w3.org/2000/svg">{bars}</svg>'
    )


def _stacked_bars(key: str, rows: list[tuple[str, tuple[int, ...]]], parts: tuple[str, ...]) -> str:
    if not rows:
        return _empty(key)
    top = max(sum(values) for _, values in rows) or 1
    width, label_w, bar_h = 640, 190, 18
    colours = ("#c0392b", "#e6a157")
    out = []
    for i, (label, values) in enumerate(rows):
        out.append(f'<text x="{label_w - 6}" y="{i * bar_h + 13}" text-anchor="end">{html.escape(label)}</text>')
        x = float(label_w)
        for part, value, colour in zip(parts, values, colours, strict=False):
            w = (width - label_w - 80) * value / top
            if value:
                out.append(
                    f'<rect x="{x:.1f}" y="{i * bar_h + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{colour}">'
                    f"<title>{html.escape(label)} {part}: {value}</title></rect>"
                )
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{i * bar_h + 13}">{" / ".join(str(v) for v in values)}</text>')
    legend = " ".join(f'<span style="color:{c}">■</span> {p}' for p, c in zip(parts, colours, strict=False))
    return (
        f'<svg class="chart" data-chart="{key}" width="{width}" height="{len(rows) * bar_h + 4}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(out)}</svg><p>{legend}</p>'
    )


def _histogram(key: str, values: list[float], bins: int = 12) -> str:
    if not values:
        return _empty(key)
    low, high = min(values), max(values)
    step = (high - low) / bins or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(int((value - low) / step), bins - 1)] += 1
    rows = [(f"{low + i * step:,.0f} – {low + (i + 1) * step:,.0f}", n) for i, n in enumerate(counts)]
    return _bar_chart(key, f"{len(values):,} candidates, median {sorted(values)[len(values) // 2]:,.0f}", rows)


def _line_chart(key: str, series: dict[str, list[tuple[dt.date, float]]], colours: dict[str, str]) -> str:
    dates = sorted({d for points in series.values() for d, _ in points})
    if not dates:
        return _empty(key)
    width, height, left, bottom = 640, 220, 50, 30
    top = max(v for points in series.values() for _, v in points) or 1
    span = max(len(dates) - 1, 1)

    def x(d: dt.date) -> float:
        return left + (width - left - 120) * dates.index(d) / span

    def y(v: float) -> float:
        return 10 + (height - bottom - 10) * (1 - v / top)

    out = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 120}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left}" y="{height - 10}">{dates[0]}</text>',
        f'<text x="{width - 120}" y="{height - 10}" text-anchor="end">{dates[-1]}</text>',
        f'<text x="{left - 6}" y="{y(top) + 4:.1f}" text-anchor="end">{top:,.0f}</text>',
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
    ]
    for i, (name, points) in enumerate(sorted(series.items())):
        colour = colours.get(name, COLOURS[i % len(COLOURS)])
        path = " ".join(f"{'M' if j == 0 else 'L'}{x(d):.1f},{y(v):.1f}" for j, (d, v) in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.extend(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
            f"<title>{name} {d}: {v:,.0f}</title></circle>"
            for d, v in points
        )
        last_d, last_v = points[-1]
        out.append(f'<text x="{x(last_d) + 8:.1f}" y="{y(last_v) + 4:.1f}" fill="{colour}">{html.escape(name)}</text>')
    return (
        f'<svg class="chart" data-chart="{key}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(out)}</svg>'
    )


def _table(headers: tuple[str, ...], rows: list[tuple]) -> str:
    if not rows:
        return "<p>None.</p>"

    def cell(value: object) -> str:
        if isinstance(value, Decimal):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"<td>{html.escape(str(value if value is not None else ''))}</td>"
        shown = f"{value:,.4g}" if isinstance(value, float) and abs(value) < 1000 else f"{value:,.0f}"
        return f'<td class="n">{shown}</td>'

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"

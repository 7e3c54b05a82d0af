"""The day's candidate list as files the risk team opens: a CSV and an XLSX per as-of date.

Written after the publication (so they show the published marts and the tracked status) into
`<EXPORT_DIR>/<as_of_date>/` (default `data/exports/`): `precredit_candidates_<date>.csv` in UTF-8 with a BOM,
so that Excel shows the Chinese right, and `precredit_candidates_<date>.xlsx` with two sheets, the candidates and
the day's new early warnings on tracked firms. Headers are in Chinese. Text that a spreadsheet would run as a
formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with an apostrophe: an enterprise name
or a note is data, never a formula. Writing a date again replaces its files.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text

from sme_credit import settings

# (column of the query, Chinese header); numbers stay numbers, everything else is text
CANDIDATE_COLUMNS = (
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("risk_tier_name_zh", "风险分层"),
    ("score", "评分"),
    ("reason_codes", "主要原因"),
    ("suggested_limit", "建议额度(元)"),
    ("suggested_term_months", "期限(月)"),
    ("suggested_product", "产品"),
    ("rate_band", "利率区间"),
    ("trigger", "触发"),
    ("status_name_zh", "跟踪状态"),
)
WARNING_COLUMNS = (
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("signal", "预警信号"),
    ("severity", "严重程度"),
    ("observed_value", "观测值"),
    ("threshold", "阈值"),
    ("detail", "说明"),
    ("status_name_zh", "跟踪状态"),
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_CANDIDATES = """
select c.uscc, c.enterprise_name, c.risk_tier_name_zh, c.score, r.reason_codes, c.suggested_limit,
       c.suggested_term_months, c.suggested_product, c.rate_band,
       case when c.triggered then '观察名单触发: ' || c.trigger_condition else '' end as trigger,
       s.name_zh as status_name_zh
from marts.precredit_candidates as c
left join marts.customer_risk_tiers as r on r.uscc = c.uscc and r.as_of_date = c.as_of_date
left join tracking.candidates as t on t.uscc = c.uscc
left join tracking.candidate_statuses as s on s.status = t.status
where c.as_of_date = :as_of_date
order by c.score desc, c.uscc
"""

# A warning `w` of :as_of_date is new when the firm did not have the same signal on the latest published date
# before it (the daily report counts them too).
NEW_WARNING = """not exists (
      select from marts.early_warning_signals as earlier
      where earlier.uscc = w.uscc and earlier.signal = w.signal
        and earlier.as_of_date = (
            select max(as_of_date) from marts.early_warning_signals where as_of_date < :as_of_date
        )
  )"""

_NEW_WARNINGS = f"""
select w.uscc, t.enterprise_name, w.signal, w.severity, w.observed_value, w.threshold, w.detail,
       s.name_zh as status_name_zh
from marts.early_warning_signals as w
join tracking.candidates as t on t.uscc = w.uscc
left join tracking.candidate_statuses as s on s.status = t.status
where w.as_of_date = :as_of_date and {NEW_WARNING}
order by w.severity = 'high' desc, w.uscc, w.signal
"""


@dataclass(frozen=True)
class Export:
    folder: Path
    csv: Path
    xlsx: Path
    candidates: int
    new_warnings: int


def day_folder(as_of_date: dt.date, folder: Path | None = None) -> Path:
    """Where a date's files go: <EXPORT_DIR>/<date>/ (the candidate list, the daily report)."""
    return (folder or settings.export_dir()) / as_of_date.isoformat()


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would evaluate becomes plain text (OWASP: CSV injection); numbers are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(engine: Engine, query: str, columns, as_of_date: dt.date) -> list[list[object]]:
    with engine.connect() as conn:
        result = conn.execute(text(query), {"as_of_date": as_of_date}).mappings().all()
    return [[neutralise(_plain(row[name])) for name, _ in columns] for row in result]


def _plain(value: object) -> object:
    """Decimals as int or float (spreadsheets want numbers), None as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def export_day(engine: Engine, as_of_date: dt.date, folder: Path | None = None, log=print) -> Export:
    """Write the date's CSV and XLSX; files are written beside and renamed, so a reader never sees half a file."""
    target = day_folder(as_of_date, folder)
    target.mkdir(parents=True, exist_ok=True)
    candidates = _rows(engine, _CANDIDATES, CANDIDATE_COLUMNS, as_of_date)
    warnings = _rows(engine, _NEW_WARNINGS, WARNING_COLUMNS, as_of_date)
    stem = f"precredit_candidates_{as_of_date:%Y%m%d}"

    csv_path = target / f"{stem}.csv"
    partial = csv_path.with_suffix(".csv.partial")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for _, header in CANDIDATE_COLUMNS])
        writer.writerows(candidates)
    os.replace(partial, csv_path)

    xlsx_path = target / f"{stem}.xlsx"
    partial = xlsx_path.with_suffix(".xlsx.partial")
    _write_xlsx(
        partial,
        (
            (f"预授信客户 {as_of_date}", CANDIDATE_COLUMNS, candidates),
            (f"新增预警 {as_of_date}", WARNING_COLUMNS, warnings),
        ),
    )
    os.replace(partial, xlsx_path)
    log(f"exported {len(candidates)} candidates and {len(warnings)} new warnings on tracked firms to {target}")
    return Export(target, csv_path, xlsx_path, len(candidates), len(warnings))


def _write_xlsx(path: Path, sheets) -> None:
    """One sheet per (title, columns, rows): a bold, frozen header row and columns as wide as their text.

    XlsxWriter streams rows to the file (constant_memory) and writes text as text, never as a formula, number or
    link. With openpyxl's write-only mode the whole export of 29,136 candidates on `large` took 4.3 s, now 2.7 s."""
    import xlsxwriter

    text_stays_text = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, **text_stays_text})
    bold = workbook.add_format({"bold": True})
    for title, columns, rows in sheets:
        sheet = workbook.add_worksheet(title)
        sheet.freeze_panes(1, 0)
        for index, (_, header) in enumerate(columns):
            longest = max([len(str(row[index])) for row in rows] + [len(header) * 2])
            sheet.set_column(index, index, min(max(longest, 8) + 2, 60))
        sheet.write_row(0, 0, [header for _, header in columns], bold)
        for number, row in enumerate(rows, start=1):
            sheet.write_row(number, 0, row)
    workbook.close()

"""The landing contract: which feeds arrive, where their files land and which columns they carry.

The generator writes files to this contract and the loader reads them by it, so it is the one place that
says what a delivery looks like. Landing layout::

    <landing>/<feed>/delivery_date=YYYY-MM-DD/<table>_YYYYMMDD.<csv|jsonl>

Raw tables keep every delivered value as text, exactly as delivered; dbt staging does the typing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawTable:
    """One delivered file type and the raw table it loads into."""

    feed: str
    name: str
    file_format: str  # "csv" (UTF-8, comma, header) or "jsonl" (one JSON object per line)
    columns: tuple[str, ...]
    key: tuple[str, ...]
    description: str

    @property
    def qualified_name(self) -> str:
        return f"raw.{self.name}"

    def file_name(self, delivery_date: dt.date) -> str:
        return f"{self.name}_{delivery_date:%Y%m%d}.{self.file_format}"


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        feed="enterprise",
        name="enterprise_master",
        file_format="csv",
        columns=(
            "uscc", "enterprise_name", "industry_code", "region_code", "established_date",
            "registered_capital", "legal_rep_name", "legal_rep_id_number", "legal_rep_phone",
            "customer_since", "updated_at",
        ),
        key=("uscc",),
        description="Enterprise master from the bank's customer system: one row per new or changed firm.",
    ),
    RawTable(
        feed="tax",
        name="tax_filings",
        file_format="csv",
        columns=(
            "uscc", "tax_period", "declared_sales", "vat_paid", "income_tax_paid", "filing_date",
            "is_late", "is_zero_declaration",
        ),
        key=("uscc", "tax_period"),
        description="Monthly tax filings received through bank-tax interaction.",
    ),
    RawTable(
        feed="tax",
        name="tax_credit_ratings",
        file_format="csv",
        columns=("uscc", "rating_year", "credit_rating", "published_date"),
        key=("uscc", "rating_year"),
        description="Yearly tax credit rating (A/B/M/C/D), published each April for the year before.",
    ),
    RawTable(
        feed="utilities",
        name="utility_bills",
        file_format="csv",
        columns=(
            "bill_id", "uscc", "meter_id", "utility_type", "billing_month", "consumption", "unit",
            "amount", "due_date", "paid_date",
        ),
        key=("bill_id",),
        description="Monthly water and electricity bills per meter, with due and paid dates.",
    ),
    RawTable(
        feed="court",
        name="court_records",
        file_format="jsonl",
        columns=(
            "record_id", "record_type", "case_number", "court_name", "case_type", "cause", "party_name",
            "party_uscc", "party_role", "amount", "filing_date", "closing_date", "status",
        ),
        key=("record_id",),
        description=(
            "Court cases, dishonest-debtor list entries and consumption-restriction orders; "
            "parties are often named without a USCC."
        ),
    ),
    RawTable(
        feed="settlement",
        name="settlement_transactions",
        file_format="csv",
        columns=(
            "txn_id", "account_no", "uscc", "txn_ts", "direction", "amount", "counterparty_name",
            "counterparty_account", "channel", "balance_after",
        ),
        key=("txn_id",),
        description="Settlement account transactions from the core banking system.",
    ),
)

FEEDS: tuple[str, ...] = tuple(dict.fromkeys(t.feed for t in RAW_TABLES))

_DELIVERY_DIR = re.compile(r"^delivery_date=(\d{4}-\d{2}-\d{2})$")


def tables_of(feed: str) -> tuple[RawTable, ...]:
    tables = tuple(t for t in RAW_TABLES if t.feed == feed)
    if not tables:
        raise KeyError(f"unknown feed {feed!r}; known feeds: {', '.join(FEEDS)}")
    return tables


def table_by_name(name: str) -> RawTable:
    for table in RAW_TABLES:
        if table.name == name:
            return table
    raise KeyError(f"unknown raw table {name!r}")


def delivery_dir(landing: Path, feed: str, delivery_date: dt.date) -> Path:
    return landing / feed / f"delivery_date={delivery_date.isoformat()}"


def delivery_dates(landing: Path, feed: str | None = None) -> list[dt.date]:
    """Delivery dates present in the landing area (of one feed, or of any), ascending."""
    feeds = [feed] if feed else list(FEEDS)
    found: set[dt.date] = set()
    for name in feeds:
        root = landing / name
        if not root.is_dir():
            continue
        for child in root.iterdir():
            match = _DELIVERY_DIR.match(child.name)
            if match and child.is_dir():
                found.add(dt.date.fromisoformat(match.group(1)))
    return sorted(found)


@dataclass(frozen=True)
class LandedFile:
    table: RawTable
    path: Path
    delivery_date: dt.date


def landed_files(landing: Path, feed: str, up_to: dt.date | None = None) -> list[LandedFile]:
    """Every file of `feed` delivered on or before `up_to`, oldest delivery first."""
    files: list[LandedFile] = []
    for delivery_date in delivery_dates(landing, feed):
        if up_to and delivery_date > up_to:
            continue
        folder = delivery_dir(landing, feed, delivery_date)
        for table in tables_of(feed):
            for path in sorted(folder.glob(f"{table.name}_*.{table.file_format}")):
                files.append(LandedFile(table, path, delivery_date))
    return files

"""The landing contract: which feeds arrive, when, where their files land, and what every column may hold.

The generator writes files to this contract and the loader reads and checks them by it, so it is the one place
that says what a delivery looks like; `docs/data-contracts.md` is rendered from it (`sme-credit contracts`).
Landing layout::

    <landing>/<feed>/delivery_date=YYYY-MM-DD/<table>_YYYYMMDD[_<part>].<csv|jsonl>

Raw tables keep every delivered value as text, exactly as delivered; dbt staging does the typing.
Changing anything here is a contract change: bump CONTRACT_VERSION and add a line to CONTRACT_CHANGES.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sme_credit.contract import uscc as uscc_codes

CONTRACT_VERSION = "2.1.0"
CONTRACT_CHANGES: tuple[tuple[str, str], ...] = (
    ("1.0.0", "Five feeds, six files, all delivered monthly on the 3rd, UTF-8."),
    (
        "2.0.0",
        "Settlement delivered daily (T+1); court records in GB18030; optional part suffix in file names; "
        "column types, nullability and allowed values made explicit.",
    ),
    (
        "2.0.1",
        "Stated, and now enforced: lines end with LF or CRLF (a bare CR rejects the file); blank lines at the end "
        "are not rows; no value holds NUL; JSON Lines split on LF only, JSON types checked; a 0-byte JSON Lines "
        "file is an empty delivery; tax credit ratings are not awaited on every 3rd; files outside the layout are "
        "recorded, not loaded; a key delivered again with other values is a conflict (only a paid bill's "
        "paid_date may change).",
    ),
    (
        "2.1.0",
        "A sixth feed, outcomes: the month's credit defaults (90+ days past due) from the bank's loan book and the "
        "credit bureau, delivered on the 3rd of the next month, a header only when there were none.",
    ),
)

DELIVERY_DAY = 3  # monthly feeds arrive on the 3rd of the month after the month they cover

# --- columns ------------------------------------------------------------------------------------------------

COLUMN_TYPES = {
    "text": "any non-empty text",
    "code": "text matching the pattern given",
    "uscc": "18-character Unified Social Credit Code; GB 32100 and GB 11714 check characters must hold",
    "resident_id": "18-character resident identity number; GB 11643 check character must hold",
    "phone": "11-digit mainland mobile number",
    "enum": "one of the allowed values",
    "flag": "`0` or `1`",
    "integer": "whole number, no thousands separator",
    "amount": "yuan as a decimal with at most 2 decimals, `.` as the decimal point, no separator",
    "date": "`YYYY-MM-DD`, a real calendar date",
    "timestamp": "`YYYY-MM-DD HH:MM:SS`, China Standard Time, no zone",
    "month": "`YYYY-MM`",
    "year": "`YYYY`",
}
# types whose values are numbers: JSON Lines deliver them as JSON numbers, and 1200.5 and 1200.50 are one value
NUMERIC_TYPES = frozenset({"amount", "integer"})

# The same patterns are matched by Python (`Column.problem`) and, at load time, by Arrow's RE2 over whole columns
# (`row_checks`), so they are written in the syntax both read alike: ASCII classes, no `\d` or `\s` (whose
# meaning differs with Unicode), `(?:...)` for groups.
NOT_BLANK = r"[^ \t\r\n\f\v]"
_PATTERNS = {
    "amount": r"-?[0-9]{1,15}(?:\.[0-9]{1,2})?",
    "integer": r"-?[0-9]{1,15}",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]",
    "month": r"[0-9]{4}-(?:0[1-9]|1[0-2])",
    "year": r"(?:19|20)[0-9]{2}",
    "phone": r"1[0-9]{10}",
}


def portable_pattern(pattern: str) -> str:
    """A contract pattern in the syntax Python and RE2 read alike (`\\d` and `\\S` spelled out)."""
    return pattern.replace(r"\d", "[0-9]").replace(r"\S", NOT_BLANK)


def _fullmatch(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


@dataclass(frozen=True)
class Column:
    """One delivered column: its type and the rules a value must follow to be loaded (else it is quarantined)."""

    name: str
    type: str
    description: str
    required: bool = True
    allowed: tuple[str, ...] = ()  # enum
    pattern: str | None = None  # code
    minimum: str | None = None  # amount, integer (inclusive)
    pii: bool = False
    example: str | None = None

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")
        if (self.type == "enum") != bool(self.allowed) or (self.type == "code") != bool(self.pattern):
            raise ValueError(f"column {self.name}: enum needs allowed values and code a pattern, nothing else")

    def problem(self, value: str | None) -> str | None:
        """Why `value` breaks this column's rules, or None when it is fine. Empty text counts as missing.
        The loader checks whole columns at once (`row_checks`) by the same rules, and asks this for the reason."""
        if value is None or value == "":
            return "required value is missing" if self.required else None
        check = getattr(self, f"_check_{self.type}")
        return check(value)

    @property
    def full_pattern(self) -> str | None:
        """The regular expression a present value must match in full (Python `re` and RE2 read it alike)."""
        if self.type == "code" and self.pattern:
            return portable_pattern(self.pattern)
        return _PATTERNS.get(self.type) if self.type != "date" else None

    def value_check(self) -> tuple[str, Callable[[str], bool]] | None:
        """Rules a pattern cannot state (check characters, calendar dates), checked on distinct values:
        ("value" or "day", the part of the value checked; predicate true for a good one)."""
        if self.type in ("uscc", "resident_id", "date"):
            return "value", lambda value: self.problem(value) is None
        if self.type == "timestamp":
            return "day", lambda day: _parsed(day, _PATTERNS["date"], dt.date.fromisoformat, "date") is None
        return None

    def _check_text(self, value: str) -> str | None:
        return None if re.search(NOT_BLANK, value) else "value is only whitespace"

    def _check_code(self, value: str) -> str | None:
        if self.pattern is None or _fullmatch(portable_pattern(self.pattern), value):
            return None
        return f"{value!r} does not match the pattern {self.pattern}"

    def _check_uscc(self, value: str) -> str | None:
        if uscc_codes.is_valid(value):
            return None
        if len(value) == 18 and all(c in uscc_codes.USCC_ALPHABET for c in value):
            return f"USCC {value!r} has a wrong check character"
        return f"{value!r} is not an 18-character USCC"

    def _check_resident_id(self, value: str) -> str | None:
        return None if uscc_codes.is_valid_resident_id(value) else "not a valid resident identity number"

    def _check_phone(self, value: str) -> str | None:
        return None if _fullmatch(_PATTERNS["phone"], value) else "not an 11-digit mobile number"

    def _check_enum(self, value: str) -> str | None:
        return None if value in self.allowed else f"{value!r} is not one of {', '.join(self.allowed)}"

    def _check_flag(self, value: str) -> str | None:
        return None if value in ("0", "1") else f"{value!r} is not 0 or 1"

    def _check_number(self, value: str, kind: str) -> str | None:
        if not _fullmatch(_PATTERNS[self.type], value):
            return f"{value!r} is not {kind}"
        if self.minimum is not None and Decimal(value) < Decimal(self.minimum):
            return f"{value} is below the minimum {self.minimum}" + (" (negative)" if Decimal(value) < 0 else "")
        return None

    def _check_amount(self, value: str) -> str | None:
        return self._check_number(value, "an amount with at most 2 decimals")

    def _check_integer(self, value: str) -> str | None:
        return self._check_number(value, "a whole number")

    def _check_date(self, value: str) -> str | None:
        return _parsed(value, _PATTERNS["date"], dt.date.fromisoformat, "date (YYYY-MM-DD)")

    def _check_timestamp(self, value: str) -> str | None:
        return _parsed(value, _PATTERNS["timestamp"], dt.datetime.fromisoformat, "timestamp (YYYY-MM-DD HH:MM:SS)")

    def _check_month(self, value: str) -> str | None:
        return None if _fullmatch(_PATTERNS["month"], value) else f"{value!r} is not a month (YYYY-MM)"

    def _check_year(self, value: str) -> str | None:
        return None if _fullmatch(_PATTERNS["year"], value) else f"{value!r} is not a year (YYYY)"


def _parsed(value: str, pattern: str, parse, kind: str) -> str | None:
    if not _fullmatch(pattern, value):
        return f"{value!r} is not a {kind}"
    try:
        parse(value)
    except ValueError:
        return f"{value!r} is an impossible {kind.split()[0]}"
    return None


def _uscc(description: str = "Unified Social Credit Code of the enterprise", **options) -> Column:
    return Column("uscc", "uscc", description, example="91310115MA1FL2X37F", **options)


def _amount(name: str, description: str, example: str, minimum: str | None = "0", **options) -> Column:
    return Column(name, "amount", description, minimum=minimum, example=example, **options)


# --- tables -------------------------------------------------------------------------------------------------


# The contract's correction rule broken: every quarantined conflict's reason starts so (the run summary counts them)
CONFLICT_REASON = (
    "conflict: {key} was delivered before ({where}) with another {columns}; "
    "the first version stays until the wrong file is re-delivered corrected"
)


@dataclass(frozen=True)
class DeliveryCheck:
    """A rule over a delivery as a whole that its rows can each keep while the delivery breaks it (so the loader,
    which checks values, cannot see it). `breaking_rows` is a SQL condition on the raw rows that picks the rows
    breaking it. The raw gate checks it, through the suites `sme-credit contracts` renders to expectations/raw/."""

    name: str
    description: str
    breaking_rows: str


@dataclass(frozen=True)
class RawTable:
    """One delivered file type and the raw table it loads into."""

    feed: str
    name: str
    file_format: str  # "csv" (comma, double-quote quoting, header line) or "jsonl" (one JSON object per line)
    encoding: str  # declared in the contract: "utf-8" (a BOM is tolerated) or "gb18030" (GBK is a subset)
    cadence: str  # "monthly" or "daily"
    covers: str  # what one delivery carries
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    # every delivery day of its cadence brings the file (with only a header when there is nothing to report);
    # False: the file comes only in deliveries that carry such rows, and no one waits for it
    always_delivered: bool = True
    # the contract's correction rule: the columns a later delivery of the same key may change (a bill re-sent
    # when paid). Any other difference between two versions of a key is a conflict (`ingest`).
    redelivery_may_change: tuple[str, ...] = ()
    # the key grows with the delivery date (a settlement txn_id starts with its booking day): the rows of other
    # deliveries near a file's keys are then found by a BRIN index, which costs next to nothing to keep
    key_ascends: bool = False
    delivery_checks: tuple[DeliveryCheck, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def qualified_name(self) -> str:
        return f"raw.{self.name}"

    def file_name(self, delivery_date: dt.date, part: str | None = None) -> str:
        suffix = f"_{part}" if part else ""
        return f"{self.name}_{delivery_date:%Y%m%d}{suffix}.{self.file_format}"

    def file_pattern(self) -> re.Pattern:
        return re.compile(rf"^{self.name}_(\d{{8}})(?:_([a-z0-9]+(?:_[a-z0-9]+)*))?\.{self.file_format}$")


MONTHLY = "monthly"
DAILY = "daily"

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        feed="enterprise",
        name="enterprise_master",
        file_format="csv",
        encoding="utf-8",
        cadence=MONTHLY,
        covers="firms that became customers or whose registry data changed during the previous month",
        columns=(
            _uscc(),
            Column("enterprise_name", "text", "registered name", example="上海宏达贸易有限公司"),
            Column(
                "industry_code",
                "code",
                "GB/T 4754-2017 section letter and division",
                pattern=r"[A-T]\d{2}",
                example="F51",
            ),
            Column(
                "region_code",
                "code",
                "GB/T 2260 district code of the registered address",
                pattern=r"\d{6}",
                example="310115",
            ),
            Column("established_date", "date", "date of establishment (business licence)", example="2016-05-12"),
            _amount("registered_capital", "registered capital in yuan", "5000000.00"),
            Column("legal_rep_name", "text", "legal representative's name", pii=True, example="王**"),
            Column(
                "legal_rep_id_number",
                "resident_id",
                "legal representative's resident ID number",
                pii=True,
                example="3101151985********",
            ),
            Column("legal_rep_phone", "phone", "legal representative's mobile number", pii=True, example="138****5678"),
            Column(
                "customer_since", "date", "day the firm's first settlement account was opened", example="2019-03-08"
            ),
            Column(
                "updated_at",
                "timestamp",
                "when the bank's customer system recorded this version",
                example="2026-10-15 12:03:57",
            ),
        ),
        key=("uscc", "updated_at"),
        description="Enterprise master from the bank's customer system: one row per new or changed firm.",
    ),
    RawTable(
        feed="tax",
        name="tax_filings",
        file_format="csv",
        encoding="utf-8",
        cadence=MONTHLY,
        covers="filings made during the previous month (mostly its previous tax period, plus late ones)",
        columns=(
            _uscc(),
            Column("tax_period", "month", "tax period the filing is for", example="2026-09"),
            _amount("declared_sales", "sales declared for the period, yuan", "519775.10"),
            _amount("vat_paid", "VAT paid with this filing, yuan", "12660.64"),
            _amount("income_tax_paid", "enterprise income tax prepaid (quarter-end periods), yuan", "6036.93"),
            Column("filing_date", "date", "day the filing was made", example="2026-10-09"),
            Column("is_late", "flag", "1 when filed after the 15th of the month after the period", example="0"),
            Column("is_zero_declaration", "flag", "1 when declared sales are zero", example="0"),
        ),
        key=("uscc", "tax_period"),
        description="Monthly tax filings received through bank-tax interaction (银税互动).",
    ),
    RawTable(
        feed="tax",
        name="tax_credit_ratings",
        file_format="csv",
        encoding="utf-8",
        cadence=MONTHLY,
        covers="ratings published during the previous month (April), and the last three years of a new customer",
        columns=(
            _uscc(),
            Column("rating_year", "year", "year the rating assesses", example="2025"),
            Column(
                "credit_rating",
                "enum",
                "tax credit rating (纳税信用等级)",
                allowed=("A", "B", "M", "C", "D"),
                example="B",
            ),
            Column("published_date", "date", "day the tax bureau published the rating", example="2026-04-20"),
        ),
        key=("uscc", "rating_year"),
        description="Yearly tax credit rating (A/B/M/C/D), published each April for the year before.",
        always_delivered=False,
    ),
    RawTable(
        feed="utilities",
        name="utility_bills",
        file_format="csv",
        encoding="utf-8",
        cadence=MONTHLY,
        covers="bills issued during the previous month, and earlier bills paid during it (sent again, same bill_id)",
        columns=(
            Column(
                "bill_id",
                "code",
                "meter_id, a dash and the billing month",
                pattern=r"\d{12,13}-\d{6}",
                example="3301068022093-202609",
            ),
            _uscc(),
            Column(
                "meter_id", "code", "utility account number of the meter", pattern=r"\d{12,13}", example="3301068022093"
            ),
            Column(
                "utility_type",
                "enum",
                "what the meter measures",
                allowed=("electricity", "water"),
                example="electricity",
            ),
            Column("billing_month", "month", "month of consumption", example="2026-09"),
            Column("consumption", "integer", "units consumed in the billing month", minimum="0", example="6703"),
            Column("unit", "enum", "unit of consumption", allowed=("kWh", "m3"), example="kWh"),
            _amount("amount", "amount billed, yuan", "6233.79"),
            Column("due_date", "date", "day payment is due", example="2026-10-19"),
            Column("paid_date", "date", "day paid; empty while unpaid", required=False, example="2026-10-04"),
        ),
        key=("bill_id",),
        description="Monthly water and electricity bills per meter, with due and paid dates.",
        redelivery_may_change=("paid_date",),
    ),
    RawTable(
        feed="court",
        name="court_records",
        file_format="jsonl",
        encoding="gb18030",
        cadence=MONTHLY,
        covers="records filed during the previous month, and earlier records closed during it (sent again)",
        columns=(
            Column("record_id", "code", "the data provider's record id", pattern=r"CR\d{9}", example="CR000000064"),
            Column(
                "record_type",
                "enum",
                "a case party, a dishonest-debtor entry (失信被执行人) or a consumption-restriction order (限制消费令)",
                allowed=("case", "dishonest_debtor", "consumption_restriction"),
                example="case",
            ),
            Column(
                "case_number",
                "code",
                "court case number (案号)",
                pattern=r"\(\d{4}\)\S+号",
                example="(2026)津0116民初9333号",
            ),
            Column("court_name", "text", "court", example="天津市滨海新区人民法院"),
            Column(
                "case_type",
                "enum",
                "civil/commercial case or enforcement",
                allowed=("civil", "enforcement"),
                example="civil",
            ),
            Column("cause", "text", "cause of action (案由)", example="劳动争议"),
            Column(
                "party_name",
                "text",
                "party as the court spells it (may differ from the registered name)",
                example="天津市滨海新区 协远餐饮店",
            ),
            Column(
                "party_uscc",
                "uscc",
                "party's USCC when the court gives it",
                required=False,
                example="92120116MAW4XAXB61",
            ),
            Column(
                "party_role",
                "enum",
                "role of this party",
                allowed=("plaintiff", "defendant", "applicant", "respondent"),
                example="defendant",
            ),
            _amount("amount", "amount in dispute or to be enforced, yuan (a JSON number)", "128028.89"),
            Column("filing_date", "date", "day the case was filed or the entry published", example="2026-06-04"),
            Column("closing_date", "date", "day closed; null while open", required=False, example="2026-10-15"),
            Column("status", "enum", "open or closed", allowed=("open", "closed"), example="closed"),
        ),
        key=("record_id", "status"),
        description=(
            "Court cases, dishonest-debtor list entries and consumption-restriction orders; "
            "parties are often named without a USCC."
        ),
    ),
    RawTable(
        feed="settlement",
        name="settlement_transactions",
        file_format="csv",
        encoding="utf-8",
        cadence=DAILY,
        covers="transactions booked on the day before the delivery date (T+1 extract of the core system)",
        columns=(
            Column(
                "txn_id",
                "code",
                "booking day and the month's sequence number",
                pattern=r"\d{18}",
                example="202610010000000002",
            ),
            Column(
                "account_no",
                "code",
                "settlement account number at the bank",
                pattern=r"\d{19}",
                example="3010601625816448826",
            ),
            _uscc(description="account holder's USCC"),
            Column("txn_ts", "timestamp", "booking time", example="2026-10-01 01:55:21"),
            Column(
                "direction", "enum", "C = money in (credit), D = money out (debit)", allowed=("C", "D"), example="C"
            ),
            _amount("amount", "amount, yuan, always positive", "5853.32", minimum="0.01"),
            Column(
                "counterparty_name", "text", "counterparty as written on the payment", example="银联商务股份有限公司"
            ),
            Column(
                "counterparty_account",
                "code",
                "counterparty account; empty for batch payroll",
                pattern=r"\d{8,20}",
                required=False,
                example="11000000000001",
            ),
            Column(
                "channel",
                "enum",
                "how the transaction was made",
                allowed=("COUNTER", "ONLINE", "MOBILE", "POS", "BATCH"),
                example="POS",
            ),
            _amount("balance_after", "account balance after the transaction, yuan", "108347.53", minimum=None),
        ),
        key=("txn_id",),
        key_ascends=True,
        delivery_checks=(
            DeliveryCheck(
                "booked_the_day_before_delivery",
                "T+1: a delivery carries the transactions booked on the day before its delivery date. Each value "
                "can be valid while the file holds the wrong day (a re-run extract of another day).",
                "left(txn_ts, 10) <> to_char(_delivery_date - 1, 'YYYY-MM-DD')",
            ),
        ),
        description="Settlement account transactions from the core banking system.",
    ),
    RawTable(
        feed="outcomes",
        name="credit_defaults",
        file_format="csv",
        encoding="utf-8",
        cadence=MONTHLY,
        covers="defaults that occurred during the previous month (a header only when there were none)",
        columns=(
            _uscc(description="USCC of the customer that defaulted"),
            Column(
                "default_date",
                "date",
                "day the firm's exposure reached 90 days past due (loan book) or was reported so (credit bureau)",
                example="2026-10-17",
            ),
        ),
        key=("uscc", "default_date"),
        description=(
            "Credit outcomes: customers that defaulted (90+ days past due at the bank or, per the credit bureau, "
            "at another lender). The labels the scorecard is trained on and its tiers are monitored against."
        ),
    ),
)

FEEDS: tuple[str, ...] = tuple(dict.fromkeys(t.feed for t in RAW_TABLES))


# --- what a load does about bad deliveries -------------------------------------------------------------------

FAIL = "fail"
WARN = "warn"


@dataclass(frozen=True)
class FeedPolicy:
    """When a feed's load task fails and when it only warns. Whatever the verdict, every row of a loaded file is
    either in raw or in `audit.quarantined_rows`, and a rejected file loads nothing."""

    rejected_file: str  # a file refused as a whole (unreadable, wrong header or encoding, empty)
    max_quarantined_share: float  # the task fails when more of the rows read than this are quarantined
    late_delivery: str  # the day's files have not arrived when the wait times out
    wait_hours: float  # how long the DAG waits for the day's files
    why: str

    def __post_init__(self) -> None:
        if {self.rejected_file, self.late_delivery} - {FAIL, WARN}:
            raise ValueError("a policy verdict is 'fail' or 'warn'")


_OWN_SYSTEM = FeedPolicy(
    rejected_file=FAIL,
    max_quarantined_share=0.01,
    late_delivery=FAIL,
    wait_hours=6,
    why="the bank's own system: a broken or late extract is fixed in-house and re-extracted, and a missing one "
    "would silently drop customers or a day of flows",
)
_EXTERNAL = FeedPolicy(
    rejected_file=WARN,
    max_quarantined_share=0.05,
    late_delivery=WARN,
    wait_hours=12,
    why="an outside provider: a bad or late file is reported and chased, while the day goes on with what "
    "arrived (the earlier deliveries stay loaded)",
)

FEED_POLICIES: dict[str, FeedPolicy] = {
    "enterprise": _OWN_SYSTEM,
    "tax": _EXTERNAL,
    "utilities": _EXTERNAL,
    "court": _EXTERNAL,
    "settlement": _OWN_SYSTEM,
    "outcomes": FeedPolicy(
        rejected_file=WARN,
        max_quarantined_share=0.01,
        late_delivery=WARN,
        wait_hours=12,
        why="labels for training and monitoring only: the day's tiers and candidates do not read them, so a bad or "
        "late file is reported and re-delivered without holding up the day",
    ),
}

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


def is_delivery_day(table: RawTable, day: dt.date) -> bool:
    return table.cadence == DAILY or day.day == DELIVERY_DAY


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
                try:
                    found.add(dt.date.fromisoformat(match.group(1)))
                except ValueError:
                    continue  # not a calendar date: `landing_survey` reports the folder's files
    return sorted(found)


@dataclass(frozen=True)
class LandedFile:
    table: RawTable
    path: Path
    delivery_date: dt.date

    @property
    def is_part(self) -> bool:
        """True for a `<table>_YYYYMMDD_<part>` file, False for the delivery's main file."""
        return self.path.name != self.table.file_name(self.delivery_date)


def landed_files(landing: Path, feed: str, up_to: dt.date | None = None) -> list[LandedFile]:
    """Every file of `feed` delivered on or before `up_to`, oldest delivery first, parts in name order."""
    tables = tables_of(feed)
    files: list[LandedFile] = []
    for delivery_date in delivery_dates(landing, feed):
        if up_to and delivery_date > up_to:
            continue
        folder = delivery_dir(landing, feed, delivery_date)
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        for table in tables:
            pattern = table.file_pattern()
            files.extend(
                LandedFile(table, folder / name, delivery_date)
                for name in names
                if (match := pattern.match(name)) and match.group(1) == f"{delivery_date:%Y%m%d}"
            )
    return files

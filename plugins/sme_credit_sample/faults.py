"""The fault catalogue: malformed deliveries, each with what the pipeline must do with it.

`write_faults` adds one extra file per fault to the latest delivery of the table concerned, named
`<table>_YYYYMMDD_<fault id>.<ext>` (a part of that delivery), built from rows of the real file beside it so that
everything but the defect is genuine. Rows copied unchanged repeat rows the real file already delivered, which
staging deduplicates. The catalogue, with the exact outcome the loader must reach, goes to
`<landing>/../ground_truth/faults.json`; `docs/data-contracts.md` lists the same faults.

Outcomes:
- reject: the file is refused as a whole (nothing loaded), the error names file, line and column;
- quarantine: bad rows go to quarantine with their line and field, every other row is loaded;
- skip: a file whose content was already loaded is recorded and not loaded again;
- load: loaded as is (raw holds what was delivered); what happens later is in `handling`;
- record: a file placed where no file of the contract goes (a date in the future or not in the calendar, a name
  no table has, a hidden file): recorded in the manifest with `status` and never loaded. These faults give
  their own path (`Fault.place`), relative to the feed's folder.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from sme_credit.contract.feeds import RawTable, delivery_dates, landed_files, table_by_name
from sme_credit_sample import landing
from sme_credit_sample.firms import random_usccs
from sme_credit_sample.randomness import stream

SAMPLE_ROWS = 12  # rows taken from the real file into each fault file


@dataclass(frozen=True)
class Quarantined:
    line: int
    field: str | None  # None: the line as a whole (wrong field count, broken JSON, duplicate)


@dataclass
class Outcome:
    action: str  # reject | quarantine | skip | load
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    error_line: int | None = None  # reject: where the error points
    error_column: str | None = None
    status: str | None = None  # record: the manifest status (future | rejected | unexpected | ignored)


@dataclass(frozen=True)
class Fault:
    id: str
    table: str
    defect: str  # what is wrong with the delivery
    handling: str  # what the pipeline must do with it
    build: Callable[[FaultInput], tuple[bytes, Outcome]]
    # where the file goes, relative to the feed's folder, given the latest delivery date; None: a part file of
    # that delivery, `<table>_YYYYMMDD_<fault id>.<ext>`
    place: Callable[[dt.date], str] | None = None


@dataclass(frozen=True)
class FaultInput:
    table: RawTable
    header: list[str]
    rows: list[list[str]]  # data rows of the real file (CSV) or its JSON lines (JSONL, as one-item lists)
    previous_file: Path | None  # the same table's file from the delivery before, if any
    seed: int


CATALOGUE: list[Fault] = []


def fault(fault_id: str, table: str, defect: str, handling: str, place: Callable[[dt.date], str] | None = None):
    def register(build):
        CATALOGUE.append(Fault(fault_id, table, defect, handling, build, place))
        return build

    return register


def _csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def _loaded(rows: int) -> Outcome:
    return Outcome("load", rows_read=rows, rows_loaded=rows)


def _quarantine(rows: int, lines: list[tuple[int, str | None]]) -> Outcome:
    return Outcome(
        "quarantine",
        rows_read=rows,
        rows_loaded=rows - len(lines),
        rows_quarantined=len(lines),
        quarantined=[Quarantined(line, name) for line, name in lines],
    )


def _set(rows: list[list[str]], header: list[str], index: int, column: str, value: str) -> int:
    """Set one field of data row `index` and return the row's line number (the header is line 1)."""
    rows[index][header.index(column)] = value
    return index + 2


# --- file-level faults: the whole file is rejected -----------------------------------------------------------


@fault(
    "wrong_header",
    "tax_filings",
    "The header names a column `sales_declared` instead of `declared_sales`.",
    "Reject the file; the error names line 1 and the missing column `declared_sales`.",
)
def _wrong_header(given: FaultInput):
    header = ["sales_declared" if c == "declared_sales" else c for c in given.header]
    return _csv_bytes([header, *given.rows]), Outcome("reject", error_line=1, error_column="declared_sales")


@fault(
    "missing_column",
    "utility_bills",
    "The `paid_date` column is missing from the header and every row.",
    "Reject the file; the error names line 1 and the missing column `paid_date`.",
)
def _missing_column(given: FaultInput):
    drop = given.header.index("paid_date")
    rows = [[v for i, v in enumerate(row) if i != drop] for row in [given.header, *given.rows]]
    return _csv_bytes(rows), Outcome("reject", error_line=1, error_column="paid_date")


@fault(
    "extra_column",
    "enterprise_master",
    "An unannounced column `source_system` is appended to every row.",
    "Reject the file (a new column needs a new contract version); the error names line 1 and `source_system`.",
)
def _extra_column(given: FaultInput):
    rows = [[*given.header, "source_system"]] + [[*row, "CRM"] for row in given.rows]
    return _csv_bytes(rows), Outcome("reject", error_line=1, error_column="source_system")


@fault(
    "wrong_delimiter",
    "tax_credit_ratings",
    "Fields are separated by `;` instead of `,`.",
    "Reject the file; the error names line 1 and says the header has one field where the contract has four.",
)
def _wrong_delimiter(given: FaultInput):
    return _csv_bytes([given.header, *given.rows], delimiter=";"), Outcome("reject", error_line=1)


@fault(
    "undeclared_gbk",
    "enterprise_master",
    "The file is encoded in GBK although the contract says UTF-8.",
    "Reject the file; the error names the first line that is not valid UTF-8 (line 2) and its column "
    "`enterprise_name`.",
)
def _undeclared_gbk(given: FaultInput):
    return (
        _csv_bytes([given.header, *given.rows], encoding="gbk"),
        Outcome("reject", error_line=2, error_column="enterprise_name"),
    )


@fault(
    "empty_file",
    "utility_bills",
    "The file is empty: 0 bytes, not even a header.",
    "Reject the file: an empty file is a failed export, not a delivery without rows (that has a header).",
)
def _empty_file(given: FaultInput):
    return b"", Outcome("reject", error_line=1)


@fault(
    "cr_line_endings",
    "utility_bills",
    "Lines end with a bare carriage return (CR, old Mac style), not LF or CRLF.",
    "Reject the file; the error names line 1 and the line ends. The feed's other files load.",
)
def _cr_line_endings(given: FaultInput):
    return _csv_bytes([given.header, *given.rows]).replace(b"\n", b"\r"), Outcome("reject", error_line=1)


@fault(
    "utf16_without_bom",
    "tax_filings",
    "The file is encoded in UTF-16LE without a byte order mark although the contract says UTF-8.",
    "Reject the file; the error names line 1 and says the file looks like UTF-16. The feed's other files load.",
)
def _utf16_without_bom(given: FaultInput):
    return _csv_bytes([given.header, *given.rows], encoding="utf-16-le"), Outcome("reject", error_line=1)


# --- row-level faults: bad rows are quarantined, the rest is loaded ------------------------------------------


@fault(
    "utf8_bom",
    "utility_bills",
    "The file starts with a UTF-8 byte order mark.",
    "Load every row: the BOM is not part of the first column name.",
)
def _utf8_bom(given: FaultInput):
    return codecs.BOM_UTF8 + _csv_bytes([given.header, *given.rows]), _loaded(len(given.rows))


@fault(
    "truncated_last_line",
    "settlement_transactions",
    "The transfer was cut off: the last line stops after four fields, without a newline.",
    "Quarantine the last line (4 fields where the contract has 10); load the others.",
)
def _truncated_last_line(given: FaultInput):
    body = _csv_bytes([given.header, *given.rows]).decode()
    last = ",".join(given.rows[-1][:4])
    truncated = body[: body.rstrip("\n").rfind("\n") + 1] + last
    return truncated.encode(), _quarantine(len(given.rows), [(len(given.rows) + 1, None)])


@fault(
    "non_numeric_amount",
    "settlement_transactions",
    "Two amounts are not numbers: `1,234.50` (a thousands separator) and `N/A`.",
    "Quarantine the two rows (field `amount`); load the others.",
)
def _non_numeric_amount(given: FaultInput):
    rows = [list(r) for r in given.rows]
    lines = [_set(rows, given.header, 2, "amount", "1,234.50"), _set(rows, given.header, 5, "amount", "N/A")]
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(line, "amount") for line in lines])


@fault(
    "negative_amount",
    "utility_bills",
    "Two bills have negative amounts.",
    "Quarantine the two rows (field `amount`, below the minimum 0); load the others.",
)
def _negative_amount(given: FaultInput):
    rows = [list(r) for r in given.rows]
    lines = [_set(rows, given.header, i, "amount", f"-{rows[i][given.header.index('amount')]}") for i in (1, 4)]
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(line, "amount") for line in lines])


@fault(
    "impossible_date",
    "tax_filings",
    "Two filing dates do not exist: `2026-02-30` and `2026-13-05`.",
    "Quarantine the two rows (field `filing_date`); load the others.",
)
def _impossible_date(given: FaultInput):
    rows = [list(r) for r in given.rows]
    lines = [
        _set(rows, given.header, 1, "filing_date", "2026-02-30"),
        _set(rows, given.header, 3, "filing_date", "2026-13-05"),
    ]
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(line, "filing_date") for line in lines])


@fault(
    "bad_uscc_check",
    "tax_filings",
    "Two USCCs have a wrong check character (the 18th).",
    "Quarantine the two rows (field `uscc`); load the others.",
)
def _bad_uscc_check(given: FaultInput):
    rows = [list(r) for r in given.rows]
    lines = []
    for i in (0, 6):
        code = rows[i][given.header.index("uscc")]
        wrong = "0" if code[-1] != "0" else "1"
        lines.append(_set(rows, given.header, i, "uscc", code[:-1] + wrong))
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(line, "uscc") for line in lines])


@fault(
    "duplicate_rows",
    "settlement_transactions",
    "Two rows appear twice in the file (same txn_id, same values).",
    "Load the first occurrence; quarantine the repeats (field `txn_id`, a duplicate of an earlier line).",
)
def _duplicate_rows(given: FaultInput):
    rows = [*given.rows, given.rows[1], given.rows[4]]
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(len(rows), "txn_id"), (len(rows) + 1, "txn_id")])


@fault(
    "broken_json_line",
    "court_records",
    "The second JSON line is cut off in the middle of an object.",
    "Quarantine line 2 (invalid JSON); load the other records.",
)
def _broken_json_line(given: FaultInput):
    lines = [row[0] for row in given.rows]
    lines[1] = lines[1][: len(lines[1]) // 2]
    text = "".join(line + "\n" for line in lines)
    return text.encode(given.table.encoding), _quarantine(len(lines), [(2, None)])


@fault(
    "nul_byte",
    "settlement_transactions",
    "A counterparty name holds a NUL byte (0x00), which no PostgreSQL text can store.",
    "Quarantine the row (field `counterparty_name`; the quarantined line shows the NUL as U+FFFD); load the others.",
)
def _nul_byte(given: FaultInput):
    rows = [list(r) for r in given.rows]
    name = rows[3][given.header.index("counterparty_name")] or "某公司"
    line = _set(rows, given.header, 3, "counterparty_name", name[:1] + "\x00" + name[1:])
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(line, "counterparty_name")])


@fault(
    "trailing_blank_lines",
    "settlement_transactions",
    "The file ends with two blank lines after its last row.",
    "Load every row: blank lines at the end of a file are not rows (and do not count against the policy).",
)
def _trailing_blank_lines(given: FaultInput):
    return _csv_bytes([given.header, *given.rows]) + b"\n\n", _loaded(len(given.rows))


def _json_lines_bytes(given: FaultInput, records: list[dict]) -> bytes:
    text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return text.encode(given.table.encoding)


@fault(
    "json_wrong_types",
    "court_records",
    "Two values have the wrong JSON type: an amount `true` (line 2) and a court name given as a list (line 4).",
    "Quarantine the two lines (fields `amount` and `court_name`: the contract's JSON types); load the others.",
)
def _json_wrong_types(given: FaultInput):
    records = [json.loads(row[0]) for row in given.rows]
    records[1]["amount"] = True
    records[3]["court_name"] = ["A公司", "B公司"]
    return _json_lines_bytes(given, records), _quarantine(len(records), [(2, "amount"), (4, "court_name")])


@fault(
    "json_nul_escape",
    "court_records",
    "A party name on line 3 holds the escape `\\u0000` (a NUL character).",
    "Quarantine line 3 (field `party_name`); load the others.",
)
def _json_nul_escape(given: FaultInput):
    records = [json.loads(row[0]) for row in given.rows]
    records[2]["party_name"] = "\x00" + str(records[2]["party_name"])
    return _json_lines_bytes(given, records), _quarantine(len(records), [(3, "party_name")])


@fault(
    "json_line_separator",
    "court_records",
    "A cause of action on line 3 holds U+2028 (LINE SEPARATOR), raw, inside its JSON string.",
    "Load every record: JSON Lines are split on LF only, so the record stays one line.",
)
def _json_line_separator(given: FaultInput):
    records = [json.loads(row[0]) for row in given.rows]
    # a record of its own: another cause under a record id already delivered would be a conflict
    records[2]["record_id"] = "CR999999990"
    records[2]["cause"] = str(records[2]["cause"]) + "\u2028（续）"
    return _json_lines_bytes(given, records), _loaded(len(records))


@fault(
    "empty_court_delivery",
    "court_records",
    "A JSON Lines file with no lines at all (0 bytes).",
    "Load it as a delivery without records (0 rows): that is how the contract sends an empty month.",
)
def _empty_court_delivery(given: FaultInput):
    return b"", _loaded(0)


# --- delivery-level faults ------------------------------------------------------------------------------------


@fault(
    "conflicting_key_in_file",
    "settlement_transactions",
    "One txn_id stands on two lines of the file with different amounts.",
    "Load the first line; quarantine the second as a conflict (field `amount`, naming the first line).",
)
def _conflicting_key_in_file(given: FaultInput):
    rows = [list(r) for r in given.rows]
    txn_id, amount = given.header.index("txn_id"), given.header.index("amount")
    rows[2][txn_id] = rows[2][txn_id][:8] + "9999999980"  # a transaction of its own, then a second version of it
    second = list(rows[2])
    second[amount] = f"{float(second[amount]) + 100:.2f}"
    rows.append(second)
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(len(rows) + 1, "amount")])


@fault(
    "conflicting_redelivery",
    "settlement_transactions",
    "A transaction of the previous day's file comes again, same txn_id, with another firm and amount.",
    "Keep the version delivered first; quarantine the new one as a conflict (its first differing field, naming "
    "the earlier file and line); load the others.",
)
def _conflicting_redelivery(given: FaultInput):
    if given.previous_file is None:
        raise ValueError("conflicting_redelivery needs a delivery before the latest one")
    _, earlier = _read(given.table, given.previous_file)
    rows = [list(r) for r in given.rows]
    txn_id = given.header.index("txn_id")
    rows[0][txn_id] = earlier[0][txn_id]  # today's first transaction under yesterday's first id
    differing = next(name for name, new, old in zip(given.header, rows[0], earlier[0]) if new != old)
    return _csv_bytes([given.header, *rows]), _quarantine(len(rows), [(2, differing)])


@fault(
    "delivered_twice",
    "settlement_transactions",
    "The previous day's file is delivered again, byte for byte, under today's date.",
    "Skip it: the same content (sha256) was already loaded. The manifest records the file as a duplicate.",
)
def _delivered_twice(given: FaultInput):
    if given.previous_file is None:
        raise ValueError("delivered_twice needs a delivery before the latest one")
    return given.previous_file.read_bytes(), Outcome("skip")


@fault(
    "unknown_enterprise",
    "settlement_transactions",
    "Three transactions name valid USCCs that are not in the enterprise master.",
    "Load them (raw holds what was delivered); staging keeps them out of the customer tables and a warning "
    "test counts them.",
)
def _unknown_enterprise(given: FaultInput):
    rows = [list(r) for r in given.rows[:3]]
    rng = stream(given.seed, "faults", 1)
    strangers = random_usccs(rng, np.full(3, "1"), np.full(3, "310115"), np.full(3, True))
    for i, row in enumerate(rows):
        row[given.header.index("uscc")] = strangers[i]
        row[given.header.index("txn_id")] = row[given.header.index("txn_id")][:8] + f"{9_999_999_990 + i}"
    return _csv_bytes([given.header, *rows]), _loaded(len(rows))


# --- misplaced files: recorded, never loaded -------------------------------------------------------------------


def _recorded(status: str) -> Outcome:
    return Outcome("record", status=status)


def _header_only(given: FaultInput) -> bytes:
    return _csv_bytes([given.header])


@fault(
    "future_delivery_date",
    "settlement_transactions",
    "A header-only file in a delivery folder dated 2099-01-01, after the run's date and today.",
    "Record it (status `future`) and load nothing; the run's date stays the latest real delivery.",
    place=lambda latest: "delivery_date=2099-01-01/settlement_transactions_20990101.csv",
)
def _future_delivery_date(given: FaultInput):
    return _header_only(given), _recorded("future")


@fault(
    "impossible_delivery_date",
    "settlement_transactions",
    "A delivery folder dated 2026-02-30, a day no calendar has.",
    "Record the file (status `rejected`, the folder date named) and load nothing; the feed's other files load.",
    place=lambda latest: "delivery_date=2026-02-30/settlement_transactions_20260230.csv",
)
def _impossible_delivery_date(given: FaultInput):
    return _csv_bytes([given.header, *given.rows]), _recorded("rejected")


@fault(
    "misnamed_file_date",
    "settlement_transactions",
    "The latest delivery holds a file whose name carries the day before the folder's date.",
    "Record it (status `unexpected`: no file of the contract has that name there) and load nothing.",
    place=lambda latest: f"delivery_date={latest}/settlement_transactions_{latest - dt.timedelta(days=1):%Y%m%d}.csv",
)
def _misnamed_file_date(given: FaultInput):
    return _csv_bytes([given.header, *given.rows]), _recorded("unexpected")


@fault(
    "upper_case_extension",
    "settlement_transactions",
    "A file of the latest delivery named with `.CSV` instead of `.csv`.",
    "Record it (status `unexpected`) and load nothing: the contract's names are exact.",
    place=lambda latest: f"delivery_date={latest}/settlement_transactions_{latest:%Y%m%d}_upper.CSV",
)
def _upper_case_extension(given: FaultInput):
    return _csv_bytes([given.header, *given.rows]), _recorded("unexpected")


@fault(
    "unknown_folder",
    "settlement_transactions",
    "A note left in a folder of the feed that is no delivery folder (`archive/`).",
    "Record it (status `unexpected`) and load nothing.",
    place=lambda latest: "archive/notes.txt",
)
def _unknown_folder(given: FaultInput):
    return "对账说明：见邮件\n".encode(), _recorded("unexpected")


@fault(
    "hidden_file",
    "settlement_transactions",
    "A hidden file in the latest delivery: an upload still in transit (`.<name>.part`).",
    "Record it (status `ignored`) and load nothing.",
    place=lambda latest: f"delivery_date={latest}/.settlement_transactions_{latest:%Y%m%d}.csv.part",
)
def _hidden_file(given: FaultInput):
    return _csv_bytes([given.header, *given.rows[:3]]), _recorded("ignored")


# --- writing ----------------------------------------------------------------------------------------------------


def catalogue_path(landing_dir: Path) -> Path:
    return landing.ground_truth_path(landing_dir).with_name("faults.json")


def write_faults(landing_dir: Path, seed: int) -> list[dict]:
    """Add every fault to the landing area and write the catalogue; returns its entries."""
    entries = []
    # taken before writing anything: a misplaced fault may add a delivery folder of its own
    latest = {t: delivery_dates(landing_dir, table_by_name(t).feed)[-1] for t in {f.table for f in CATALOGUE}}
    for item in CATALOGUE:
        table = table_by_name(item.table)
        delivery = latest[table.name]
        files = [f for f in landed_files(landing_dir, table.feed) if f.table is table]
        real = next(f.path for f in files if f.delivery_date == delivery and not f.is_part)
        earlier = [f.path for f in files if f.delivery_date < delivery]
        header, rows = _read(table, real)
        try:
            content, outcome = item.build(
                FaultInput(table, header, rows[:SAMPLE_ROWS], earlier[-1] if earlier else None, seed)
            )
        except IndexError:
            raise ValueError(
                f"fault {item.id}: {real} has only {len(rows)} rows, too few to build it from; use a bigger scale"
            ) from None
        if item.place:
            path = landing_dir / table.feed / item.place(delivery)
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            path = landing.delivery_path(landing_dir, table, delivery, part=item.id)
        path.write_bytes(content)
        entries.append(
            {
                "id": item.id,
                "feed": table.feed,
                "table": table.name,
                "file": path.relative_to(landing_dir).as_posix(),
                "defect": item.defect,
                "handling": item.handling,
                **asdict(outcome),
            }
        )
    path = catalogue_path(landing_dir)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return entries


def read_catalogue(landing_dir: Path) -> list[dict]:
    return json.loads(catalogue_path(landing_dir).read_text(encoding="utf-8"))


def _read(table: RawTable, path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_text(encoding=table.encoding)
    if table.file_format == "jsonl":
        return list(table.column_names), [[line] for line in text.splitlines() if line.strip()]
    header, *rows = csv.reader(io.StringIO(text))
    return header, rows

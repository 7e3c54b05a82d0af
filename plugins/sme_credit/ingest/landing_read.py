"""Reading one delivered file: into its raw table through COPY, and into Arrow for the row checks.

CSV takes the fast road: the header is checked here, then PostgreSQL's COPY reads the data rows from the file
straight into the raw table while, on the other core, Arrow reads the same file for `row_checks`. When either
stops (a line with the wrong number of fields, bytes that are not in the declared encoding, a quoted line
break), the COPY is undone and the file is read again in Python, which finds every such line: lines with the
wrong number of fields are quarantined, an encoding error rejects the file naming its line and column.
JSON Lines (the court feed, small) is always read in Python.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psycopg2
import pyarrow as pa
import pyarrow.csv as arrow_csv

from sme_credit.contract.feeds import NUMERIC_TYPES, LandedFile, RawTable

_POSTGRES_ENCODINGS = {"utf-8": "UTF8", "gb18030": "GB18030"}  # contract encoding -> COPY's name for it
NUL_REASON = "the value holds a NUL character (U+0000), which no text column can store"


class FileRejected(RuntimeError):
    """The file as a whole cannot be loaded; names the line and, where one is to blame, the column."""

    def __init__(self, reason: str, line: int | None = None, column: str | None = None):
        reason = printable(reason)
        where = f"line {line}" if line else "file"
        if column:
            where += f", column {column}"
        super().__init__(f"{where}: {reason}")
        self.reason, self.line, self.column = reason, line, column


NUL = "\x00"


def _skipped(malformed: list, row) -> str:
    """Arrow's handler for a row it cannot split: kept for the report, then skipped."""
    malformed.append(row)
    return "skip"


def printable(text: str) -> str:
    """Text the warehouse can store: PostgreSQL's text holds no NUL character, which is shown as U+FFFD (as an
    undecodable byte is)."""
    return text.replace(NUL, "\ufffd")


@dataclass(frozen=True)
class BadLine:
    """A row that is not loaded: its line, the field to blame (None: the line as a whole) and why."""

    line: int
    field: str | None
    reason: str


@dataclass
class Staged:
    """A file's rows, copied into raw (numbered by line) and held in Arrow for the checks."""

    rows: pa.Table  # the contract's columns, as text
    lines: pa.Array  # the line of each row in the file
    bad_lines: list[BadLine]  # malformed lines found while reading: not in raw, not in `rows`
    copied: int  # rows COPY inserted into raw, as PostgreSQL counted them
    failing: list[BadLine]  # rows in raw that break a column rule (found by `check`)

    @property
    def rows_read(self) -> int:
        return self.rows.num_rows + len(self.bad_lines)


def first_line_number(table: RawTable) -> int:
    return 2 if table.file_format == "csv" else 1  # CSV's header is line 1


Check = Callable[[pa.Table, pa.Array], list[BadLine]]


def stage_file(cursor, landed: LandedFile, check: Check) -> Staged:
    """COPY the file's rows into its raw table (whose defaults the caller has set for this file), and read them
    into Arrow to `check` them (rows, their lines -> the bad ones), while COPY runs when it can.
    Raises FileRejected for a problem with the file as a whole."""
    if landed.table.file_format == "csv":
        _check_csv_header(landed)
        cursor.execute("savepoint before_copy")
        staged = _stage_csv_fast(cursor, landed, check)
        if staged:
            return staged
        cursor.execute("rollback to savepoint before_copy")
    return _stage_parsed(cursor, landed, check)


def _check_csv_header(landed: LandedFile) -> None:
    table = landed.table
    with landed.path.open("rb") as handle:
        first_line = handle.readline()
    if not first_line:
        raise FileRejected("the file is empty (0 bytes, not even a header): a failed export", line=1)
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8) :]
    if b"\x00" in first_line:
        raise FileRejected(
            f"the header holds NUL bytes: the file looks like UTF-16 or binary, not {table.encoding.upper()} "
            "(the contract's encoding for this file)",
            line=1,
        )
    if b"\r" in first_line.rstrip(b"\r\n"):
        raise FileRejected(
            "lines end with a bare carriage return (CR, old Mac style): the contract's lines end with LF or CRLF",
            line=1,
        )
    try:
        header_text = first_line.decode(table.encoding)
    except UnicodeDecodeError as error:
        raise FileRejected(f"the header is not {table.encoding.upper()} ({error.reason})", line=1) from None
    try:
        header = next(csv.reader([header_text.rstrip("\r\n")]), [])
    except csv.Error as error:
        raise FileRejected(f"unreadable CSV header ({error})", line=1) from None
    check_header(table, header)


def check_header(table: RawTable, header: list[str]) -> None:
    expected = list(table.column_names)
    if header == expected:
        return
    if len(header) <= 1:
        raise FileRejected(
            f"the header has {len(header)} field(s) where the contract has {len(expected)} "
            f"({', '.join(expected)}): is the delimiter a comma?",
            line=1,
        )
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    detail = []
    if missing:
        detail.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        detail.append(f"unexpected column(s) {', '.join(extra)}")
    if detail:
        raise FileRejected("header: " + "; ".join(detail), line=1, column=(missing + extra)[0])
    misplaced = next(c for c, h in zip(expected, header) if c != h)
    raise FileRejected(f"header: columns out of order, expected {', '.join(expected)}", line=1, column=misplaced)


def _column_list(table: RawTable) -> str:
    return ", ".join(f'"{c}"' for c in table.column_names)


def _stage_csv_fast(cursor, landed: LandedFile, check: Check) -> Staged | None:
    """COPY on the server and Arrow reading and checking here, side by side; None when either finds the file
    malformed (then Python reads it)."""
    table = landed.table
    arrow_result: dict = {}

    def read_with_arrow() -> None:
        malformed: list = []
        try:
            arrow_result["rows"] = arrow_csv.read_csv(
                landed.path,
                read_options=arrow_csv.ReadOptions(
                    skip_rows=1, column_names=list(table.column_names), encoding=table.encoding, use_threads=False
                ),
                parse_options=arrow_csv.ParseOptions(invalid_row_handler=lambda row: _skipped(malformed, row)),
                # Only an empty field is missing, as for COPY: "N/A", "NULL" and the like are values (bad ones).
                convert_options=arrow_csv.ConvertOptions(
                    column_types={c: pa.string() for c in table.column_names},
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
            arrow_result["malformed"] = malformed
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            arrow_result["error"] = error
            return
        # counted beside COPY: a row per line is what lets both number the rows by their line
        arrow_result["physical_lines"] = _physical_lines(landed)
        if not malformed:
            rows = arrow_result["rows"]
            first = first_line_number(table)
            arrow_result["lines"] = pa.array(range(first, first + rows.num_rows), pa.int32())
            try:
                arrow_result["failing"] = check(rows, arrow_result["lines"])
            except Exception as error:  # noqa: BLE001 - re-raised in the calling thread
                arrow_result["check_error"] = error

    reader = threading.Thread(target=read_with_arrow, name=f"arrow-{landed.path.name}")
    reader.start()
    try:
        with landed.path.open("rb") as handle:
            handle.readline()  # the header, checked already: COPY reads the data rows only
            cursor.copy_expert(
                f"copy {table.qualified_name} ({_column_list(table)}) from stdin with "
                f"(format csv, encoding '{_POSTGRES_ENCODINGS[table.encoding]}')",
                handle,
                size=1 << 20,
            )
        copied = cursor.rowcount
    except psycopg2.DataError:  # malformed rows or bytes
        copied = None
    finally:
        reader.join()
    if "check_error" in arrow_result:
        raise arrow_result["check_error"]
    rows = arrow_result.get("rows")
    if copied is None or rows is None or arrow_result["malformed"] or rows.num_rows != copied:
        return None
    if rows.num_rows != arrow_result["physical_lines"] - 1:
        return None  # a quoted field spans lines: rows are numbered by their line in Python
    return Staged(rows, arrow_result["lines"], [], copied, arrow_result["failing"])


def _physical_lines(landed: LandedFile) -> int:
    """Lines of the file: its LFs, plus a last line without one."""
    count, last = 0, b"\n"
    with landed.path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _decoder_name(table: RawTable) -> str:
    return "utf-8-sig" if table.encoding == "utf-8" else table.encoding  # a UTF-8 BOM is tolerated


def _decode(landed: LandedFile) -> str:
    content = landed.path.read_bytes()
    first_line = content.split(b"\n", 1)[0]
    nul_bytes = first_line.count(b"\x00")
    if nul_bytes * 10 >= len(first_line) > 0:  # a stray NUL is a bad line; this many, a wrong encoding
        raise FileRejected(
            f"line 1 holds {nul_bytes} NUL bytes in {len(first_line)}: the file looks like UTF-16 or "
            f"binary, not {landed.table.encoding.upper()} (the contract's encoding for this file)",
            line=1,
        )
    if not content:
        if landed.table.file_format == "jsonl":
            return ""  # the contract: a delivery without records is a JSON Lines file with no lines
        raise FileRejected("the file is empty (0 bytes): a failed export", line=1)
    try:
        return content.decode(_decoder_name(landed.table))
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        line_start = content.rfind(b"\n", 0, error.start) + 1
        prefix = content[line_start : error.start].decode(_decoder_name(landed.table), "replace")
        column = None
        if landed.table.file_format == "csv" and line > 1:
            try:
                index = len(next(csv.reader([prefix]), [""])) - 1
                column = landed.table.column_names[min(index, len(landed.table.column_names) - 1)]
            except csv.Error:  # a bare CR before the bad bytes: the line is named, the column cannot be
                column = None
        raise FileRejected(
            f"bytes {content[error.start : error.start + 2].hex(' ')} are not valid "
            f"{landed.table.encoding.upper()}, the contract's encoding for this file: "
            f"was it delivered in another encoding?",
            line=line,
            column=column,
        ) from None


def _stage_parsed(cursor, landed: LandedFile, check: Check) -> Staged:
    table = landed.table
    parse = _parse_jsonl if table.file_format == "jsonl" else _parse_csv
    lines: list[int] = []
    columns: list[list] = [[] for _ in table.column_names]
    bad_lines: list[BadLine] = []
    good = io.StringIO()
    # CRLF: the writer quotes a field holding either CR or LF (a bare CR would end COPY's row)
    writer = csv.writer(good, lineterminator="\r\n")
    for line, values, problem in parse(table, _decode(landed)):
        if problem:
            bad_lines.append(problem)
            continue
        lines.append(line)
        for column, value in zip(columns, values):
            column.append(value)
        writer.writerow([line, *values])  # None is written as an unquoted empty field, which COPY reads as NULL
    cursor.copy_expert(
        f"copy {table.qualified_name} (_line_number, {_column_list(table)}) from stdin with "
        f"(format csv, encoding 'UTF8')",
        io.BytesIO(good.getvalue().encode("utf-8")),
    )
    copied = cursor.rowcount
    rows = pa.table({name: pa.array(values, pa.string()) for name, values in zip(table.column_names, columns)})
    line_numbers = pa.array(lines, pa.int32())
    return Staged(rows, line_numbers, bad_lines, copied, check(rows, line_numbers))


def _parse_csv(table: RawTable, text: str):
    """(line, values, None) for each well-formed row, (line, None, BadLine) for each malformed one."""
    width = len(table.column_names)
    reader = csv.reader(io.StringIO(text, newline=""))
    blank_lines: list[int] = []  # empty lines are bad rows only when a row follows them (end of file: not rows)
    try:
        check_header(table, next(reader, []))
        line = reader.line_num
        for record in reader:
            line += 1  # the record's first line (a quoted field may span lines)
            if not record:
                blank_lines.append(line)
                line = reader.line_num
                continue
            for blank in blank_lines:
                yield blank, None, BadLine(blank, None, "an empty line")
            blank_lines = []
            if len(record) != width:
                yield line, None, BadLine(line, None, f"{len(record)} field(s) where the contract has {width}")
            elif nul := next((c for c, v in zip(table.column_names, record) if NUL in v), None):
                yield line, None, BadLine(line, nul, NUL_REASON)
            else:
                yield line, [value if value != "" else None for value in record], None
            line = reader.line_num
    except csv.Error as error:
        raise FileRejected(f"unreadable CSV ({error})", line=reader.line_num) from None


class _JsonNumber(str):
    """A JSON number, kept as the text delivered (no float rounding), and known to have been a number."""


def _json_lines(text: str) -> list[str]:
    """JSON Lines split on LF only (a CR before it is tolerated): U+2028 and other Unicode line breaks may
    stand inside a JSON string. Empty lines at the end of the file are not records."""
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _parse_jsonl(table: RawTable, text: str):
    columns = table.column_names
    for line, content in enumerate(_json_lines(text), start=1):
        try:
            record = json.loads(content, parse_float=_JsonNumber, parse_int=_JsonNumber)
        except json.JSONDecodeError as error:
            yield line, None, BadLine(line, None, f"invalid JSON at character {error.colno}: {error.msg}")
            continue
        if not isinstance(record, dict):
            yield line, None, BadLine(line, None, "not a JSON object")
            continue
        unexpected = [key for key in record if key not in columns]
        if unexpected:
            yield line, None, BadLine(line, unexpected[0], f"field {unexpected[0]!r} is not in the contract")
            continue
        problem = next(
            (BadLine(line, c, why) for c in columns if (why := _json_type_problem(table, c, record.get(c)))), None
        )
        if problem:
            yield line, None, problem
        else:
            yield line, [record.get(column) for column in columns], None


def _json_type_problem(table: RawTable, column: str, value) -> str | None:
    """The contract's JSON types: amounts are JSON numbers, everything else strings; null for a missing value."""
    if value is None:
        return None
    wanted = "number" if table.column(column).type in NUMERIC_TYPES else "string"
    found = _json_type(value)
    if found != wanted:
        return f"a JSON {found} where the contract has a JSON {wanted}"
    if NUL in value:
        return NUL_REASON
    return None


def _json_type(value) -> str:
    if isinstance(value, _JsonNumber):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    return "array" if isinstance(value, list) else "object"


def raw_lines(landed: LandedFile, lines: set[int]) -> dict[int, str]:
    """The delivered text of the given physical lines, decoded as declared (undecodable bytes replaced)."""
    found: dict[int, str] = {}
    with landed.path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number in lines:
                decoder = _decoder_name(landed.table) if number == 1 else landed.table.encoding
                found[number] = printable(raw.decode(decoder, "replace").rstrip("\r\n"))
                if len(found) == len(lines):
                    break
    return found

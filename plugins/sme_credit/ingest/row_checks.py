"""Row-level validation of a delivered file, column by column, with the contract's own words for each reject.

The rows are held as an Arrow table of text columns, and every column rule of the contract (`feeds.Column`) is
checked over whole columns at once: patterns with RE2, allowed values, minimums and required values as vector
operations; rules no pattern can state (USCC and resident-ID check characters, calendar dates) in Python, on the
column's distinct values, remembered across the files of a load. Only the few rows found bad are looked at one
by one, and `Column.problem` says which field and why, so the loader and the contract cannot disagree silently.
A row identical to an earlier row of the same file is a duplicate: the first stays, the repeats are quarantined.
A row with the key of an earlier row but other values is a conflict (the loader checks the same against other
files): the first version stays, the later one is quarantined naming it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from sme_credit.contract.feeds import CONFLICT_REASON, NOT_BLANK, NUMERIC_TYPES, Column, RawTable
from sme_credit.ingest.landing_read import BadLine


class KnownGoodValues:
    """Values that passed the Python-side checks, per table column: most recur in every file of a feed."""

    def __init__(self) -> None:
        self._good: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._lock = threading.Lock()

    def bad_among(self, table: RawTable, column: str, values: list[str], is_good) -> list[str]:
        with self._lock:
            known = self._good[(table.name, column)]
            fresh = [value for value in values if value not in known]
        bad = [value for value in fresh if not is_good(value)]
        rejected = set(bad)
        with self._lock:
            known.update(value for value in fresh if value not in rejected)
        return bad


def _valid(column: Column, values: pa.ChunkedArray, table: RawTable, known: KnownGoodValues) -> pa.ChunkedArray:
    """True where the value passes every rule of `column` (missing values: only when the column is optional)."""
    text = pc.fill_null(values, "")  # null and empty are both missing, as in Column.problem
    present = pc.not_equal(text, "")
    ok = present
    if column.type == "text":
        ok = pc.and_(ok, pc.match_substring_regex(text, NOT_BLANK))
    elif column.type in ("enum", "flag"):
        allowed = column.allowed if column.type == "enum" else ("0", "1")
        ok = pc.and_(ok, pc.is_in(text, value_set=pa.array(allowed, pa.string())))
    if column.full_pattern:
        matches = pc.match_substring_regex(text, f"^(?:{column.full_pattern})$")
        ok = pc.and_(ok, matches)
        if column.minimum is not None:
            # Only matching values are compared; at most 15 digits and 2 decimals compare exactly as float64.
            number = pc.cast(pc.if_else(matches, text, "0"), pa.float64())
            ok = pc.and_(ok, pc.greater_equal(number, float(column.minimum)))
    check = column.value_check()
    if check:
        part, is_good = check
        checked = text if part == "value" else pc.utf8_slice_codeunits(text, 0, 10)
        distinct = pc.unique(pc.filter(checked, present)).to_pylist()
        bad = known.bad_among(table, column.name, distinct, is_good)
        if bad:
            ok = pc.and_(ok, pc.invert(pc.is_in(checked, value_set=pa.array(bad, pa.string()))))
    if not column.required:
        ok = pc.or_(pc.invert(present), ok)
    return ok


def find_bad_rows(rows: pa.Table, lines: pa.Array, table: RawTable, known: KnownGoodValues) -> list[BadLine]:
    """Rows breaking a column rule, then exact repeats of an earlier row, as BadLines in line order.
    `rows` has the table's columns as text; `lines` gives each row's line in the file."""
    if rows.num_rows == 0:
        return []
    all_valid = None
    for column in table.columns:
        valid = _valid(column, rows[column.name], table, known)
        all_valid = valid if all_valid is None else pc.and_(all_valid, valid)
    suspect = pc.indices_nonzero(pc.invert(all_valid)).to_pylist()

    found: dict[int, BadLine] = {}
    for index in suspect:
        values = [rows[name][index].as_py() for name in table.column_names]
        problem = next(
            (
                (column.name, reason)
                for column, value in zip(table.columns, values)
                if (reason := column.problem(value))
            ),
            None,
        )
        if problem is None:
            raise RuntimeError(
                f"{table.name} line {lines[index]}: the column checks flagged the row but no rule "
                "of the contract fails: row_checks and feeds.Column disagree"
            )
        line = lines[index].as_py()
        found[line] = BadLine(line, *problem)
    for repeat in _repeated_keys(rows, lines, table, set(found)):
        found[repeat.line] = repeat
    return [found[line] for line in sorted(found)]


def conflict_reason(table: RawTable, key: tuple, where: str, columns: list[str]) -> str:
    return CONFLICT_REASON.format(
        key=f"{', '.join(table.key)} {' / '.join(str(k) for k in key)}", where=where, columns=", ".join(columns)
    )


def comparable(table: RawTable, values) -> tuple:
    """A version of a row as the conflict rule compares it: numbers as numbers (1200.5 and 1200.50 are one
    amount), without the columns the contract's correction rule lets a later delivery change."""
    return tuple(
        Decimal(value) if value and column.type in NUMERIC_TYPES else value
        for column, value in zip(table.columns, values)
        if column.name not in table.redelivery_may_change
    )


def _repeated_keys(rows: pa.Table, lines: pa.Array, table: RawTable, bad: set[int]) -> list[BadLine]:
    """Rows whose key an earlier row of the file has: an exact repeat of an earlier row is a duplicate; other
    values (beyond what the correction rule allows) a conflict, the first good version staying. Rows already
    bad count as neither. Cheap when keys are unique."""
    keys = [pc.fill_null(rows[name], "") for name in table.key]
    key = keys[0] if len(keys) == 1 else pc.binary_join_element_wise(*keys, "\x1f")
    if len(pc.unique(key)) == rows.num_rows:
        return []
    counts = pc.value_counts(key)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    candidates = pc.indices_nonzero(pc.is_in(key, value_set=repeated)).to_pylist()
    compared = [c.name for c in table.columns if c.name not in table.redelivery_may_change]
    seen: dict[tuple, int] = {}
    first_version: dict[tuple, tuple[int, tuple]] = {}
    found = []
    for index in candidates:  # in file order
        values = tuple(rows[name][index].as_py() for name in table.column_names)
        line = lines[index].as_py()
        if values in seen:
            if line not in bad:  # an identical copy of a bad row is already quarantined as bad
                found.append(BadLine(line, table.key[0], f"duplicate: repeats line {seen[values]} exactly"))
            continue
        seen[values] = line
        if line in bad:
            continue
        row_key = tuple(values[table.column_names.index(k)] for k in table.key)
        version = comparable(table, values)
        if row_key not in first_version:
            first_version[row_key] = (line, version)
            continue
        first_line, first = first_version[row_key]
        differing = [name for name, old, new in zip(compared, first, version) if old != new]
        if differing:
            found.append(BadLine(line, differing[0], conflict_reason(table, row_key, f"line {first_line}", differing)))
    return found

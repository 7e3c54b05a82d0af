"""The fault catalogue: every malformed file is written, really has its defect, and the catalogue's expected
outcome is what the contract implies. The expected outcomes are checked here against an independent reading of
the contract (`contract_verdict`), not against the loader."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from decimal import Decimal

import pytest

from sme_credit.contract.feeds import FEEDS, NUMERIC_TYPES, RawTable, landed_files, table_by_name, tables_of
from sme_credit_sample import generate_world
from sme_credit_sample.faults import CATALOGUE, read_catalogue

SEED = 7
TODAY = dt.date.today()


@pytest.fixture
def faulty(faulty_world):
    return faulty_world


def contract_verdict(table: RawTable, content: bytes, earlier: dict | None = None) -> dict:
    """What the contract says about a file: {"reject": (line, column)} or {"rows_read": n, "bad": [(line, field)],
    "versions": key -> first version}. `earlier`: the versions of keys delivered before, which a row may conflict
    with."""
    if not content:
        return {"rows_read": 0, "bad": []} if table.file_format == "jsonl" else {"reject": (1, None)}
    first_line = content.split(b"\n")[0]
    if first_line.count(b"\x00") > len(first_line) // 4 or b"\r" in first_line.rstrip(b"\r"):
        return {"reject": (1, None)}  # UTF-16 or binary; lines ending with a bare CR
    encoding = "utf-8-sig" if table.encoding == "utf-8" else table.encoding
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        prefix = content[: error.start].rsplit(b"\n", 1)[-1].decode("ascii", "replace")
        return {"reject": (line, table.column_names[next(csv.reader([prefix])).__len__() - 1])}
    bad, seen, versions = [], {}, Versions(table, earlier or {})
    if table.file_format == "jsonl":
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                bad.append((number, None))
                continue
            wrong = [c.name for c in table.columns if not _json_type_ok(c, record[c.name])]
            if wrong:
                bad.append((number, wrong[0]))
                continue
            values = [None if record[c] is None else str(record[c]) for c in table.column_names]
            problems = _row_problems(table, number, values) or versions.conflict(number, values)
            bad += problems
        return {"rows_read": len(lines), "bad": bad, "versions": versions.first}
    records = list(csv.reader(io.StringIO(text)))
    while records and not records[-1]:
        records.pop()
    header = records[0]
    if header != list(table.column_names):
        missing = [c for c in table.column_names if c not in header]
        extra = [c for c in header if c not in table.column_names]
        return {"reject": (1, (missing + extra)[0] if len(header) > 1 else None)}
    for number, row in enumerate(records[1:], start=2):
        if len(row) != len(header):
            bad.append((number, None))
        elif tuple(row) in seen:
            bad.append((number, table.key[0]))
        elif any("\x00" in value for value in row):
            bad.append((number, next(c for c, v in zip(header, row) if "\x00" in v)))
        else:
            seen[tuple(row)] = number
            values = [value or None for value in row]
            bad += _row_problems(table, number, values) or versions.conflict(number, values)
    return {"rows_read": len(records) - 1, "bad": bad, "versions": versions.first}


class Versions:
    """The contract's rule for a key delivered again: other values (numbers as numbers), other than in the
    columns its correction rule may change, are a conflict; the first version stays, the later is a bad row
    whose field is the first that differs."""

    def __init__(self, table: RawTable, earlier: dict):
        self.table, self.first = table, dict(earlier)

    def _comparable(self, values: list) -> tuple:
        return tuple(
            Decimal(v) if v is not None and c.type in NUMERIC_TYPES else v
            for c, v in zip(self.table.columns, values)
            if c.name not in self.table.redelivery_may_change
        )

    def conflict(self, number: int, values: list) -> list:
        key = tuple(values[self.table.column_names.index(k)] for k in self.table.key)
        if key not in self.first:
            self.first[key] = values
            return []
        before, now = self._comparable(self.first[key]), self._comparable(values)
        compared = [c.name for c in self.table.columns if c.name not in self.table.redelivery_may_change]
        differing = [name for name, old, new in zip(compared, before, now) if old != new]
        return [(number, differing[0])] if differing else []


def delivered_before(table: RawTable, files) -> dict:
    """key -> the first delivered version, from the given files in delivery order."""
    first: dict = {}
    for path in files:
        verdict = contract_verdict(table, path.read_bytes(), first)
        assert verdict.get("bad") == [], f"{path}: a genuine file with bad rows"
        first = verdict["versions"]
    return first


def contract_place(relative: str) -> str | None:
    """What the contract's layout says of a file at `relative` (feed/folder/name): None for a file of a delivery,
    else the status it is recorded with."""
    feed, *folders, name = relative.split("/")
    if name.startswith("."):
        return "ignored"
    folder = re.fullmatch(r"delivery_date=(\d{4})-(\d{2})-(\d{2})", folders[0]) if len(folders) == 1 else None
    if folder is None:
        return "unexpected"
    try:
        day = dt.date(*map(int, folder.groups()))
    except ValueError:
        return "rejected"
    if day > TODAY:
        return "future"
    names = [rf"{t.name}_{day:%Y%m%d}(_[a-z0-9]+(_[a-z0-9]+)*)?\.{t.file_format}" for t in tables_of(feed)]
    return None if any(re.fullmatch(pattern, name) for pattern in names) else "unexpected"


def _json_type_ok(column, value) -> bool:
    """The contract: amounts are JSON numbers, everything else strings, null when missing; no NUL."""
    if value is None:
        return True
    if column.type == "amount":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and "\x00" not in value


def _row_problems(table: RawTable, number: int, values: list) -> list:
    for column, value in zip(table.columns, values):
        if column.problem(value):
            return [(number, column.name)]
    return []


def _genuine_files(landing):
    return [f for feed in FEEDS for f in landed_files(landing, feed) if not f.is_part]


def test_every_fault_is_written_once_into_the_latest_delivery(faulty):
    catalogue = read_catalogue(faulty)
    assert [entry["id"] for entry in catalogue] == [fault.id for fault in CATALOGUE]
    assert len(CATALOGUE) >= 16
    landed = {f.path.relative_to(faulty).as_posix(): f for feed in FEEDS for f in landed_files(faulty, feed)}
    for entry in catalogue:
        if entry["action"] == "record":  # a misplaced file: its own path, under its table's feed
            assert (faulty / entry["file"]).is_file() and entry["file"].startswith(f"{entry['feed']}/")
            continue
        assert entry["file"] in landed, f"{entry['file']} is not picked up as part of its delivery"
        file = landed[entry["file"]]
        assert file.table.name == entry["table"] and file.path.name.endswith(f"_{entry['id']}.{file.table.file_format}")
        latest = max(f.delivery_date for f in landed.values() if f.table is file.table and f.delivery_date <= TODAY)
        assert file.delivery_date == latest
        assert entry["defect"] and entry["handling"]


def test_each_expected_outcome_is_what_the_contract_implies(faulty):
    genuine = {hashlib.sha256(f.path.read_bytes()).hexdigest(): f.path for f in _genuine_files(faulty)}
    earlier: dict[str, dict] = {}
    for entry in read_catalogue(faulty):
        table = table_by_name(entry["table"])
        if table.name not in earlier:  # every fault file is a part of the latest delivery: after the genuine files
            files = sorted((f for f in _genuine_files(faulty) if f.table is table), key=lambda f: f.delivery_date)
            earlier[table.name] = delivered_before(table, [f.path for f in files])
        if entry["action"] == "record":
            assert contract_place(entry["file"]) == entry["status"], entry["id"]
            continue
        content = (faulty / entry["file"]).read_bytes()
        verdict = contract_verdict(table, content, earlier[table.name])
        assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_quarantined"], entry["id"]
        if entry["action"] == "reject":
            line, column = verdict["reject"]
            assert entry["error_line"] == line, entry["id"]
            assert entry["error_column"] in (None, column), entry["id"]
            assert entry["rows_loaded"] == entry["rows_quarantined"] == 0
        elif entry["action"] == "skip":
            digest = hashlib.sha256(content).hexdigest()
            assert digest in genuine and genuine[digest] != faulty / entry["file"], "a byte-identical earlier file"
        else:
            assert "reject" not in verdict, entry["id"]
            assert verdict["rows_read"] == entry["rows_read"], entry["id"]
            expected = [(q["line"], q["field"]) for q in entry["quarantined"]]
            assert verdict["bad"] == expected, entry["id"]
            assert (entry["action"] == "quarantine") == bool(expected)


def test_unknown_enterprises_are_valid_codes_missing_from_the_master(faulty):
    entry = next(e for e in read_catalogue(faulty) if e["id"] == "unknown_enterprise")
    master = {
        row["uscc"]
        for f in _genuine_files(faulty)
        if f.table.name == "enterprise_master"
        for row in csv.DictReader(f.path.read_text(encoding="utf-8").splitlines())
    }
    rows = list(csv.DictReader((faulty / entry["file"]).read_text(encoding="utf-8").splitlines()))
    assert rows and all(row["uscc"] not in master for row in rows)
    assert all(table_by_name("settlement_transactions").column("uscc").problem(row["uscc"]) is None for row in rows)


def test_faults_leave_the_genuine_files_untouched(faulty, tmp_path):
    clean = tmp_path / "clean" / "landing"
    generate_world(clean, scale="tiny", seed=SEED, progress=None)
    genuine = {p.relative_to(clean): p.read_bytes() for p in clean.rglob("*") if p.is_file()}
    assert {path: (faulty / path).read_bytes() for path in genuine} == genuine
    extra = sorted(
        p.relative_to(faulty).as_posix()
        for p in faulty.rglob("*")
        if p.is_file() and p.relative_to(faulty) not in genuine
    )
    assert extra == sorted(entry["file"] for entry in read_catalogue(faulty))

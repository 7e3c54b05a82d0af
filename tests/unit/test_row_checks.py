"""The loader's column-wise checks (Arrow, RE2) accept exactly what the contract's own rule (`Column.problem`)
accepts, value by value, for every column of every table, on a corpus of awkward values."""

from __future__ import annotations

import pyarrow as pa

from sme_credit.contract.feeds import RAW_TABLES
from sme_credit.ingest.row_checks import KnownGoodValues, _valid, find_bad_rows

AWKWARD = [
    None,
    "",
    " ",
    "\t",
    "\u3000",
    "0",
    "1",
    "-1",
    "-0.00",
    "0.00",
    "0.01",
    "0.001",
    "1,234.50",
    "N/A",
    "１２３",
    "12345678901234567",
    "123456789012345.12",
    "1234567890123456",
    "2026-02-28",
    "2026-02-30",
    "2026-13-05",
    "2024-02-29",
    "2026-1-05",
    "2026-11-03 23:59:59",
    "2026-11-03 24:00:00",
    "2026-02-30 10:00:00",
    "2026-11",
    "2026-00",
    "2026",
    "1899",
    "A",
    "B",
    "X",
    "C",
    "D",
    "electricity",
    "kWh",
    "m3",
    "POS",
    "pos",
    "91310115MA1FL2X37F",
    "91310115MA1FL2X370",
    "91310115ma1fl2x37f",
    "310115198503071234",
    "11010519491231002X",
    "13812345678",
    "23812345678",
    "F51",
    "Z51",
    "310115",
    "3101151",
    "3301068022093-202609",
    "CR000000064",
    "(2026)津0116民初9333号",
    "(2026) 津号",
    "202610010000000002",
    "3010601625816448826",
    "11000000000001",
    "上海宏达贸易有限公司",
    "open",
    "closed",
    "case",
]


def test_column_checks_agree_with_the_contract_value_by_value():
    for table in RAW_TABLES:
        for column in table.columns:
            values = pa.chunked_array([pa.array(AWKWARD, pa.string())])
            verdicts = _valid(column, values, table, KnownGoodValues()).to_pylist()
            for value, verdict in zip(AWKWARD, verdicts):
                assert verdict == (column.problem(value) is None), (table.name, column.name, value)


def test_bad_rows_name_the_first_failing_field_and_exact_repeats():
    table = next(t for t in RAW_TABLES if t.name == "tax_credit_ratings")
    rows = pa.table(
        {
            "uscc": ["91310115MA1FL2X37F", "91310115MA1FL2X370", "91310115MA1FL2X37F", "91310115MA1FL2X37F"],
            "rating_year": ["2025", "2025", "2025", "2024"],
            "credit_rating": ["A", "A", "A", "E"],
            "published_date": ["2026-04-20", "2026-04-20", "2026-04-20", "2026-02-30"],
        }
    )
    bad = find_bad_rows(rows, pa.array([2, 3, 4, 5], pa.int32()), table, KnownGoodValues())
    assert [(b.line, b.field) for b in bad] == [(3, "uscc"), (4, "uscc"), (5, "credit_rating")]
    assert "wrong check character" in bad[0].reason and bad[1].reason == "duplicate: repeats line 2 exactly"


def _bills(*versions: tuple[str, str | None]) -> pa.Table:
    """Versions of one utility bill: (amount, paid_date)."""
    fixed = {
        "bill_id": "330106802209-202609",
        "uscc": "91310115MA1FL2X37F",
        "meter_id": "330106802209",
        "utility_type": "electricity",
        "billing_month": "2026-09",
        "consumption": "6703",
        "unit": "kWh",
        "due_date": "2026-10-19",
    }
    columns = {name: [fixed.get(name)] * len(versions) for name in fixed}
    columns["amount"] = [amount for amount, _ in versions]
    columns["paid_date"] = [paid for _, paid in versions]
    table = next(t for t in RAW_TABLES if t.name == "utility_bills")
    return pa.table({name: pa.array(columns[name], pa.string()) for name in table.column_names})


def test_a_key_again_with_other_values_is_a_conflict_numbers_compared_as_numbers():
    table = next(t for t in RAW_TABLES if t.name == "utility_bills")
    rows = _bills(
        ("6233.70", None),
        ("6233.701", None),  # bad by its column rule: no version at all
        ("6233.8", None),  # another amount: a conflict with line 2
        ("6233.7", "2026-10-04"),  # the same amount written otherwise, paid since (the correction rule): fine
    )
    bad = find_bad_rows(rows, pa.array([2, 3, 4, 5], pa.int32()), table, KnownGoodValues())
    assert [(b.line, b.field) for b in bad] == [(3, "amount"), (4, "amount")]
    assert bad[1].reason.startswith("conflict: bill_id 330106802209-202609 was delivered before (line 2)")

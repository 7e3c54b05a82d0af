"""The landing contract: column rules accept what the contract allows and name what they refuse; the document
rendered from it is up to date; the landing layout (delivery folders, file names, parts) is read by it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sme_credit import settings
from sme_credit.contract.feeds import (
    CONTRACT_CHANGES,
    CONTRACT_VERSION,
    RAW_TABLES,
    Column,
    delivery_dates,
    landed_files,
    table_by_name,
)
from sme_credit_dev import contract_doc, raw_suites


@pytest.mark.parametrize(
    ("table", "column", "value", "reason"),
    [
        ("tax_filings", "uscc", None, "required value is missing"),
        ("tax_filings", "uscc", "", "required value is missing"),
        ("tax_filings", "uscc", "91310115MA1FL2X370", "wrong check character"),
        ("tax_filings", "uscc", "91310115MA1FL2X37", "not an 18-character USCC"),
        ("tax_filings", "filing_date", "2026-02-30", "impossible date"),
        ("tax_filings", "filing_date", "2026-13-05", "impossible date"),
        ("tax_filings", "filing_date", "05/10/2026", "not a date"),
        ("tax_filings", "tax_period", "2026-13", "not a month"),
        ("tax_filings", "is_late", "Y", "not 0 or 1"),
        ("tax_filings", "declared_sales", "1,234.50", "not an amount"),
        ("tax_filings", "declared_sales", "N/A", "not an amount"),
        ("tax_filings", "declared_sales", "12.345", "not an amount"),
        ("utility_bills", "amount", "-120.00", "below the minimum 0 (negative)"),
        ("utility_bills", "consumption", "12.5", "not a whole number"),
        ("utility_bills", "utility_type", "gas", "not one of electricity, water"),
        ("utility_bills", "bill_id", "ABC-202609", "does not match the pattern"),
        ("settlement_transactions", "amount", "0.00", "below the minimum 0.01"),
        ("settlement_transactions", "txn_ts", "2026-10-01T01:55:21", "not a timestamp"),
        ("settlement_transactions", "txn_ts", "2026-10-01 25:55:21", "is not a timestamp"),
        ("enterprise_master", "legal_rep_id_number", "110105198001010001", "not a valid resident identity number"),
        ("enterprise_master", "legal_rep_phone", "02161234567", "not an 11-digit mobile number"),
        ("enterprise_master", "enterprise_name", "   ", "only whitespace"),
    ],
)
def test_column_rules_refuse_bad_values_with_a_reason(table, column, value, reason):
    assert reason in (table_by_name(table).column(column).problem(value) or "")


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("utility_bills", "paid_date", None),
        ("utility_bills", "paid_date", ""),
        ("settlement_transactions", "balance_after", "-15.20"),  # an overdraft is possible
        ("settlement_transactions", "counterparty_account", None),
        ("court_records", "amount", "50234.3"),  # a JSON number loses its trailing zero
        ("court_records", "party_uscc", None),
        ("tax_credit_ratings", "credit_rating", "M"),
        ("tax_filings", "filing_date", "2024-02-29"),
    ],
)
def test_column_rules_accept_what_the_contract_allows(table, column, value):
    assert table_by_name(table).column(column).problem(value) is None


def test_every_example_follows_its_rules_and_pii_examples_are_masked():
    for table in RAW_TABLES:
        for column in table.columns:
            assert column.example, (table.name, column.name)
            if column.pii:
                assert "*" in column.example, "PII examples in the docs are masked"
            else:
                assert column.problem(column.example) is None, (table.name, column.name, column.example)


def test_a_column_must_be_declared_consistently():
    with pytest.raises(ValueError, match="unknown type"):
        Column("x", "money", "?")
    with pytest.raises(ValueError, match="enum needs allowed values"):
        Column("x", "enum", "?")


def test_the_contract_is_versioned():
    assert CONTRACT_CHANGES[-1][0] == CONTRACT_VERSION
    assert len({version for version, _ in CONTRACT_CHANGES}) == len(CONTRACT_CHANGES)


def test_the_document_is_rendered_from_the_contract():
    path = settings.PROJECT_DIR / "docs" / "data-contracts.md"
    assert not contract_doc.update(path, write=False), "docs/data-contracts.md is stale: run `make contracts`"
    text = path.read_text(encoding="utf-8")
    for table in RAW_TABLES:
        assert f"<!-- generated:columns.{table.name} -->" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text


def test_the_raw_suites_are_rendered_from_the_contract_and_check_only_what_the_loader_cannot():
    assert not raw_suites.update(write=False), "expectations/raw/ is stale: run `make contracts`"
    for table in RAW_TABLES:
        path = settings.EXPECTATIONS_DIR / "raw" / f"{table.name}.json"
        assert path.exists() == bool(table.delivery_checks), path
        if path.exists():
            suite = json.loads(path.read_text(encoding="utf-8"))
            assert {e["type"] for e in suite["expectations"]} == {"unexpected_rows_expectation"}
            assert [e["meta"]["check"] for e in suite["expectations"]] == [c.name for c in table.delivery_checks]


def test_the_renderer_refuses_a_document_without_its_sections(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("# nothing generated here\n", encoding="utf-8")
    with pytest.raises(KeyError, match="lacks the generated section"):
        contract_doc.update(path, write=False)


def test_landed_files_follow_the_layout_and_include_parts(tmp_path):
    day = dt.date(2026, 11, 3)
    folder = tmp_path / "tax" / "delivery_date=2026-11-03"
    folder.mkdir(parents=True)
    names = [
        "tax_filings_20261103.csv",
        "tax_filings_20261103_part_2.csv",
        "tax_credit_ratings_20261103.csv",
        "tax_filings_20261103.CSV",
        "tax_filings_20261103_Part2.csv",
        "notes.txt",
        "tax_filings.csv",
        "tax_filings_20261102.csv",
    ]  # the date in the name must be the delivery date
    for name in names:
        (folder / name).write_text("x\n")
    (tmp_path / "tax" / "2026-11-04").mkdir()  # not a delivery folder
    found = [(f.table.name, f.path.name, f.delivery_date) for f in landed_files(tmp_path, "tax")]
    assert found == [
        ("tax_filings", "tax_filings_20261103.csv", day),
        ("tax_filings", "tax_filings_20261103_part_2.csv", day),
        ("tax_credit_ratings", "tax_credit_ratings_20261103.csv", day),
    ]
    assert delivery_dates(tmp_path) == [day]
    assert [f.is_part for f in landed_files(tmp_path, "tax")] == [False, True, False]
    assert landed_files(tmp_path, "tax", up_to=day - dt.timedelta(days=1)) == []
    with pytest.raises(KeyError, match="unknown feed"):
        landed_files(tmp_path, "weather")

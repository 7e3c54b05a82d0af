"""The sample-data generator writes exactly the landing contract, consistently and reproducibly (tiny scale)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from sme_credit import uscc
from sme_credit.feeds import FEEDS, RAW_TABLES, delivery_dates, landed_files, table_by_name
from sme_credit.generate import SCALES, LandingNotEmpty, generate_world
from sme_credit.generate.vocab import REGIONS

SEED = 7
DIVISIONS = {"A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
             "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75),
             "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90)}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONEY = re.compile(r"^\d+\.\d{2}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    landing = tmp_path_factory.mktemp("generated") / "landing"
    summary = generate_world(landing, scale="tiny", seed=SEED, progress=None)
    return landing, summary


@pytest.fixture(scope="module")
def rows(world) -> dict[str, list[dict]]:
    """Every delivered row per table, with its delivery date under '_delivery'."""
    landing, _ = world
    out: dict[str, list[dict]] = defaultdict(list)
    for feed in FEEDS:
        for landed in landed_files(landing, feed):
            for row in _read(landed.path, landed.table.file_format):
                out[landed.table.name].append({**row, "_delivery": landed.delivery_date})
    return out


def _read(path: Path, file_format: str) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if file_format == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(text.splitlines()))


def _files(landing: Path) -> dict[str, bytes]:
    return {str(p.relative_to(landing.parent)): p.read_bytes() for p in landing.parent.rglob("*") if p.is_file()}


# --- layout and format ------------------------------------------------------------------------------------


def test_scales_are_defined():
    assert SCALES["tiny"].firms == 150 and SCALES["demo"].firms == 3_000 and SCALES["large"].firms == 100_000


def test_one_delivery_per_month_on_the_third(world):
    landing, summary = world
    expected = [dt.date(2024, 12, 3)] + [dt.date(2025 + (m // 12), m % 12 + 1, 3) for m in range(0, 23)]
    assert summary.delivery_dates == expected
    assert delivery_dates(landing) == expected
    assert summary.months == 24 and summary.firms == 150


def test_every_file_follows_the_contract_layout(world):
    landing, summary = world
    landed = {lf.path for feed in FEEDS for lf in landed_files(landing, feed)}
    on_disk = {p for p in landing.rglob("*") if p.is_file()}
    assert on_disk == landed, "files outside the contract layout"
    assert summary.files == len(on_disk)
    for path in on_disk:
        feed, folder, name = path.relative_to(landing).parts
        day = dt.date.fromisoformat(folder.removeprefix("delivery_date="))
        table = table_by_name(name.rsplit("_", 1)[0])
        assert table.feed == feed and name == table.file_name(day)


def test_every_table_is_delivered_every_time_except_ratings(world):
    landing, summary = world
    for day in summary.delivery_dates:
        for table in RAW_TABLES:
            path = landing / table.feed / f"delivery_date={day}" / table.file_name(day)
            assert path.exists() or table.name == "tax_credit_ratings", path
    ratings = sorted(landing.glob("tax/*/tax_credit_ratings_*.csv"))
    assert landing / "tax/delivery_date=2025-05-03/tax_credit_ratings_20250503.csv" in ratings
    assert len(ratings) < len(summary.delivery_dates)


def test_csv_headers_and_jsonl_keys_match_the_contract(world):
    landing, _ = world
    for feed in FEEDS:
        for landed in landed_files(landing, feed):
            raw = landed.path.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
            if landed.table.file_format == "csv":
                records = list(csv.reader(raw.decode("utf-8").splitlines()))
                assert tuple(records[0]) == landed.table.columns, landed.path
                assert all(len(r) == len(landed.table.columns) for r in records[1:]), landed.path
            else:
                for line in raw.decode("utf-8").splitlines():
                    assert tuple(json.loads(line)) == landed.table.columns


def test_summary_counts_the_rows_written(world, rows):
    _, summary = world
    assert summary.rows == {t.name: len(rows[t.name]) for t in RAW_TABLES}
    assert 20_000 < summary.rows["settlement_transactions"] < 120_000


def test_value_formats(rows):
    for row in rows["enterprise_master"]:
        assert DAY.match(row["established_date"]) and DAY.match(row["customer_since"])
        assert TIMESTAMP.match(row["updated_at"]) and MONEY.match(row["registered_capital"])
        assert re.fullmatch(r"1[358]\d{9}", row["legal_rep_phone"])
    for row in rows["tax_filings"]:
        assert re.fullmatch(r"\d{4}-\d{2}", row["tax_period"]) and DAY.match(row["filing_date"])
        assert all(MONEY.match(row[c]) for c in ("declared_sales", "vat_paid", "income_tax_paid"))
        assert row["is_late"] in ("0", "1") and row["is_zero_declaration"] in ("0", "1")
    for row in rows["utility_bills"]:
        assert MONEY.match(row["amount"]) and DAY.match(row["due_date"])
        assert row["paid_date"] == "" or DAY.match(row["paid_date"])
        assert (row["utility_type"], row["unit"]) in (("electricity", "kWh"), ("water", "m3"))
    for row in rows["settlement_transactions"]:
        assert TIMESTAMP.match(row["txn_ts"]) and MONEY.match(row["amount"]) and MONEY.match(row["balance_after"])
        assert row["direction"] in ("C", "D") and float(row["amount"]) > 0
        assert row["channel"] in ("COUNTER", "ONLINE", "MOBILE", "POS", "BATCH")
        assert re.fullmatch(r"\d{19}", row["account_no"])
    for row in rows["tax_credit_ratings"]:
        assert re.fullmatch(r"\d{4}", row["rating_year"]) and DAY.match(row["published_date"])


def test_court_records_values(world, rows):
    landing, _ = world
    records = rows["court_records"]
    assert records, "a tiny world over two years still has some court records"
    for r in records:
        assert r["record_type"] in ("case", "dishonest_debtor", "consumption_restriction")
        assert r["case_type"] in ("civil", "enforcement") and r["status"] in ("open", "closed")
        assert isinstance(r["amount"], float) and r["amount"] > 0
        assert (r["status"] == "closed") == (r["closing_date"] is not None)
        kind = "民初" if r["case_type"] == "civil" else "执"
        assert re.fullmatch(rf"\(\d{{4}}\)[\u4e00-\u9fff]\d{{4}}{kind}\d+号", r["case_number"]), r["case_number"]
        roles = ("plaintiff", "defendant") if r["case_type"] == "civil" else ("applicant", "respondent")
        assert r["party_role"] in roles
        if r["record_type"] != "case":
            assert r["party_role"] == "respondent" and r["case_type"] == "enforcement"
    # amounts are written with two decimals, as numbers
    text = "".join(p.read_text(encoding="utf-8") for p in landing.glob("court/*/*.jsonl"))
    assert re.search(r'"amount": \d+\.\d{2}[,}]', text) and not re.search(r'"amount": "', text)


def test_closed_records_are_redelivered_with_the_same_id(rows):
    by_id = defaultdict(list)
    for r in rows["court_records"]:
        by_id[r["record_id"]].append(r)
    for versions in by_id.values():
        assert len(versions) <= 2
        if len(versions) == 2:
            opened, closed = versions
            assert (opened["status"], closed["status"]) == ("open", "closed")
            assert opened["_delivery"] < closed["_delivery"] and opened["filing_date"] == closed["filing_date"]


# --- identifiers and references ---------------------------------------------------------------------------


def test_master_identifiers(world, rows):
    _, summary = world
    master = rows["enterprise_master"]
    firms = {}
    for row in master:
        assert uscc.is_valid(row["uscc"]), row["uscc"]
        assert row["uscc"][:2] in ("91", "92") and row["uscc"][2:8] == row["region_code"]
        assert uscc.is_valid_resident_id(row["legal_rep_id_number"])
        firms.setdefault(row["uscc"], row["enterprise_name"])
    assert len(firms) == summary.firms
    assert len(set(firms.values())) == len(firms), "enterprise names must be unique"
    for day in {row["_delivery"] for row in master}:
        usccs = [row["uscc"] for row in master if row["_delivery"] == day]
        assert len(usccs) == len(set(usccs)), f"uscc repeated inside the {day} delivery"
    first_rows = [row for row in master if row["_delivery"] == dt.date(2024, 12, 3)]
    assert all(row["customer_since"] <= "2024-11-30" for row in first_rows)
    resent = [row for row in master if row["_delivery"] > dt.date(2024, 12, 3) and row["customer_since"] < "2024-11-01"]
    assert all(row["updated_at"] > row["customer_since"] for row in resent)


def test_industry_and_region_codes(rows):
    regions = {r.code for r in REGIONS}
    for row in rows["enterprise_master"]:
        code = row["industry_code"]
        low, high = DIVISIONS[code[0]]
        assert len(code) == 3 and low <= int(code[1:]) <= high, code
        assert row["region_code"] in regions


def test_every_uscc_refers_to_a_firm_already_in_the_master(rows):
    first_seen = {}
    for row in rows["enterprise_master"]:
        first_seen.setdefault(row["uscc"], row["_delivery"])
    for table in ("tax_filings", "tax_credit_ratings", "utility_bills", "settlement_transactions"):
        for row in rows[table]:
            assert row["uscc"] in first_seen, (table, row["uscc"])
            assert first_seen[row["uscc"]] <= row["_delivery"], (table, row["uscc"])


def test_court_parties_are_customers_or_outsiders(rows):
    master = {row["uscc"]: row["enterprise_name"] for row in rows["enterprise_master"]}
    names = set(master.values())
    by_name_only = [r for r in rows["court_records"] if r["party_uscc"] is None]
    with_uscc = [r for r in rows["court_records"] if r["party_uscc"] is not None]
    assert by_name_only and with_uscc
    for r in with_uscc:
        assert uscc.is_valid(r["party_uscc"])
        if r["party_uscc"] in master:
            assert r["party_name"] == master[r["party_uscc"]]
        else:
            assert r["party_name"] not in names  # an outside firm with its own code
    # name-only records about customers spell the name a little differently; the outside parties do not match
    normalised = {_normalise(name) for name in names}
    about_customers = [r for r in by_name_only if _normalise(r["party_name"]) in normalised]
    assert about_customers and all(r["party_name"] not in names for r in about_customers)


def _normalise(name: str) -> str:
    return name.replace(" ", "").replace("(", "（").replace(")", "）").replace("有限责任公司", "有限公司")


def test_transaction_ids_are_unique_and_deterministic_in_form(rows):
    ids = [row["txn_id"] for row in rows["settlement_transactions"]]
    assert len(ids) == len(set(ids))
    assert all(row["txn_id"][:8] == row["txn_ts"][:10].replace("-", "") for row in rows["settlement_transactions"])


def test_bill_ids_are_unique_per_delivery_and_only_redelivered_once_paid(rows):
    by_id = defaultdict(list)
    for row in rows["utility_bills"]:
        by_id[row["bill_id"]].append(row)
    for day in {row["_delivery"] for row in rows["utility_bills"]}:
        ids = [row["bill_id"] for row in rows["utility_bills"] if row["_delivery"] == day]
        assert len(ids) == len(set(ids))
    redelivered = [v for v in by_id.values() if len(v) > 1]
    assert redelivered, "some bills are paid late and re-delivered"
    for first, second, *rest in redelivered:
        assert not rest and first["paid_date"] == "" and second["paid_date"] > first["due_date"]
        assert {k: v for k, v in first.items() if k not in ("paid_date", "_delivery")} == \
            {k: v for k, v in second.items() if k not in ("paid_date", "_delivery")}


# --- consistency and timing -------------------------------------------------------------------------------


def test_nothing_is_delivered_before_it_happened(rows):
    """The delivery on the 3rd of M+1 carries events of month M: no date may lie after its delivery."""
    def month_before(day: dt.date) -> str:
        return (day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")

    for row in rows["settlement_transactions"]:
        assert row["txn_ts"][:7] == month_before(row["_delivery"])
    for row in rows["tax_filings"]:
        assert row["filing_date"][:7] == month_before(row["_delivery"])
    for row in rows["utility_bills"]:
        assert row["billing_month"] < month_before(row["_delivery"])  # issued in the month after
        assert row["paid_date"] == "" or row["paid_date"][:7] <= month_before(row["_delivery"])
    for r in rows["court_records"]:
        latest = r["closing_date"] or r["filing_date"]
        assert latest[:7] == month_before(r["_delivery"])
    for row in rows["tax_credit_ratings"]:
        assert dt.date.fromisoformat(row["published_date"]) < row["_delivery"]


def test_tax_flags_agree_with_the_values(rows):
    late = 0
    for row in rows["tax_filings"]:
        year, month = map(int, row["tax_period"].split("-"))
        deadline = dt.date(year + month // 12, month % 12 + 1, 15)
        is_late = dt.date.fromisoformat(row["filing_date"]) > deadline
        assert row["is_late"] == ("1" if is_late else "0")
        assert row["is_zero_declaration"] == ("1" if float(row["declared_sales"]) == 0 else "0")
        late += is_late
    assert 0 < late < len(rows["tax_filings"]) / 3


def test_ratings_use_the_five_grades(rows):
    grades = [row["credit_rating"] for row in rows["tax_credit_ratings"]]
    assert set(grades) <= set("ABMCD") and {"A", "B"} <= set(grades)
    assert grades.count("B") > len(grades) / 2


def test_balances_run_consistently_across_files(rows):
    by_account = defaultdict(list)
    for row in rows["settlement_transactions"]:
        by_account[row["account_no"]].append(row)
    assert any(len({r["_delivery"] for r in txns}) > 12 for txns in by_account.values())
    for account, txns in by_account.items():
        txns.sort(key=lambda r: (r["txn_ts"], r["txn_id"]))
        cents = [round(float(r["balance_after"]) * 100) for r in txns]
        assert min(cents) >= 0, account
        for previous, row, balance, before in zip(txns, txns[1:], cents[1:], cents):
            amount = round(float(row["amount"]) * 100)
            assert balance - before == (amount if row["direction"] == "C" else -amount), (account, row["txn_id"])
        assert len({r["uscc"] for r in txns}) == 1


def test_ground_truth_lists_defaulting_customers(world, rows):
    landing, summary = world
    path = landing.parent / "ground_truth" / "defaults.csv"
    records = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert path.read_text(encoding="utf-8").startswith("uscc,default_date\n")
    assert len(records) == summary.defaults > 0
    master = {row["uscc"] for row in rows["enterprise_master"]}
    assert len({r["uscc"] for r in records}) == len(records)
    for r in records:
        assert uscc.is_valid(r["uscc"]) and r["uscc"] in master
        assert "2024-11-01" <= r["default_date"] <= "2026-10-31"


# --- reproducibility and safety ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_world(world, tmp_path):
    landing, _ = world
    again = tmp_path / "again" / "landing"
    generate_world(again, scale="tiny", seed=SEED, progress=None)
    assert _files(again) == _files(landing)
    other = tmp_path / "other" / "landing"
    generate_world(other, scale="tiny", seed=SEED + 1, progress=None)
    first, second = _files(landing), _files(other)
    assert first.keys() - {k for k in first if "tax_credit_ratings" in k} <= second.keys()
    assert first["ground_truth/defaults.csv"] != second["ground_truth/defaults.csv"]
    settlement = "landing/settlement/delivery_date=2025-06-03/settlement_transactions_20250603.csv"
    assert first[settlement] != second[settlement]


def test_refuses_a_landing_area_with_files_unless_replace(tmp_path):
    landing = tmp_path / "landing"
    stale = landing / "settlement" / "delivery_date=2030-01-03" / "settlement_transactions_20300103.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old\n")
    with pytest.raises(LandingNotEmpty, match="replace"):
        generate_world(landing, scale="tiny", seed=SEED, progress=None)
    assert stale.exists()
    messages = []
    generate_world(landing, scale="tiny", seed=SEED, progress=messages.append, replace=True)
    assert not stale.exists() and (tmp_path / "ground_truth" / "defaults.csv").exists()
    assert len(messages) == 24 + 2  # a line per month, plus a start and an end line


def test_unknown_scale_and_bad_month_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate_world(tmp_path / "a", scale="huge", progress=None)
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate_world(tmp_path / "b", scale="tiny", end_month="2026/10", progress=None)

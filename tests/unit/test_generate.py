"""The sample-data generator writes exactly the landing contract, consistently and reproducibly (tiny scale).

The statistics of the world (ratings, default rate, fake-trade signals) are checked on the demo scale in
test_world_statistics.py; the fault catalogue in test_faults.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from sme_credit.contract import uscc
from sme_credit.contract.feeds import FEEDS, RAW_TABLES, RawTable, delivery_dates, landed_files, table_by_name
from sme_credit_sample import SCALES, LandingNotEmpty, extend_world, generate_world
from sme_credit_sample.calendar import Window
from sme_credit_sample.economy import activity
from sme_credit_sample.firms import SHOCK_MONTHS, SHOCK_REGIONS, build_world
from sme_credit_sample.vocab import REGIONS
from sme_credit_sample.world import read_world_spec

SEED = 7
DIVISIONS = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
}
MONEY = re.compile(r"^-?\d+\.\d{2}$")
FIRST_MONTHLY = dt.date(2024, 12, 3)
END = dt.date(2026, 11, 3)


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
            for row in _read(landed.path, landed.table):
                out[landed.table.name].append({**row, "_delivery": landed.delivery_date})
    return out


def _read(path: Path, table: RawTable) -> list[dict]:
    text = path.read_text(encoding=table.encoding)
    if table.file_format == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(text.splitlines()))


def _files(landing: Path) -> dict[str, bytes]:
    return {str(p.relative_to(landing.parent)): p.read_bytes() for p in landing.parent.rglob("*") if p.is_file()}


# --- layout and format ------------------------------------------------------------------------------------


def test_scales_are_defined():
    assert SCALES["tiny"].firms == 150 and SCALES["demo"].firms == 3_000 and SCALES["large"].firms == 100_000


def test_monthly_feeds_arrive_on_the_third_and_settlement_every_day(world):
    landing, summary = world
    monthly = [dt.date(2024 + (11 + m) // 12, (11 + m) % 12 + 1, 3) for m in range(24)]
    assert monthly[0] == FIRST_MONTHLY and monthly[-1] == END
    daily = [dt.date(2024, 11, 2) + dt.timedelta(days=d) for d in range((END - dt.date(2024, 11, 2)).days + 1)]
    for feed in ("enterprise", "tax", "utilities", "court"):
        assert delivery_dates(landing, feed) == monthly, feed
    assert delivery_dates(landing, "settlement") == daily
    assert summary.delivery_dates == delivery_dates(landing) == daily
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
            if table.cadence == "monthly" and (day.day != 3 or day < FIRST_MONTHLY):
                continue
            path = landing / table.feed / f"delivery_date={day}" / table.file_name(day)
            assert path.exists() or table.name == "tax_credit_ratings", path
    ratings = sorted(landing.glob("tax/*/tax_credit_ratings_*.csv"))
    assert landing / "tax/delivery_date=2025-05-03/tax_credit_ratings_20250503.csv" in ratings
    assert len(ratings) < 24


def test_csv_headers_and_jsonl_keys_match_the_contract(world):
    landing, _ = world
    for feed in FEEDS:
        for landed in landed_files(landing, feed):
            raw = landed.path.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
            text = raw.decode(landed.table.encoding)
            if landed.table.file_format == "csv":
                records = list(csv.reader(text.splitlines()))
                assert tuple(records[0]) == landed.table.column_names, landed.path
                assert all(len(r) == len(landed.table.column_names) for r in records[1:]), landed.path
            else:
                for line in text.splitlines():
                    assert tuple(json.loads(line)) == landed.table.column_names


def test_court_files_are_gb18030_as_the_contract_declares(world):
    landing, _ = world
    court = [f.path.read_bytes() for f in landed_files(landing, "court")]
    assert table_by_name("court_records").encoding == "gb18030"
    assert any(content for content in court)
    for content in court:
        content.decode("gb18030")
        if content:
            with pytest.raises(UnicodeDecodeError):
                content.decode("utf-8")  # Chinese names in GB18030 are not valid UTF-8


def test_summary_counts_the_rows_written(world, rows):
    _, summary = world
    assert summary.rows == {t.name: len(rows[t.name]) for t in RAW_TABLES}
    assert 20_000 < summary.rows["settlement_transactions"] < 120_000


def test_every_value_follows_the_contract_rules(rows):
    """Types, required fields, allowed values, patterns, minimums and check characters, column by column."""
    for table in RAW_TABLES:
        assert rows[table.name], table.name
        for row in rows[table.name]:
            for column in table.columns:
                value = row[column.name]
                text = None if value in (None, "") else str(value)
                assert column.problem(text) is None, (table.name, column.name, value, column.problem(text))
    for row in rows["settlement_transactions"]:
        assert MONEY.match(row["amount"]) and MONEY.match(row["balance_after"])
    for row in rows["utility_bills"]:
        assert (row["utility_type"], row["unit"]) in (("electricity", "kWh"), ("water", "m3"))


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
    text = "".join(p.read_text(encoding="gb18030") for p in landing.glob("court/*/*.jsonl"))
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
    for table in ("tax_filings", "tax_credit_ratings", "utility_bills"):
        for row in rows[table]:
            assert row["uscc"] in first_seen, (table, row["uscc"])
            assert first_seen[row["uscc"]] <= row["_delivery"], (table, row["uscc"])
    # Settlement is daily, the master monthly: a new customer's first transactions may come up to a month earlier.
    for row in rows["settlement_transactions"]:
        day = row["_delivery"]
        next_master = (
            day
            if day.day == 3
            else (day.replace(day=1) + dt.timedelta(days=32)).replace(day=3)
            if day.day > 3
            else day.replace(day=3)
        )
        assert first_seen[row["uscc"]] <= max(next_master, FIRST_MONTHLY), row["uscc"]


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
        assert {k: v for k, v in first.items() if k not in ("paid_date", "_delivery")} == {
            k: v for k, v in second.items() if k not in ("paid_date", "_delivery")
        }


# --- consistency and timing -------------------------------------------------------------------------------


def test_nothing_is_delivered_before_it_happened(rows):
    """The delivery on the 3rd of M+1 carries events of month M, the settlement file of day D those of D-1."""

    def month_before(day: dt.date) -> str:
        return (day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")

    for row in rows["settlement_transactions"]:
        assert row["txn_ts"][:10] == (row["_delivery"] - dt.timedelta(days=1)).isoformat()
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
        for row, balance, before in zip(txns[1:], cents[1:], cents):
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
        assert "2024-11-01" <= r["default_date"] < END.isoformat()


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
    assert len(messages) == 25 + 2  # a line per month (the last one only for settlement), a start and an end line


def test_unknown_scale_and_bad_month_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown scale"):
        generate_world(tmp_path / "a", scale="huge", progress=None)
    with pytest.raises(ValueError, match="at least 1"):
        generate_world(tmp_path / "b", scale="tiny", months=0, progress=None)
    with pytest.raises(ValueError, match="Spring Festival"):
        generate_world(tmp_path / "c", scale="tiny", end_date=dt.date(2013, 5, 3), progress=None)


# --- daily increments -------------------------------------------------------------------------------------


def test_a_daily_increment_adds_the_next_day_and_changes_nothing_delivered(world, tmp_path):
    landing, _ = world
    before = _files(landing)
    once, twice = tmp_path / "once" / "landing", tmp_path / "twice" / "landing"
    for copy in (once, twice):
        shutil.copytree(landing.parent, copy.parent)
    summary = extend_world(once, days=2, progress=None)
    extend_world(twice, days=1, progress=None)
    extend_world(twice, days=1, progress=None)

    assert _files(once) == _files(twice), "two one-day increments equal one two-day increment"
    assert summary.delivery_dates == [dt.date(2026, 11, 4), dt.date(2026, 11, 5)]
    after = _files(once)
    delivered_before = {k: v for k, v in before.items() if k.startswith("landing/")}
    assert {k: after[k] for k in delivered_before} == delivered_before, "delivered files never change"
    new = sorted(k for k in after if k.startswith("landing/") and k not in delivered_before)
    assert new == [
        "landing/settlement/delivery_date=2026-11-04/settlement_transactions_20261104.csv",
        "landing/settlement/delivery_date=2026-11-05/settlement_transactions_20261105.csv",
    ]
    rows = list(csv.DictReader(after[new[0]].decode().splitlines()))
    assert rows and {r["txn_ts"][:10] for r in rows} == {"2026-11-03"}
    assert read_world_spec(once).end_date == "2026-11-05"


def test_an_increment_across_the_third_brings_the_monthly_feeds(world, tmp_path):
    landing, _ = world
    copy = tmp_path / "copy" / "landing"
    shutil.copytree(landing.parent, copy.parent)
    summary = extend_world(copy, days=30, progress=None)
    assert summary.delivery_dates[-1] == dt.date(2026, 12, 3)
    for table in RAW_TABLES:
        if table.name != "tax_credit_ratings":
            assert (copy / table.feed / "delivery_date=2026-12-03" / table.file_name(dt.date(2026, 12, 3))).exists()
    assert summary.rows["tax_filings"] > 100 and summary.rows["utility_bills"] > 200


def test_increments_need_a_generated_world_and_stay_within_its_horizon(world, tmp_path):
    with pytest.raises(FileNotFoundError, match="world.json"):
        extend_world(tmp_path / "nothing" / "landing", progress=None)
    landing, _ = world
    copy = tmp_path / "copy" / "landing"
    shutil.copytree(landing.parent, copy.parent)
    with pytest.raises(ValueError, match="extended up to 2027-11-01"):
        extend_world(copy, days=400, progress=None)


# --- risk stories -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both_stories():
    """The firms of a 48-month demo world (enough defaults to count) under each story: drawn only, no feed."""
    window = Window.ending("2026-10", 48)
    return build_world(SEED, SCALES["demo"].firms, window), build_world(SEED, SCALES["demo"].firms, window, "shocks")


def test_the_shocks_story_tells_another_road_to_default_for_the_same_firms(both_stories):
    gradual, shocks = both_stories
    for name in ("uscc", "health", "region", "customer_since", "base_sales"):
        assert np.array_equal(getattr(gradual.firms, name), getattr(shocks.firms, name)), name
    assert not np.array_equal(gradual.firms.default_month, shocks.firms.default_month)

    # the gradual story announces every default with 4-9 months of distress, seen by every feed
    assert gradual.downturns == ()
    assert gradual.firms.distress_lead[gradual.firms.defaults].min() >= 4
    assert (gradual.firms.cash_distress_share == 1).all()
    # the shocks story: almost half come without warning, and most firms' sales and cash hide their distress
    defaulted = shocks.firms.defaults
    sudden = (shocks.firms.distress_lead[defaulted] == 0).mean()
    assert 0.35 < sudden < 0.55, sudden
    assert 0.5 < (shocks.firms.cash_distress_share < 1).mean() < 0.7


def test_a_regional_downturn_multiplies_its_firms_defaults_while_it_lasts(both_stories):
    _, shocks = both_stories
    firms, window = shocks.firms, shocks.window
    assert len(shocks.downturns) == SHOCK_REGIONS
    months = np.arange(window.first, window.last + 1)
    at_risk = firms.default_month[:, None] >= months[None, :]  # firm-months not yet in default
    struck = firms.default_month[:, None] == months[None, :]
    for region, first in shocks.downturns:
        assert window.first <= first and first + SHOCK_MONTHS - 1 <= window.last, "the deliveries show it"
        during = (firms.region == region)[:, None] & (months >= first) & (months < first + SHOCK_MONTHS)
        elsewhere = ~(firms.region == region)[:, None] & (months >= first) & (months < first + SHOCK_MONTHS)
        rate_during = struck[during].sum() / at_risk[during].sum()
        rate_elsewhere = struck[elsewhere].sum() / at_risk[elsewhere].sum()
        assert rate_during > 2 * rate_elsewhere, (region, rate_during, rate_elsewhere)


def test_firms_blind_in_cash_keep_their_sales_on_the_way_to_default(both_stories):
    _, shocks = both_stories
    firms = shocks.firms
    # the month before a warned default, when distress is near its peak: real sales against trend sales
    warned = np.flatnonzero(firms.defaults & (firms.distress_lead >= 4) & (firms.default_month <= shocks.window.last))
    months = {int(m) - 1: activity(shocks, int(m) - 1) for m in np.unique(firms.default_month[warned])}
    kept = {
        firm: months[month - 1].sales[firm] / months[month - 1].expected_sales[firm]
        for firm, month in zip(warned.tolist(), firms.default_month[warned].tolist())
    }
    blind = np.median([share for firm, share in kept.items() if firms.cash_distress_share[firm] < 1])
    seen = np.median([share for firm, share in kept.items() if firms.cash_distress_share[firm] == 1])
    assert blind > 0.85 and seen < 0.7, (blind, seen)


def test_the_risk_story_is_kept_by_increments_and_unknown_ones_are_refused(tmp_path):
    landing = tmp_path / "shocks" / "landing"
    generate_world(landing, scale="tiny", seed=SEED, months=3, risk_story="shocks", progress=None)
    extend_world(landing, days=1, progress=None)
    assert read_world_spec(landing).risk_story == "shocks"
    with pytest.raises(ValueError, match="unknown risk story"):
        generate_world(tmp_path / "other" / "landing", scale="tiny", risk_story="sudden", progress=None)

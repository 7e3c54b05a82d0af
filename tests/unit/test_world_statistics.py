"""The demo world behaves like the real thing: its statistics, read from the delivered files as the pipeline would
see them, match public figures, and its hidden risk shows in the feeds before it happens.

The hidden side (which firms fake trade, who defaults when) comes from the ground truth and the world model,
which only tests and backtests may read.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sme_credit.feeds import landed_files
from sme_credit.generate import SCALES, generate_world
from sme_credit.generate.firms import build_world
from sme_credit.generate.world import read_world_spec

SEED = 42


def _table(landing: Path, feed: str, name: str) -> pd.DataFrame:
    frames = []
    for landed in landed_files(landing, feed):
        if landed.table.name != name or not landed.path.stat().st_size:
            continue
        if landed.table.file_format == "jsonl":
            text = landed.path.read_text(encoding=landed.table.encoding)
            frame = pd.DataFrame([json.loads(line) for line in text.splitlines()])
        else:
            frame = pd.read_csv(landed.path, dtype=str, encoding=landed.table.encoding, keep_default_na=False)
        frames.append(frame.assign(_delivery=landed.delivery_date.isoformat()))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate_world(landing, scale="demo", seed=SEED, progress=None)
    spec = read_world_spec(landing)
    model = build_world(SEED, SCALES["demo"].firms, spec.window)
    settlement = _table(landing, "settlement", "settlement_transactions")
    settlement["amount"] = settlement["amount"].astype(float)
    settlement["month"] = settlement["txn_ts"].str[:7]
    master = _table(landing, "enterprise", "enterprise_master")
    owners = set(master["legal_rep_name"])
    defaults = pd.read_csv(landing.parent / "ground_truth" / "defaults.csv", parse_dates=["default_date"])
    return {
        "landing": landing,
        "end": dt.date.fromisoformat(spec.end_date),
        "window_start": pd.Timestamp(spec.window_first + "-01"),
        "fake": set(model.firms.uscc[model.firms.fake_trade].tolist()),
        "master": master.drop_duplicates("uscc", keep="first"),
        # money in from the firm's business: not the owner paying in to cover a gap
        "inflow": settlement[(settlement.direction == "C") & ~settlement.counterparty_name.isin(owners)],
        "settlement": settlement,
        "bills": _table(landing, "utilities", "utility_bills").drop_duplicates("bill_id", keep="last"),
        "filings": _table(landing, "tax", "tax_filings"),
        "ratings": _table(landing, "tax", "tax_credit_ratings").drop_duplicates(["uscc", "rating_year"]),
        "court": _table(landing, "court", "court_records"),
        "defaults": defaults,
    }


def _monthly_power(world) -> pd.Series:
    bills = world["bills"]
    power = bills[bills.utility_type == "electricity"].assign(kwh=lambda b: b.consumption.astype(float))
    return power.groupby(["uscc", "billing_month"]).kwh.sum().rename_axis(["uscc", "month"])


def test_tax_credit_ratings_follow_the_national_distribution(world):
    """2021: A 8.3 %, B+M 82.6 %, C+D 9.1 % of rated firms."""
    ratings = world["ratings"]
    latest = ratings[ratings.rating_year == ratings.rating_year.max()]
    share = latest.credit_rating.value_counts(normalize=True)
    assert len(latest) > 2_000
    assert 0.05 <= share.get("A", 0) <= 0.11
    assert 0.76 <= share.get("B", 0) + share.get("M", 0) <= 0.89
    assert 0.06 <= share.get("C", 0) + share.get("D", 0) <= 0.14


def test_yearly_default_rate_is_a_few_percent_and_higher_in_manufacturing_trade_and_construction(world):
    master, defaults = world["master"], world["defaults"]
    firms = master.merge(defaults, on="uscc", how="left")
    start = pd.to_datetime(firms.customer_since).clip(lower=world["window_start"])
    stop = firms.default_date.fillna(pd.Timestamp(world["end"]))
    firms["years"] = ((stop - start).dt.days.clip(lower=0)) / 365.25
    firms["defaulted"] = firms.default_date.notna()
    rate = firms.defaulted.sum() / firms.years.sum()
    assert 0.02 <= rate <= 0.05, f"yearly default rate {rate:.3f}"
    by_section = firms.groupby(firms.industry_code.str[0].isin(["C", "E", "F"]))[["defaulted", "years"]].sum()
    rates = by_section.defaulted / by_section.years
    risky, other = rates.loc[True], rates.loc[False]
    assert risky > 1.3 * other


def test_inflows_move_with_power_use_except_at_fake_trade_firms(world):
    """Sales drive both; round-tripped money of fake-trade firms does not use electricity."""
    inflow = world["inflow"].groupby(["uscc", "month"]).amount.sum()
    joined = pd.concat([inflow.rename("inflow"), _monthly_power(world).rename("kwh")], axis=1).dropna()
    counted = joined.groupby("uscc").filter(lambda firm: len(firm) >= 12)
    correlation = counted.groupby("uscc").apply(lambda firm: firm.inflow.corr(firm.kwh)).dropna()
    fake = correlation.index.isin(world["fake"])
    assert fake.sum() >= 50 and (~fake).sum() >= 2_000
    normal_median, fake_median = correlation[~fake].median(), correlation[fake].median()
    assert normal_median >= 0.6, normal_median
    assert fake_median <= 0.4, fake_median
    assert normal_median - fake_median >= 0.4


def test_fake_trade_inflows_far_exceed_declared_sales(world):
    year = world["filings"][world["filings"].tax_period.between("2025-10", "2026-09")]
    declared = year.assign(sales=year.declared_sales.astype(float)).groupby("uscc").sales.sum()
    inflow = world["inflow"][world["inflow"].month.between("2025-10", "2026-09")].groupby("uscc").amount.sum()
    ratio = (inflow / declared[declared > 0]).dropna()
    fake = ratio.index.isin(world["fake"])
    assert 1.0 <= ratio[~fake].median() <= 1.4  # receipts include VAT; some firms under-declare
    assert ratio[fake].median() >= 2.0


def test_distress_shows_in_every_feed_before_a_default(world):
    defaults = world["defaults"].set_index("uscc").default_date
    defaulted = set(defaults.index)
    assert len(defaulted) >= 100

    def before_default(frame: pd.DataFrame, day_column: str, days: int) -> pd.Series:
        when = pd.to_datetime(frame[day_column])
        due = frame.uscc.map(defaults)
        return (when < due) & (when >= due - pd.Timedelta(days=days))

    filings = world["filings"]
    late_before = (filings[before_default(filings, "filing_date", 180)].is_late == "1").mean()
    late_normal = (filings[~filings.uscc.isin(defaulted)].is_late == "1").mean()
    assert late_before > 3 * late_normal

    bills = world["bills"]
    unpaid_before = bills[before_default(bills, "due_date", 180)].paid_date.eq("").mean()
    unpaid_normal = bills[~bills.uscc.isin(defaulted)].paid_date.eq("").mean()
    assert unpaid_before > 5 * unpaid_normal

    court = world["court"]
    sued = court[court.party_role.isin(["defendant", "respondent"]) & court.party_uscc.notna()]
    sued = sued.rename(columns={"party_uscc": "uscc"})
    sued_before = sued[before_default(sued, "filing_date", 365)].uscc.nunique() / len(defaulted)
    sued_normal = sued[~sued.uscc.isin(defaulted)].uscc.nunique() / (len(world["master"]) - len(defaulted))
    assert sued_before > 3 * sued_normal

    monthly = world["inflow"].groupby(["uscc", "month"]).amount.sum().reset_index()
    monthly = monthly[monthly.uscc.isin(defaulted)]
    months_before = (monthly.uscc.map(defaults).dt.to_period("M") - pd.PeriodIndex(monthly.month, freq="M"))
    monthly["lead"] = months_before.apply(lambda offset: offset.n)
    near = monthly[monthly.lead.between(1, 3)].groupby("uscc").amount.mean()
    far = monthly[monthly.lead.between(7, 12)].groupby("uscc").amount.mean()
    assert (near / far).dropna().median() < 0.85, "inflows fall in the months before a default"

    ratings = world["ratings"].copy()
    ratings = ratings[pd.to_datetime(ratings.published_date) < ratings.uscc.map(defaults).fillna(pd.Timestamp.max)]
    rank = ratings.assign(points=ratings.credit_rating.map({"A": 4, "B": 3, "M": 3, "C": 2, "D": 1}))
    rank = rank.sort_values(["uscc", "rating_year"])
    downgraded = rank.groupby("uscc").points.apply(lambda points: bool((points.diff() < 0).any()))
    in_default = downgraded.index.isin(defaulted)
    assert downgraded[in_default].mean() > 1.5 * downgraded[~in_default].mean()


def test_the_spring_festival_empties_factories(world):
    power = _monthly_power(world).groupby(level="month").sum()
    assert power["2026-02"] < 0.8 * (power["2026-01"] + power["2026-03"]) / 2
    assert power["2025-02"] < 0.8 * (power["2025-01"] + power["2025-03"]) / 2


def test_some_firms_hold_several_accounts(world):
    accounts = world["settlement"].groupby("uscc").account_no.nunique()
    assert 0.1 <= (accounts > 1).mean() <= 0.5
    assert world["settlement"].groupby("account_no").uscc.nunique().max() == 1


def test_about_a_third_of_court_records_about_customers_give_only_a_name(world):
    def normalise(name: str) -> str:
        return name.replace(" ", "").replace("(", "（").replace(")", "）").replace("有限责任公司", "有限公司")

    customers = {normalise(name) for name in world["master"].enterprise_name}
    court = world["court"]
    about_customers = court[court.party_name.map(normalise).isin(customers)]
    name_only = about_customers.party_uscc.isna().mean()
    assert 0.2 <= name_only <= 0.4, name_only
    spelled_differently = about_customers[about_customers.party_uscc.isna()]
    assert not spelled_differently.party_name.isin(set(world["master"].enterprise_name)).any()


def test_settlement_volume_matches_the_scale(world):
    rows = len(world["settlement"])
    assert 600_000 <= rows <= 1_200_000, rows
    per_firm_month = rows / len(world["master"]) / 24
    assert np.isfinite(per_firm_month) and 5 <= per_firm_month <= 25

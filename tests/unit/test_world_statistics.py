"""The demo world behaves like the real thing: its statistics, read from the delivered files as the pipeline would
see them, match public figures, and its hidden risk shows in the feeds before it happens.

The figures come from `sme_credit_sample.statistics` (also printed by `make world-stats`).
"""

from __future__ import annotations

import pytest

from sme_credit_sample import generate_world
from sme_credit_sample.statistics import measure


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict:
    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate_world(landing, scale="demo", seed=42, progress=None)
    return measure(landing)


def test_tax_credit_ratings_follow_the_national_distribution(figures):
    """2021: A 8.3 %, B+M 82.6 %, C+D 9.1 % of rated firms."""
    ratings = figures["ratings"]
    assert ratings["firms"] > 2_000
    assert 0.05 <= ratings["A"] <= 0.11
    assert 0.76 <= ratings["B+M"] <= 0.89
    assert 0.06 <= ratings["C+D"] <= 0.14


def test_yearly_default_rate_is_a_few_percent_and_higher_in_manufacturing_trade_and_construction(figures):
    defaults = figures["defaults"]
    assert defaults["defaults"] >= 100
    assert 0.02 <= defaults["yearly"] <= 0.05
    assert defaults["yearly_CEF"] > 1.3 * defaults["yearly_other"]


def test_inflows_move_with_power_use_except_at_fake_trade_firms(figures):
    """Sales drive both; round-tripped money of fake-trade firms uses no electricity."""
    correlation = figures["inflow_power_correlation"]
    assert correlation["fake_firms"] >= 50 and correlation["normal_firms"] >= 2_000
    assert correlation["normal_median"] >= 0.6
    assert correlation["fake_median"] <= 0.4
    assert correlation["normal_median"] - correlation["fake_median"] >= 0.4


def test_fake_trade_inflows_far_exceed_declared_sales(figures):
    ratio = figures["inflow_to_declared_sales"]
    assert 1.0 <= ratio["normal_median"] <= 1.4  # receipts include VAT; some firms under-declare
    assert ratio["fake_median"] >= 2.0


def test_distress_shows_in_every_feed_before_a_default(figures):
    signs = figures["distress"]
    assert signs["late_filing_share_6m_before"] > 3 * signs["late_filing_share_never_default"]
    assert signs["unpaid_bill_share_6m_before"] > 5 * signs["unpaid_bill_share_never_default"]
    assert signs["sued_share_12m_before"] > 3 * signs["sued_share_never_default"]
    assert signs["inflow_1_3m_before_vs_7_12m_median"] < 0.85
    assert signs["downgraded_share_before_default"] > 1.5 * signs["downgraded_share_never_default"]


def test_the_spring_festival_empties_factories(figures):
    dips = figures["spring_festival_power"]
    assert set(dips) == {"2025-02", "2026-02"}
    assert all(ratio < 0.8 for ratio in dips.values()), dips


def test_some_firms_hold_several_accounts(figures):
    assert 0.1 <= figures["accounts"]["share_with_several"] <= 0.5
    assert figures["accounts"]["holders_per_account_max"] == 1


def test_about_a_third_of_court_records_about_customers_give_only_a_name(figures):
    assert 0.2 <= figures["court_name_only_share"] <= 0.4


def test_settlement_volume_matches_the_scale(figures):
    assert figures["firms"] == 3_000
    assert 600_000 <= figures["settlement_rows"] <= 1_200_000

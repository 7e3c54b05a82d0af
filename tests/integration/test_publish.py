"""Publishing into tracking.candidates on a real PostgreSQL: the risk team's status is never overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.publish import tracking

D1, D2 = dt.date(2026, 10, 3), dt.date(2026, 11, 3)


@pytest.fixture
def engine(fresh_db):
    engine = warehouse.engine()
    with engine.begin() as conn:
        conn.execute(text("create schema marts"))
        conn.execute(
            text(
                "create table marts.precredit_candidates (uscc text, as_of_date date, enterprise_name text, "
                "risk_tier text, score integer, suggested_limit numeric, suggested_term_months integer, "
                "suggested_product text, rate_band text)"
            )
        )
        conn.execute(
            text("create table marts.customer_risk_tiers (uscc text, as_of_date date, risk_tier text, score integer)")
        )
    return engine


def _day(engine, day, candidates, tiers):
    with engine.begin() as conn:
        for uscc, tier, score, limit in candidates:
            conn.execute(
                text(
                    "insert into marts.precredit_candidates "
                    "values (:u, :d, :n, :t, :s, :l, 12, 'settlement_flow_loan', 'B')"
                ),
                {"u": uscc, "d": day, "n": f"firm {uscc}", "t": tier, "s": score, "l": limit},
            )
        for uscc, tier, score in tiers:
            conn.execute(
                text("insert into marts.customer_risk_tiers values (:u, :d, :t, :s)"),
                {"u": uscc, "d": day, "t": tier, "s": score},
            )


def _tracked(engine):
    with engine.connect() as conn:
        return {row.uscc: row for row in conn.execute(text("select * from tracking.candidates"))}


def test_new_candidates_start_as_new_and_status_is_never_overwritten(engine):
    _day(
        engine,
        D1,
        [("A", "steady", 620, 100000), ("B", "high_potential", 720, 300000)],
        [("A", "steady", 620), ("B", "high_potential", 720), ("C", "risk_warning", 400)],
    )
    first = tracking.publish_candidates(engine, D1, log=lambda _: None)
    assert first["new"] == 2 and first["candidates"] == 2
    tracked = _tracked(engine)
    assert set(tracked) == {"A", "B"} and {r.status for r in tracked.values()} == {"new"}

    with engine.begin() as conn:  # the risk team works the list
        conn.execute(text("update tracking.candidates set status = 'contacted' where uscc = 'A'"))

    _day(engine, D2, [("A", "high_potential", 710, 250000)], [("A", "high_potential", 710), ("B", "risk_warning", 450)])
    second = tracking.publish_candidates(engine, D2, log=lambda _: None)
    assert second["new"] == 0 and second["updated"] == 1
    tracked = _tracked(engine)
    assert tracked["A"].status == "contacted"
    assert (tracked["A"].first_qualified_date, tracked["A"].last_qualified_date) == (D1, D2)
    assert tracked["A"].suggested_limit == 250000 and tracked["A"].current_tier == "high_potential"
    # B no longer qualifies, but the team must see that it slid into risk_warning.
    assert tracked["B"].current_tier == "risk_warning" and tracked["B"].last_qualified_date == D1


def test_republishing_a_date_changes_nothing_and_older_dates_do_not_win(engine):
    _day(engine, D1, [("A", "steady", 620, 100000)], [("A", "steady", 620)])
    _day(engine, D2, [("A", "high_potential", 710, 250000)], [("A", "high_potential", 710)])
    tracking.publish_candidates(engine, D2, log=lambda _: None)
    before = _tracked(engine)["A"]

    assert tracking.publish_candidates(engine, D2, log=lambda _: None)["updated"] == 0
    assert _tracked(engine)["A"].updated_at == before.updated_at

    tracking.publish_candidates(engine, D1, log=lambda _: None)  # a backfill of an older date
    after = _tracked(engine)["A"]
    assert after.first_qualified_date == D1 and after.last_qualified_date == D2
    assert (after.current_tier, after.suggested_limit, after.tier_as_of_date) == ("high_potential", 250000, D2)


def test_a_firm_first_tracked_by_a_backfilled_date_gets_the_latest_tier(engine):
    _day(engine, D2, [("A", "high_potential", 710, 250000)], [("A", "high_potential", 710), ("C", "risk_warning", 410)])
    tracking.publish_candidates(engine, D2, log=lambda _: None)
    _day(engine, D1, [("C", "steady", 640, 80000)], [("A", "steady", 620), ("C", "steady", 640)])
    tracking.publish_candidates(engine, D1, log=lambda _: None)  # a backfill: C qualified on D1 only

    tracked = _tracked(engine)
    assert (tracked["C"].first_qualified_date, tracked["C"].last_qualified_date) == (D1, D1)
    assert tracked["C"].suggested_limit == 80000  # the terms of its (only) qualification
    assert (tracked["C"].current_tier, tracked["C"].current_score, tracked["C"].tier_as_of_date) == (
        "risk_warning",
        410,
        D2,
    )
    assert (tracked["A"].current_tier, tracked["A"].tier_as_of_date) == ("high_potential", D2)

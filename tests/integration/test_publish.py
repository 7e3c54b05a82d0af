"""Publishing into tracking.candidates on a real PostgreSQL: the risk team's status is never overwritten, firms
that stop qualifying are flagged with a reason, and every change is an event; the lifecycle refuses what it does
not allow."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from sme_credit.errors import CandidateStatusError
from sme_credit.publish import lifecycle, tracking

D1, D2 = dt.date(2026, 10, 3), dt.date(2026, 11, 3)


@pytest.fixture
def engine(marts_stand_in):
    return marts_stand_in


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

    lifecycle.set_status(engine, "A", "contacted", "Wang Fang")  # the risk team works the list

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


def _events(engine, uscc):
    return [(e["event_type"], e["actor"], e["before"], e["after"]) for e in lifecycle.events(engine, uscc)]


def test_a_firm_that_stops_qualifying_is_flagged_with_its_reason_and_every_change_is_an_event(engine):
    _day(engine, D1, [("A", "steady", 620, 100000), ("B", "steady", 600, 90000)], [("A", "steady", 620)])
    tracking.publish_candidates(engine, D1, log=lambda _: None)
    D3 = dt.date(2026, 12, 3)
    _day(engine, D2, [], [("A", "steady", 622), ("B", "risk_warning", 430)])
    with engine.begin() as conn:
        conn.execute(
            text("insert into marts.precredit_pool values ('A', :d, 'watch', 'no_utility_arrears')"), {"d": D2}
        )
    summary = tracking.publish_candidates(engine, D2, log=lambda _: None)
    assert summary["flagged_not_qualifying"] == 2
    tracked = _tracked(engine)
    assert set(tracked) == {"A", "B"}  # flagged, never removed
    assert (tracked["A"].not_qualifying_since, tracked["A"].not_qualifying_reason) == (
        D2,
        "on watch: misses no_utility_arrears",
    )
    assert tracked["B"].not_qualifying_reason == "tier risk_warning is not open to pre-credit"
    assert tracked["A"].status == tracked["B"].status == "new"  # the pipeline never writes status

    # A comes to meet its condition: re-qualified from watch, with new terms
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into marts.precredit_candidates values ('A', :d, 'firm A', 'steady', 630, 120000, 12, "
                "'settlement_flow_loan', 'B', true, 'no_utility_arrears')"
            ),
            {"d": D3},
        )
        conn.execute(text("insert into marts.customer_risk_tiers values ('A', :d, 'steady', 630)"), {"d": D3})
    tracking.publish_candidates(engine, D3, log=lambda _: None)
    assert _tracked(engine)["A"].not_qualifying_since is None
    assert [event[0] for event in _events(engine, "A")] == [
        "qualified",
        "tier_changed",  # 620 -> 622 on D2
        "no_longer_qualifies",
        "requalified",
        "triggered_from_watch",
        "terms_changed",
        "tier_changed",
    ]
    no_longer = _events(engine, "A")[2]
    assert no_longer[1] == "pipeline" and no_longer[3]["reason"] == "on watch: misses no_utility_arrears"
    terms = _events(engine, "A")[5]
    assert (terms[2]["limit"], terms[3]["limit"]) == (100000, 120000)

    # re-publishing every date, in any order, records nothing more
    count = len(lifecycle.events(engine, "A")) + len(lifecycle.events(engine, "B"))
    for day in (D2, D1, D3):
        assert tracking.publish_candidates(engine, day, log=lambda _: None)["events"] == 0
    assert len(lifecycle.events(engine, "A")) + len(lifecycle.events(engine, "B")) == count


def test_status_changes_follow_the_lifecycle_and_the_history_is_append_only(engine):
    _day(engine, D1, [("A", "steady", 620, 100000)], [("A", "steady", 620)])
    tracking.publish_candidates(engine, D1, log=lambda _: None)

    change = lifecycle.set_status(engine, "A", "contacted", "Li Lei", note="called, interested in 300k")
    assert (change.previous_status, change.status) == ("new", "contacted")
    refused = "cannot change A from contacted to approved; from contacted it can go to: applied, closed, not_interested"
    with pytest.raises(CandidateStatusError, match=refused):
        lifecycle.set_status(engine, "A", "approved", "Li Lei")
    with pytest.raises(CandidateStatusError, match="unknown status 'won'; the statuses are: applied, approved"):
        lifecycle.set_status(engine, "A", "won", "Li Lei")
    with pytest.raises(CandidateStatusError, match="=cmd"):  # not a status: refused, and named as given
        lifecycle.set_status(engine, "A", "=cmd|'/C calc'!A0", "Li Lei")
    with pytest.raises(CandidateStatusError, match="no tracked candidate has USCC Z"):
        lifecycle.set_status(engine, "Z", "contacted", "Li Lei")
    with pytest.raises(CandidateStatusError, match="give a name"):
        lifecycle.set_status(engine, "A", "applied", "  ")
    lifecycle.set_status(engine, "A", "contacted", "Li Lei", note="sent the documents list")

    tracked = _tracked(engine)["A"]
    assert (tracked.status, tracked.status_changed_by) == ("contacted", "Li Lei")
    people = [e for e in _events(engine, "A") if e[1] != "pipeline"]
    assert people == [
        ("status_changed", "Li Lei", {"status": "new"}, {"status": "contacted"}),
        ("note_added", "Li Lei", None, None),
    ]
    # nobody, not even the table's owner, rewrites history, and a status outside the seed cannot be stored
    for statement in ("update tracking.candidate_events set actor = 'x'", "delete from tracking.candidate_events"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with pytest.raises(Exception, match="candidates_status_fkey"), engine.begin() as conn:
        conn.execute(text("update tracking.candidates set status = 'whatever'"))

"""One build at a time: the lease on a real PostgreSQL, as two build runs (a backfill's and the daily one) meet."""

from __future__ import annotations

import datetime as dt

from sme_credit import warehouse
from sme_credit.orchestration import build_lease

DAY = dt.date(2026, 10, 30)


def test_a_second_build_waits_until_the_first_gives_the_lease_back(fresh_db):
    engine = warehouse.engine_for(fresh_db)
    active = {("sme_credit_build", "backfill__1"), ("sme_credit_build", "asset_triggered__2")}
    is_active = lambda dag_id, run_id: (dag_id, run_id) in active  # noqa: E731
    quiet = lambda _: None  # noqa: E731

    assert build_lease.claim(engine, "sme_credit_build", "backfill__1", DAY, is_active, quiet) is None
    holder = build_lease.claim(engine, "sme_credit_build", "asset_triggered__2", DAY, is_active, quiet)
    assert holder is not None and holder.run_id == "backfill__1" and holder.as_of_date == DAY
    assert "backfill__1 (building 2026-10-30" in str(holder)
    # the holder's retry takes its own lease again
    assert build_lease.claim(engine, "sme_credit_build", "backfill__1", DAY, is_active, quiet) is None
    # the other run does not give back a lease it does not hold
    assert not build_lease.release(engine, "sme_credit_build", "asset_triggered__2", quiet)
    assert build_lease.release(engine, "sme_credit_build", "backfill__1", quiet)
    assert build_lease.claim(engine, "sme_credit_build", "asset_triggered__2", DAY, is_active, quiet) is None


def test_a_lease_whose_run_has_ended_is_taken_over(fresh_db):
    engine = warehouse.engine_for(fresh_db)
    said = []
    assert build_lease.claim(engine, "sme_credit_build", "killed", DAY, lambda *_: True, said.append) is None
    # the run was killed before its teardown ran: Airflow no longer has it queued or running
    assert build_lease.claim(engine, "sme_credit_build", "next", DAY, lambda *_: False, said.append) is None
    assert any("taking over the build lease from sme_credit_build run killed" in line for line in said)
    assert not build_lease.release(engine, "sme_credit_build", "killed", said.append)


def test_releasing_before_any_claim_is_harmless(fresh_db):
    assert not build_lease.release(warehouse.engine_for(fresh_db), "sme_credit_build", "manual__1", lambda _: None)

"""The dbt project's hand-made development rows load through the loader's own DDL and build into the marts the
fixture's header promises."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.transform import dbt_runner
from sme_credit_dev.dev_fixture import FIXTURE_LOAD_ID, load_dev_fixture

F1, F4, F6, F7 = "91310115MA1K4C2X8T", "91440115MA5CWL8R2K", "91320106MA1XK6P73H", "91310115MA1H9TQ246"


@pytest.fixture
def fixture_db(server_url, monkeypatch):
    database = "test_dev_fixture"
    counts = load_dev_fixture(server_url, database, log=lambda _: None)
    url = warehouse.create_database(server_url, database)
    for name, value in settings.libpq_env(url).items():
        monkeypatch.setenv(name, value)
    yield url, counts
    warehouse.drop_database(server_url, database)


def test_the_fixture_loads_through_the_loader_tables_and_builds_the_cases_it_names(fixture_db):
    url, counts = fixture_db
    assert counts["enterprise_master"] == 9 and counts["settlement_transactions"] > 5_000
    assert all(rows > 0 for rows in counts.values()), counts
    engine = warehouse.engine_for(url)
    with engine.connect() as conn:
        load_ids = conn.execute(text("select distinct _load_id from raw.settlement_transactions")).scalars().all()
    assert load_ids == [FIXTURE_LOAD_ID]

    dbt_runner.run_dbt("build", "--quiet", "--vars", "{as_of_date: '2026-11-03'}")
    with engine.connect() as conn:
        tiers = dict(conn.execute(text("select uscc, knock_out from marts_build.customer_risk_tiers")).tuples().all())
        products = dict(
            conn.execute(text("select uscc, suggested_product from marts_build.precredit_candidates")).tuples().all()
        )
        # the transaction re-delivered on 2026-09-20 (rows of no manifest load): its first version is superseded
        superseded = conn.execute(
            text(
                "select delivered_on::text, superseded_on::text "
                "from pii.int_settlement_transactions_deduplicated where superseded_on is not null"
            )
        ).all()
        # each delivery's earliest booking day, among its own transactions and those it superseded
        deliveries = dict(
            conn.execute(text("select delivered_on, earliest_booking_date from intermediate.int_settlement_deliveries"))
            .tuples()
            .all()
        )
        touched = dict(
            conn.execute(
                text(
                    "select touched, min(booking_date) from pii.int_settlement_transactions_deduplicated, "
                    "lateral (values (delivered_on), (superseded_on)) as days(touched) "
                    "where touched is not null group by touched"
                )
            )
            .tuples()
            .all()
        )
    engine.dispose()
    assert len(superseded) == 1 and superseded[0][1] == "2026-09-20", superseded
    assert deliveries == touched
    assert tiers[F4] and tiers[F6], "the dishonest debtor and the open enforcement case are knocked out"
    assert not tiers[F1], "a renamed firm and a dishonest-debtor entry delivered after the as-of date do not count"
    assert products.get(F1) == "unsecured_tax_loan"
    assert F7 in tiers, "a firm that entered the master before the as-of date is scored"

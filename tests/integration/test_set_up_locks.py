"""The daily set-up steps leave a set-up warehouse's tables alone: the ingest's `prepare_warehouse` (raw, audit, the
PII key, tracking, the reader roles), the build's lease and the staging gate's record of validated keys run
every day, while autovacuum works through the tables the loads wrote and the risk team reads the tracking tables.
DDL that locks a table (`create index if not exists`, `comment on`, `alter table ... if not exists`, `drop
trigger`) waited for them there, cancelled the autovacuum or queued every later read behind it; each step now
looks in the catalog first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text

from sme_credit import access, settings
from sme_credit.ingest import loader
from sme_credit.orchestration import build_lease
from sme_credit.publish import tracking
from sme_credit.transform import input_keys
from tests.integration.conftest import PII_KEY

SCHEMAS = ("raw", "audit", "tracking", "pii")


def _set_up_everything(engine) -> None:
    loader.ensure_schemas(engine, log=lambda _: None)
    tracking.ensure_tracking_table(engine)
    access.ensure_roles(engine, log=lambda _: None)
    assert build_lease.claim(engine, "test_dag", "test_run", dt.date(2026, 11, 3), lambda *_: False) is None
    assert build_lease.release(engine, "test_dag", "test_run")
    input_keys.record(engine, input_keys.current(engine, ("staging",)))


def test_the_daily_set_up_takes_no_lock_on_a_set_up_warehouse_s_tables(published, monkeypatch):
    monkeypatch.setenv("PII_HASH_KEY", PII_KEY)
    url = settings.sqlalchemy_url(published.url)
    # what the daily set-up would wait for: a SHARE UPDATE EXCLUSIVE lock on every table (autovacuum's), which
    # conflicts with every lock DDL takes; waits longer than lock_timeout fail the step
    engine = create_engine(url, connect_args={"options": "-c lock_timeout=2000"})
    holder = create_engine(url)
    try:
        _set_up_everything(holder)  # the warehouse as this code sets it up (waiting for whatever runs now)
        with holder.connect() as conn:
            tables = conn.execute(
                text("select format('%I.%I', schemaname, tablename) from pg_tables where schemaname = any(:schemas)"),
                {"schemas": list(SCHEMAS)},
            ).scalars()
            tables = list(tables)
            assert len(tables) >= 15, tables
            for table in tables:
                conn.execute(text(f"lock table {table} in share update exclusive mode"))
            try:
                _set_up_everything(engine)
            except Exception as error:  # noqa: BLE001 - the assertion says which step waited, and on what
                pytest.fail(f"a set-up step waited for a table lock: {error}")
            finally:
                conn.rollback()
    finally:
        engine.dispose()
        holder.dispose()

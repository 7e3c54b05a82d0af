"""Warehouses for the integration tests: one built and published by the real pipeline, shared by the tests that
only read it (and change what they own): the access tests, explain and the daily report's page; and stand-in marts
for the tests of what reads them."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.orchestration import pipeline
from tests.conftest import _fresh_database

PII_KEY = "test-key-not-a-secret-" + "x" * 20


@dataclass(frozen=True)
class Published:
    url: str
    dates: tuple[dt.date, ...]
    export_dir: Path


@pytest.fixture(scope="session")
def published(server_url, tiny_world, tiny_latest, tmp_path_factory) -> Published:
    """The tiny world's last two dates built and published (`pipeline.run_day`), with PII_HASH_KEY set and the
    exports in a folder of their own."""
    landing = tmp_path_factory.mktemp("published") / "landing"
    shutil.copytree(tiny_world, landing)
    name, url = _fresh_database(server_url, "published")
    exports = tmp_path_factory.mktemp("published-exports")
    dates = (tiny_latest - dt.timedelta(days=1), tiny_latest)
    saved = dict(os.environ)
    os.environ.update(
        {
            "WAREHOUSE_URL": url,
            "SME_STATE_DIR": str(tmp_path_factory.mktemp("published-state")),
            "PII_HASH_KEY": PII_KEY,
            "EXPORT_DIR": str(exports),
            **settings.libpq_env(url),
        }
    )
    try:
        for day in dates:
            pipeline.run_day(day, landing, log=lambda _: None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        warehouse.engine_for.cache_clear()
    yield Published(url, dates, exports)
    warehouse.drop_database(server_url, name)


@pytest.fixture
def marts_stand_in(fresh_db):
    """An engine on a fresh database whose `marts` holds empty stand-ins for the marts that publishing candidates,
    exports and reports read, with only the columns they use: the tests insert the rows they need."""
    engine = warehouse.engine()
    with engine.begin() as conn:
        conn.execute(text("create schema marts"))
        for table in (
            "precredit_candidates (uscc text, as_of_date date, enterprise_name text, risk_tier text, score integer, "
            "suggested_limit numeric(14, 2), suggested_term_months integer, suggested_product text, rate_band text, "
            "triggered boolean default false, trigger_condition text, risk_tier_name_zh text)",
            "customer_risk_tiers (uscc text, as_of_date date, risk_tier text, score integer, "
            "knock_out boolean default false, reason_codes text)",
            "precredit_pool (uscc text, as_of_date date, pool_status text, missed_condition text)",
            "early_warning_signals (uscc text, as_of_date date, signal text, severity text, observed_value numeric, "
            "threshold numeric, detail text)",
        ):
            conn.execute(text(f"create table marts.{table}"))
    return engine


# The raw rows of one landed file (bound as :file): a raw row names its load, the manifest the load's file.
OF_FILE = "_load_id in (select load_id from audit.load_manifest where source_file = :file)"

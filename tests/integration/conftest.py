"""A warehouse built and published by the real pipeline, shared by the tests that only read it (and change what
they undo or own): the access tests and the daily report's page."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

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

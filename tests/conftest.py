"""Shared fixtures: a real PostgreSQL server, fresh databases on it, and a tiny generated world."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest

# Airflow reads its home when first imported: keep test runs away from ~/airflow and from .local.
os.environ.setdefault("AIRFLOW_HOME", str(Path(__import__("tempfile").mkdtemp(prefix="sme-airflow-test-"))))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# and the day's exports (a build writes them) away from the newcomer's data/exports
os.environ.setdefault("EXPORT_DIR", str(Path(__import__("tempfile").mkdtemp(prefix="sme-exports-test-"))))

from sme_credit import warehouse  # noqa: E402
from sme_credit_dev import local_warehouse

TINY_SEED = 7


@pytest.fixture(scope="session")
def server_url() -> str:
    """The embedded PostgreSQL (started if needed, stopped again if this session started it)."""
    was_running = local_warehouse._is_running()
    url = local_warehouse.ensure_embedded()
    yield url
    if not was_running:
        local_warehouse.stop_embedded()


def _fresh_database(server: str, prefix: str) -> tuple[str, str]:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    return name, warehouse.create_database(server, name)


@pytest.fixture
def fresh_db(server_url, monkeypatch) -> str:
    """A new empty database for one test, set as WAREHOUSE_URL; dropped afterwards."""
    name, url = _fresh_database(server_url, "test")
    monkeypatch.setenv("WAREHOUSE_URL", url)
    yield url
    warehouse.engine_for.cache_clear()
    warehouse.drop_database(server_url, name)


@pytest.fixture
def prepared_db(fresh_db) -> str:
    """A fresh database with the raw and audit schemas, as the ingest DAG's prepare_warehouse leaves it (a load
    runs no DDL)."""
    from sme_credit.ingest import loader

    loader.ensure_schemas(warehouse.engine_for(fresh_db), log=lambda _: None)
    return fresh_db


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory) -> Path:
    """A tiny generated landing area (shared, read-only for tests: copy it before changing files)."""
    from sme_credit_sample import generate_world

    landing = tmp_path_factory.mktemp("tiny") / "landing"
    generate_world(landing, scale="tiny", seed=TINY_SEED, progress=None)
    return landing


@pytest.fixture(scope="session")
def faulty_world(tmp_path_factory) -> Path:
    """A tiny landing area with every fault of the catalogue added (shared, read-only)."""
    from sme_credit_sample import generate_world

    landing = tmp_path_factory.mktemp("faulty") / "landing"
    generate_world(landing, scale="tiny", seed=TINY_SEED, progress=None, faults=True)
    return landing


@pytest.fixture(scope="session")
def tiny_latest(tiny_world) -> dt.date:
    from sme_credit.contract.feeds import delivery_dates

    return delivery_dates(tiny_world)[-1]


@pytest.fixture
def restored_environment():
    """The process environment as it was before the test (for code that sets variables, such as PG*)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> Path:
    """Private local state (GX context, Airflow home) for one test."""
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("SME_STATE_DIR", str(state))
    return state


def external_server_url() -> str | None:
    """A second real server for the external-warehouse path (CI sets it to the machine's PostgreSQL 15)."""
    return os.environ.get("SME_TEST_EXTERNAL_SERVER_URL")

"""Shared fixtures: a real PostgreSQL server, fresh databases on it, and a tiny generated world."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

import pytest

# A pytest-xdist worker (`make test` runs two) inherits the environment of the process that started it: it takes
# directories of its own for what two processes at once must not share (an Airflow home, the exports, and dbt's
# target, where each invocation writes what it compiled and ran).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _own_directory(variable: str, prefix: str) -> None:
    if _WORKER or variable not in os.environ:
        os.environ[variable] = tempfile.mkdtemp(prefix=f"{prefix}-{_WORKER or 'main'}-")


# Airflow reads its home when first imported: keep test runs away from ~/airflow and from .local.
_own_directory("AIRFLOW_HOME", "sme-airflow-test")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# and the day's exports (a build writes them) away from the newcomer's data/exports
_own_directory("EXPORT_DIR", "sme-exports-test")
if _WORKER:
    _own_directory("DBT_TARGET_PATH", "sme-dbt-target")

from sme_credit import warehouse  # noqa: E402
from sme_credit_dev import local_warehouse  # noqa: E402

TINY_SEED = 7


# `make test` runs the suite on two pytest-xdist workers. What they share is set up once, by the process that
# starts them, before either begins: the embedded PostgreSQL (a worker that started it would stop it under the
# other's feet) and dbt's parsed manifest, which Cosmos renders the build DAG from (a worker's dbt writes its own
# target, above, and leaves the project's manifest as parsed here).
def _runs_workers(config: pytest.Config) -> bool:
    return bool(getattr(config.option, "numprocesses", None)) and not _WORKER


_STARTED_SERVER = pytest.StashKey[bool]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if _runs_workers(session.config):
        from sme_credit.transform import dbt_runner

        session.config.stash[_STARTED_SERVER] = not local_warehouse._is_running()
        local_warehouse.ensure_embedded()
        dbt_runner.ensure_manifest()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.stash.get(_STARTED_SERVER, False):
        local_warehouse.stop_embedded()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """How the workers share the suite (`--dist loadgroup`): the end-to-end tests, the longest by far, go first and
    one by one to whichever worker is free, so that neither is left with one at the end; every other test runs on
    the worker of its module (whose module-scoped fixtures are then built once), and the tests of the published
    warehouse on one worker (which then builds it once)."""
    for item in items:
        if "published" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("published"))
        elif not item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    if _WORKER:
        items.sort(key=lambda item: not item.get_closest_marker("e2e"))


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

"""Every feed's load at the same moment, as the real scheduler runs them (LocalExecutor, parallelism >= 4): on a
real PostgreSQL, many times, none fails and each ends with the rows one load after the other gives.

Each load used to set up the schemas itself, and its `create index if not exists` on a table another feed was
loading waited for that feed's file transaction while holding a lock on audit.load_manifest that the file
transaction needed next: `DeadlockDetected`. The warehouse is now prepared once, before the loads
(`loader.ensure_schemas`, the ingest DAG's `prepare_warehouse`), and a load runs no DDL.
"""

from __future__ import annotations

import threading

from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.contract.feeds import FEEDS, RAW_TABLES
from sme_credit.ingest import loader
from tests.conftest import _fresh_database

ROUNDS = 6  # the reference, then five rounds at once


def _quiet(_line: str) -> None:
    pass


def _load_all_feeds_at_once(engine, landing, up_to) -> dict[str, BaseException]:
    start = threading.Barrier(len(FEEDS))
    errors: dict[str, BaseException] = {}

    def load(feed: str) -> None:
        start.wait()
        try:
            loader.load_feed(engine, landing, feed, up_to, log=_quiet)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors[feed] = error

    threads = [threading.Thread(target=load, args=(feed,), name=f"load-{feed}") for feed in FEEDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _state(engine) -> dict[str, tuple[int, int]]:
    """Rows per raw table and loaded files per raw table."""
    with engine.connect() as conn:
        return {
            table.name: (
                conn.execute(text(f"select count(*) from {table.qualified_name}")).scalar(),
                conn.execute(
                    text("select count(*) from audit.load_manifest where raw_table = :t and status = 'loaded'"),
                    {"t": table.name},
                ).scalar(),
            )
            for table in RAW_TABLES
        }


def test_every_feeds_load_runs_at_once_without_a_deadlock(server_url, tiny_world, tiny_latest):
    expected = None
    for round_ in range(ROUNDS):
        name, url = _fresh_database(server_url, "parallel")
        engine = warehouse.engine_for(url)
        try:
            if round_ == 0:  # the reference: one feed after the other
                loader.ensure_schemas(engine, log=_quiet)
                for feed in FEEDS:
                    loader.load_feed(engine, tiny_world, feed, tiny_latest, log=_quiet)
                expected = _state(engine)
                assert all(rows > 0 for rows, _ in expected.values()), expected
                continue
            loader.ensure_schemas(engine, log=_quiet)
            errors = _load_all_feeds_at_once(engine, tiny_world, tiny_latest)
            assert not errors, f"round {round_}: " + "; ".join(f"{f}: {e!r}" for f, e in errors.items())
            assert _state(engine) == expected
            # and again at once: every file is already recorded, nothing changes
            assert not _load_all_feeds_at_once(engine, tiny_world, tiny_latest)
            assert _state(engine) == expected
        finally:
            engine.dispose()
            warehouse.engine_for.cache_clear()
            warehouse.drop_database(server_url, name)


def test_a_load_refuses_a_warehouse_that_was_not_prepared(fresh_db, tiny_world, tiny_latest):
    engine = warehouse.engine_for(fresh_db)
    try:
        loader.load_feed(engine, tiny_world, "court", tiny_latest, log=_quiet)
    except loader.LoadError as error:
        assert "sme-credit warehouse prepare" in str(error)
    else:
        raise AssertionError("a load ran on a warehouse without the raw and audit schemas")
    with engine.connect() as conn:
        assert conn.execute(text("select to_regclass('audit.load_manifest')")).scalar() is None

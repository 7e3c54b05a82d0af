"""The warehouse: the PostgreSQL of WAREHOUSE_URL, the one way the pipeline's Python code reaches it (SQLAlchemy
engines), and the databases made on its server (tests, backtests, the dev fixture).

Where the URL comes from is not this module's business: a deployment sets WAREHOUSE_URL; on a developer's machine
`sme_credit_dev.local_warehouse` starts the embedded server and sets it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine, make_url, text

from sme_credit import settings

# Databases made here sort text by code point (collation C): the same order as C.UTF-8 for UTF-8 text, but
# compared with memcmp, so the sorts, window partitions and btree builds over keys (uscc, account numbers,
# transaction ids) cost a fraction (the per-account daily aggregates of `large`: 97 s against 284 s).
# Character classes (the regular expressions, upper/lower) stay UTF-8 (lc_ctype).
DATABASE_COLLATION = "C"


def _admin_engine(server_url: str) -> Engine:
    """An autocommit engine on the server's `postgres` database, for creating and dropping databases."""
    admin = settings.sqlalchemy_url(server_url).set(database="postgres")
    return create_engine(admin, isolation_level="AUTOCOMMIT")


def create_database(server_url: str, name: str, *, drop_first: bool = False) -> str:
    """Create database `name` on the server of `server_url` unless it exists; return its URL."""
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as conn:
            if drop_first:
                conn.execute(text(f'drop database if exists "{name}" with (force)'))
            if not _exists(conn, name):
                ctype = conn.execute(text("select datctype from pg_database where datname = 'template1'")).scalar()
                conn.execute(
                    text(
                        f"create database \"{name}\" template template0 encoding 'UTF8' "
                        f"lc_collate '{DATABASE_COLLATION}' lc_ctype '{ctype}'"
                    )
                )
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _exists(conn, name: str) -> bool:
    return bool(conn.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).scalar())


def database_exists(server_url: str, name: str) -> bool:
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as conn:
            return _exists(conn, name)
    finally:
        engine.dispose()


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` and the local Airflow metadata database kept beside it, if any
    (settings.airflow_metadata_url): a test's or benchmark's warehouse leaves nothing behind."""
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as conn:
            for database in (name, settings.airflow_metadata_database(name)):
                conn.execute(text(f'drop database if exists "{database}" with (force)'))
    finally:
        engine.dispose()


def check_server(url: str) -> None:
    engine = create_engine(settings.sqlalchemy_url(url))
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with engine.connect() as conn:
                    version = conn.execute(text("show server_version_num")).scalar()
                break
            except Exception as error:  # noqa: BLE001 - re-raised with context below
                if time.monotonic() > deadline:
                    raise settings.WarehouseNotConfigured(
                        f"cannot connect to WAREHOUSE_URL ({engine.url.render_as_string()}): {error}"
                    ) from error
                time.sleep(1)
    finally:
        engine.dispose()
    if int(str(version)) < 150000:
        raise settings.WarehouseNotConfigured(f"the warehouse runs PostgreSQL {version}; 15 or newer is needed")


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return create_engine(settings.sqlalchemy_url(url), pool_pre_ping=True)


def engine() -> Engine:
    """The engine for WAREHOUSE_URL, the one way Python code here reaches the warehouse."""
    return engine_for(settings.warehouse_url())


def columns(conn: Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """The table's columns in order, each with its type as SQL writes it; none when the table does not exist."""
    rows = conn.execute(
        text("""
        select a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = :schema and c.relname = :table and a.attnum > 0 and not a.attisdropped
        order by a.attnum
    """),
        {"schema": schema, "table": table},
    )
    return [(str(name), str(kind)) for name, kind in rows]


def comments(conn: Connection, relation: str) -> tuple[str | None, dict[str, str | None]]:
    """The comment of a table and of each of its columns."""
    table = conn.execute(text("select obj_description(cast(:r as regclass), 'pg_class')"), {"r": relation}).scalar()
    columns = conn.execute(
        text("""
        select attname, col_description(attrelid, attnum) from pg_attribute
        where attrelid = cast(:r as regclass) and attnum > 0 and not attisdropped
    """),
        {"r": relation},
    )
    return table, {str(name): None if comment is None else str(comment) for name, comment in columns}


def set_comments(conn: Connection, relation: str, table: str | None, columns: Mapping[str, str | None]) -> None:
    """Give the table and its columns these comments, touching only those that differ: `comment on` waits for a
    running autovacuum of the table to be cancelled (a second, deadlock_timeout), and the daily runs' writes set
    autovacuum going on the tables they describe (the published marts, the tracking tables)."""
    current_table, current_columns = comments(conn, relation)
    if table != current_table:
        conn.execute(text(f"comment on table {relation} is :comment"), {"comment": table})
    for column, comment in columns.items():
        if comment != current_columns.get(column):
            conn.execute(text(f'comment on column {relation}."{column}" is :comment'), {"comment": comment})


def create_index_if_missing(conn: Connection, name: str, create_sql: str) -> None:
    """Run `create_sql` (a `create index`) unless index `name` (schema-qualified) exists. `create index if not
    exists` locks its table (SHARE) before it finds the index, so on a set-up warehouse it waited for a load's open
    transaction, and cancelled an autovacuum of the table that was running then (its whole scan lost)."""
    if conn.execute(text("select to_regclass(:name)"), {"name": name}).scalar() is None:
        conn.execute(text(create_sql))

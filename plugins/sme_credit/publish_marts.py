"""Publish a validated as-of date's mart slices: `marts_build.<mart>` -> `marts.<mart>`, all in one transaction.

dbt writes each mart's slice for the run's as-of date into `marts_build` (one date per table); the marts gate
validates it there. Only then does this module make it visible: for every mart it deletes the date's rows
from the published table and inserts the new slice, in a single transaction, so BI never sees a half-published
date, a failed gate leaves the published marts as they were, and re-publishing a date replaces it exactly.
The published tables are created from the build tables on first use, gain the build's new columns, and
carry its column comments (dbt's docs, persisted by dbt on the build tables).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, text

BUILD_SCHEMA = "marts_build"
PUBLISHED_SCHEMA = "marts"
# The marts BI and the risk team read, in publishing order (dbt models under models/marts/).
MARTS = ("customer_features", "customer_risk_tiers", "early_warning_signals", "precredit_pool",
         "precredit_candidates")
PUBLISHED_RELATIONS = tuple(f"{PUBLISHED_SCHEMA}.{mart}" for mart in MARTS)
_LOCK = "select pg_advisory_xact_lock(hashtext('sme_credit.publish_marts'))"


class NothingToPublish(RuntimeError):
    """The build tables do not hold the requested date: build (and validate) it first."""


def _columns(conn: Connection, schema: str, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(text("""
        select a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = :schema and c.relname = :table and a.attnum > 0 and not a.attisdropped
        order by a.attnum
    """), {"schema": schema, "table": table})
    return [(name, kind) for name, kind in rows]


def _copy_comments(conn: Connection, mart: str) -> None:
    """The build table's comments (dbt's persisted docs) onto the published table, replacing older ones."""
    build, published = f"{BUILD_SCHEMA}.{mart}", f"{PUBLISHED_SCHEMA}.{mart}"
    conn.execute(text(f"""
        do $$
        declare
            described record;
        begin
            execute format('comment on table {published} is %L', obj_description('{build}'::regclass, 'pg_class'));
            for described in
                select a.attname, col_description(a.attrelid, a.attnum) as comment
                from pg_attribute a
                where a.attrelid = '{build}'::regclass and a.attnum > 0 and not a.attisdropped
            loop
                execute format('comment on column {published}.%I is %L', described.attname, described.comment);
            end loop;
        end $$
    """))


def _ensure_published_table(conn: Connection, mart: str) -> list[str]:
    """Create or extend `marts.<mart>` to hold every column of the build table; return the column names."""
    build = _columns(conn, BUILD_SCHEMA, mart)
    if not build:
        raise NothingToPublish(f"{BUILD_SCHEMA}.{mart} does not exist: run the dbt marts first")
    published = dict(_columns(conn, PUBLISHED_SCHEMA, mart))
    if not published:
        conn.execute(text(f"create table {PUBLISHED_SCHEMA}.{mart} (like {BUILD_SCHEMA}.{mart})"))
        conn.execute(text(f"create index {mart}_as_of_date_idx on {PUBLISHED_SCHEMA}.{mart} (as_of_date)"))
    else:
        for name, kind in build:
            if name not in published:
                conn.execute(text(f'alter table {PUBLISHED_SCHEMA}.{mart} add column "{name}" {kind}'))
    _copy_comments(conn, mart)
    return [name for name, _ in build]


def publish_marts(engine: Engine, as_of_date: dt.date, log=print) -> dict:
    """Replace the date's slice of every published mart with the validated build, in one transaction."""
    published: dict[str, int] = {}
    with engine.begin() as conn:
        conn.execute(text(_LOCK))
        conn.execute(text(f"create schema if not exists {PUBLISHED_SCHEMA}"))
        for mart in MARTS:
            columns = _ensure_published_table(conn, mart)
            dates = conn.execute(text(f"select distinct as_of_date from {BUILD_SCHEMA}.{mart}")).scalars().all()
            if any(date != as_of_date for date in dates) or (not dates and mart == MARTS[0]):
                raise NothingToPublish(
                    f"{BUILD_SCHEMA}.{mart} holds {', '.join(map(str, dates)) or 'no rows'}, not {as_of_date}: "
                    f"build and validate {as_of_date} before publishing it")
            names = ", ".join(f'"{name}"' for name in columns)
            conn.execute(text(f"delete from {PUBLISHED_SCHEMA}.{mart} where as_of_date = :d"), {"d": as_of_date})
            published[mart] = conn.execute(text(
                f"insert into {PUBLISHED_SCHEMA}.{mart} ({names}) select {names} from {BUILD_SCHEMA}.{mart}"
            )).rowcount
        for mart in MARTS:
            conn.execute(text(f"analyze {PUBLISHED_SCHEMA}.{mart}"))
    log(f"published the marts for {as_of_date}: "
        + ", ".join(f"{mart} {rows:,}" for mart, rows in published.items()))
    return {"as_of_date": as_of_date.isoformat(), "rows": published}

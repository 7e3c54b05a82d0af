"""Publish a validated as-of date's mart slices: `marts_build.<mart>` -> `marts.<mart>`, all in one transaction.

dbt writes each mart's slice for the run's as-of date into `marts_build` (one date per table); the marts gate
validates it there. Only then does this module make it visible: for every mart it deletes the date's rows
from the published table and inserts the new slice, in a single transaction, so BI never sees a half-published
date, a failed gate leaves the published marts as they were, and re-publishing a date replaces it exactly.
The published tables are created from the build tables on first use, gain the build's new columns, and
carry its column comments (dbt's docs, persisted by dbt on the build tables).

The same transaction records the date in `audit.mart_publications` and brings the tier history
(`marts.customer_risk_tiers_history`, SCD2 in business dates) up to date. The history follows the published
tiers in date order whatever order the dates are built in: the versions of each firm whose tier on the
published date differs from what its history said for that date are derived again from its published tiers.
On a normal day that is the firms whose tier changed; a backfilled or corrected past date fits in between.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, Engine, text

from sme_credit import rules, warehouse
from sme_credit.errors import NothingToPublish  # noqa: F401 - raised here, defined with the others

BUILD_SCHEMA = "marts_build"
PUBLISHED_SCHEMA = "marts"
MARTS = rules.marts()  # the marts BI and the risk team read: the dbt models under models/marts/
NEVER_EMPTY = "customer_features"  # one row per enterprise of the master: no rows means the date was not built
PUBLISHED_RELATIONS = tuple(f"{PUBLISHED_SCHEMA}.{mart}" for mart in MARTS)
HISTORY = f"{PUBLISHED_SCHEMA}.customer_risk_tiers_history"
# Analysed at once after each publication, so that the next queries are planned knowing the new date's rows
# (planned on statistics without them, one statement ran for 40 minutes, issue 10). Only these columns: the
# others' statistics hardly move in a day, and analysing them too took as long again (1.1 s more on `large`);
# an analyze of some columns leaves autovacuum's count of changes as it was, so autovacuum still analyses the
# whole table once enough has changed.
PLANNING_COLUMNS = ("as_of_date", "uscc")
_LOCK = "select pg_advisory_xact_lock(hashtext('sme_credit.publish.marts'))"

_SETUP = (
    """
    create table if not exists audit.mart_publications (
        as_of_date date primary key,
        published_at timestamptz not null default now(),
        rows jsonb not null
    )
    """,
    f"""
    create table if not exists {HISTORY} (
        uscc text not null,
        risk_tier text not null,
        knock_out boolean not null,
        score integer,
        probability_of_default numeric(8, 6),
        reason_codes text,
        valid_from date not null,
        valid_to date,
        primary key (uscc, valid_from)
    )
    """,
)
PUBLICATIONS_COMMENT = (
    "Every as-of date whose mart slices passed the marts gate and were published, with rows per mart."
)
HISTORY_TABLE_COMMENT = (
    "SCD2 history of every firm's risk tier in business dates: one row per firm and period during which its tier "
    "and knock-out stayed the same, from the published tiers."
)
HISTORY_COMMENTS = {
    "uscc": "Unified Social Credit Code.",
    "risk_tier": f"{rules.risk_tiers_text()} during the version.",
    "knock_out": "Whether a hard knock-out applied during the version.",
    "score": "Scorecard score on valid_from, the first date of the version.",
    "probability_of_default": "Probability of default on valid_from.",
    "reason_codes": "Reasons behind the tier on valid_from.",
    "valid_from": "The published as-of date that brought the version.",
    "valid_to": "The published as-of date from which the firm had another tier or knock-out, or was no longer "
    "scored; NULL while current.",
}

# Firms whose published tier on :d differs from what their history said for :d (a new date that changes
# nothing for a firm leaves it out): only their versions need deriving again.
_AFFECTED_FIRMS = f"""
create temporary table affected_firms on commit drop as
select coalesce(tiers.uscc, versions.uscc) as uscc
from (select * from {BUILD_SCHEMA}.customer_risk_tiers) as tiers
full outer join (
    select * from {HISTORY} where valid_from <= :d and (valid_to is null or valid_to > :d)
) as versions on versions.uscc = tiers.uscc
where tiers.uscc is null or versions.uscc is null
   or (tiers.risk_tier, tiers.knock_out) is distinct from (versions.risk_tier, versions.knock_out)
   or (versions.valid_from = :d and (tiers.score, tiers.probability_of_default, tiers.reason_codes)
       is distinct from (versions.score, versions.probability_of_default, versions.reason_codes))
"""

# Their versions again, from every published date: a run of dates with the same tier and knock-out is one
# version; a date without a row for the firm ends its version.
_DERIVE_VERSIONS = f"""
insert into {HISTORY} (uscc, risk_tier, knock_out, score, probability_of_default, reason_codes, valid_from, valid_to)
with states as (
    select
        affected_firms.uscc, publications.as_of_date, tiers.risk_tier, tiers.knock_out, tiers.score,
        tiers.probability_of_default, tiers.reason_codes,
        (tiers.risk_tier, tiers.knock_out) is distinct from (
            lag(tiers.risk_tier) over by_date, lag(tiers.knock_out) over by_date
        ) or row_number() over by_date = 1 as starts_version
    from affected_firms
    cross join audit.mart_publications as publications
    left join {PUBLISHED_SCHEMA}.customer_risk_tiers as tiers
        on tiers.uscc = affected_firms.uscc and tiers.as_of_date = publications.as_of_date
    window by_date as (partition by affected_firms.uscc order by publications.as_of_date)
),

starts as (
    select *, lead(as_of_date) over (partition by uscc order by as_of_date) as next_start
    from states
    where starts_version
)

select uscc, risk_tier, knock_out, score, probability_of_default, reason_codes, as_of_date, next_start
from starts
where risk_tier is not null
"""


def _copy_comments(conn: Connection, mart: str) -> None:
    """The build table's comments (dbt's persisted docs) onto the published table, replacing older ones."""
    warehouse.set_comments(conn, f"{PUBLISHED_SCHEMA}.{mart}", *warehouse.comments(conn, f"{BUILD_SCHEMA}.{mart}"))


def _ensure_published_table(conn: Connection, mart: str) -> list[str]:
    """Create or extend `marts.<mart>` to hold every column of the build table; return the column names."""
    build = warehouse.columns(conn, BUILD_SCHEMA, mart)
    if not build:
        raise NothingToPublish(f"{BUILD_SCHEMA}.{mart} does not exist: run the dbt marts first")
    published = dict(warehouse.columns(conn, PUBLISHED_SCHEMA, mart))
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
    keys: dict[str, list[str]] = {}
    with engine.begin() as conn:
        conn.execute(text(_LOCK))
        conn.execute(text(f"create schema if not exists {PUBLISHED_SCHEMA}"))
        conn.execute(text("create schema if not exists audit"))
        for statement in _SETUP:
            conn.execute(text(statement))
        warehouse.set_comments(conn, "audit.mart_publications", PUBLICATIONS_COMMENT, {})
        for mart in MARTS:
            columns = _ensure_published_table(conn, mart)
            query = text(f"select distinct as_of_date from {BUILD_SCHEMA}.{mart}")
            dates: list[dt.date] = list(conn.execute(query).scalars())
            if any(date != as_of_date for date in dates) or (not dates and mart == NEVER_EMPTY):
                raise NothingToPublish(
                    f"{BUILD_SCHEMA}.{mart} holds {', '.join(map(str, dates)) or 'no rows'}, not {as_of_date}: "
                    f"build and validate {as_of_date} before publishing it"
                )
            keys[mart] = [name for name in PLANNING_COLUMNS if name in columns]
            names = ", ".join(f'"{name}"' for name in columns)
            conn.execute(text(f"delete from {PUBLISHED_SCHEMA}.{mart} where as_of_date = :d"), {"d": as_of_date})
            published[mart] = conn.execute(
                text(f"insert into {PUBLISHED_SCHEMA}.{mart} ({names}) select {names} from {BUILD_SCHEMA}.{mart}")
            ).rowcount
        conn.execute(
            text(
                "insert into audit.mart_publications (as_of_date, rows) values (:d, cast(:rows as jsonb)) "
                "on conflict (as_of_date) do update set published_at = now(), rows = excluded.rows"
            ),
            {"d": as_of_date, "rows": json.dumps(published)},
        )
        changed = _update_history(conn, as_of_date)
        for mart in MARTS:
            conn.execute(text(f"analyze {PUBLISHED_SCHEMA}.{mart} ({', '.join(keys[mart])})"))
    counts = ", ".join(f"{mart} {rows:,}" for mart, rows in published.items())
    log(f"published the marts for {as_of_date}: {counts}; tier history of {changed:,} firm(s) updated")
    return {"as_of_date": as_of_date.isoformat(), "rows": published, "history_firms_updated": changed}


def is_published(engine: Engine, as_of_date: dt.date) -> bool:
    with engine.connect() as conn:
        if not conn.execute(text("select to_regclass('audit.mart_publications') is not null")).scalar():
            return False
        query = "select exists (select from audit.mart_publications where as_of_date = :d)"
        return bool(conn.execute(text(query), {"d": as_of_date}).scalar())


def _update_history(conn: Connection, as_of_date: dt.date) -> int:
    """Derive again the tier versions of the firms whose tier on the date is not what their history said."""
    conn.execute(text(_AFFECTED_FIRMS), {"d": as_of_date})
    conn.execute(text(f"delete from {HISTORY} where uscc in (select uscc from affected_firms)"))
    conn.execute(text(_DERIVE_VERSIONS))
    warehouse.set_comments(conn, HISTORY, HISTORY_TABLE_COMMENT, HISTORY_COMMENTS)
    return conn.execute(text("select count(*) from affected_firms")).scalar_one()

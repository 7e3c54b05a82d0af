"""Publish the day's pre-credit candidates into `tracking.candidates`, the table the risk team works from.

One row per enterprise that ever qualified; the pipeline never deletes one. It maintains the dates, the current
tier and the suggested terms, and flags a firm that stops qualifying (`not_qualifying_since`, with the reason)
instead of dropping it. `status` belongs to the risk team (see `lifecycle`): it is 'new' when a row is first
inserted and the pipeline never writes it again. Every change a publication makes is an event of
`tracking.candidate_events`, found by comparing the rows before and after, so that publishing the same date twice
changes nothing and records nothing. Publishing an older date after a newer one (a backfill, a correction) never
moves the current tier, terms or flag back in time: it can only move a first qualification (or a flag) earlier,
or track a firm that qualified on that date only, at its latest tier.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from sme_credit import rules, warehouse
from sme_credit.publish import lifecycle

TRACKING_DDL = [
    "create schema if not exists tracking",
    """
    create table if not exists tracking.candidates (
        uscc text primary key,
        enterprise_name text not null,
        first_qualified_date date not null,
        last_qualified_date date not null,
        current_tier text not null,
        current_score integer,
        tier_as_of_date date not null,
        suggested_limit numeric(14, 2),
        suggested_term_months integer,
        suggested_product text,
        rate_band text,
        status text not null default 'new',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
    )
    """,
]
# columns added after the first layout, each added where missing: `alter table` locks the table (ACCESS
# EXCLUSIVE) even when the column is there, so every publication waited for the risk team's open reads of it, and
# their next reads queued behind it
ADDED_COLUMNS = {
    "not_qualifying_since": "date",
    "not_qualifying_reason": "text",
    "status_changed_at": "timestamptz",
    "status_changed_by": "text",
}
TABLE_COMMENT = "Pre-credit candidates tracked by the risk team: one row per enterprise that ever qualified."

COLUMN_COMMENTS = {
    "uscc": "Unified Social Credit Code of the enterprise (GB 32100-2015).",
    "enterprise_name": "Registered name of the enterprise.",
    "first_qualified_date": "First as-of date on which the enterprise was a pre-credit candidate.",
    "last_qualified_date": "Latest as-of date on which the enterprise was a pre-credit candidate.",
    "current_tier": f"Risk tier on tier_as_of_date: {rules.risk_tiers_text()}.",
    "current_score": "Scorecard score on tier_as_of_date.",
    "tier_as_of_date": "As-of date of current_tier and current_score.",
    "suggested_limit": "Suggested credit limit in yuan from the latest qualification (never above inferred demand).",
    "suggested_term_months": "Suggested term in months from the latest qualification.",
    "suggested_product": "Suggested product from the latest qualification.",
    "rate_band": "Suggested rate band from the latest qualification.",
    "status": "Owned by the risk team: one of tracking.candidate_statuses (seed candidate_statuses), changed only "
    "through tracking.set_candidate_status along tracking.candidate_status_transitions. Set to new on first "
    "insert; the pipeline never changes it.",
    "not_qualifying_since": "The first published date after last_qualified_date on which the firm was not a "
    "candidate; NULL while it qualifies on its latest published date. The pipeline flags, never removes.",
    "not_qualifying_reason": "Why the firm stopped qualifying on not_qualifying_since (a missed entry condition, "
    "a knock-out, a tier without pre-credit).",
    "status_changed_at": "When a person last changed the status; NULL while it is the pipeline's initial new.",
    "status_changed_by": "Who last changed the status.",
    "created_at": "When the pipeline first inserted the row.",
    "updated_at": "When the pipeline last changed the row.",
}

_UPSERT_CANDIDATES = """
insert into tracking.candidates as t (
    uscc, enterprise_name, first_qualified_date, last_qualified_date, current_tier, current_score,
    tier_as_of_date, suggested_limit, suggested_term_months, suggested_product, rate_band)
select uscc, enterprise_name, as_of_date, as_of_date, risk_tier, score, as_of_date,
       suggested_limit, suggested_term_months, suggested_product, rate_band
from marts.precredit_candidates
where as_of_date = :as_of_date
on conflict (uscc) do update set
    first_qualified_date = least(t.first_qualified_date, excluded.first_qualified_date),
    last_qualified_date = greatest(t.last_qualified_date, excluded.last_qualified_date),
    enterprise_name = case when excluded.last_qualified_date >= t.last_qualified_date
                           then excluded.enterprise_name else t.enterprise_name end,
    suggested_limit = case when excluded.last_qualified_date >= t.last_qualified_date
                           then excluded.suggested_limit else t.suggested_limit end,
    suggested_term_months = case when excluded.last_qualified_date >= t.last_qualified_date
                                 then excluded.suggested_term_months else t.suggested_term_months end,
    suggested_product = case when excluded.last_qualified_date >= t.last_qualified_date
                             then excluded.suggested_product else t.suggested_product end,
    rate_band = case when excluded.last_qualified_date >= t.last_qualified_date
                     then excluded.rate_band else t.rate_band end,
    updated_at = now()
-- A row changes only when the incoming date is newer, moves the first date earlier, or is the same date
-- with different terms; otherwise leave it (and updated_at) alone, so re-publishing changes nothing.
where excluded.last_qualified_date > t.last_qualified_date
   or excluded.first_qualified_date < t.first_qualified_date
   or (excluded.last_qualified_date = t.last_qualified_date
       and (t.enterprise_name, t.suggested_limit, t.suggested_term_months, t.suggested_product, t.rate_band)
           is distinct from
           (excluded.enterprise_name, excluded.suggested_limit, excluded.suggested_term_months,
            excluded.suggested_product, excluded.rate_band))
"""

# Every tracked firm's tier follows the latest scored date, also when it no longer qualifies:
# a candidate that slid into risk_warning is exactly what the risk team must see. The latest date, not the
# one being published: a firm first tracked by a backfilled past date gets today's tier, not that day's.
_REFRESH_TIERS = """
update tracking.candidates as t
set current_tier = r.risk_tier, current_score = r.score, tier_as_of_date = r.as_of_date, updated_at = now()
from marts.customer_risk_tiers as r
where r.uscc = t.uscc
  and r.as_of_date = (select max(as_of_date) from marts.customer_risk_tiers)
  and r.as_of_date >= t.tier_as_of_date
  and (t.current_tier, t.current_score, t.tier_as_of_date) is distinct from (r.risk_tier, r.score, r.as_of_date)
"""


# A tracked firm that is not a candidate on a date after its last qualification is flagged with that date and
# why; an earlier such date (a backfill) moves the flag earlier. A qualification on or after the flag's date
# clears it (a qualification before it, by a backfill, leaves it: the firm still does not qualify).
_FLAG_NOT_QUALIFYING = """
update tracking.candidates as t
set not_qualifying_since = :as_of_date,
    not_qualifying_reason = case
        when pool.pool_status = 'watch' then 'on watch: misses ' || pool.missed_condition
        when tiers.uscc is null then 'not scored on this date (not in the enterprise master)'
        when tiers.knock_out then 'knocked out: ' || split_part(tiers.reason_codes, ',', 1)
        when tiers.risk_tier <> all(:precredit_tiers) then 'tier ' || tiers.risk_tier || ' is not open to pre-credit'
        else 'misses more than one entry condition of the pre-credit pool'
    end,
    updated_at = now()
from tracking.candidates as current_row
left join marts.customer_risk_tiers as tiers
    on tiers.uscc = current_row.uscc and tiers.as_of_date = :as_of_date
left join marts.precredit_pool as pool
    on pool.uscc = current_row.uscc and pool.as_of_date = :as_of_date
where t.uscc = current_row.uscc
  and t.last_qualified_date < :as_of_date
  and (t.not_qualifying_since is null or t.not_qualifying_since > :as_of_date)
  and not exists (
      select from marts.precredit_candidates as c where c.uscc = t.uscc and c.as_of_date = :as_of_date
  )
"""

_CLEAR_REQUALIFIED = """
update tracking.candidates
set not_qualifying_since = null, not_qualifying_reason = null, updated_at = now()
where not_qualifying_since <= :as_of_date
  and uscc in (select uscc from marts.precredit_candidates where as_of_date = :as_of_date)
"""


def _terms(row: str) -> str:
    """The suggested terms of a row as a jsonb object (for an event's before or after)."""
    return (
        f"jsonb_build_object('limit', {row}.suggested_limit, 'term_months', {row}.suggested_term_months, "
        f"'product', {row}.suggested_product, 'rate_band', {row}.rate_band)"
    )


# The events of one publication: the rows after it against a copy taken before it, in a fixed order.
_RECORD_EVENTS = f"""
insert into tracking.candidate_events (uscc, event_type, as_of_date, actor, before, after)
select uscc, event_type, :as_of_date, '{lifecycle.PIPELINE_ACTOR}', before, after
from (
    select a.uscc, 1 as rank, 'qualified' as event_type, null::jsonb as before,
           jsonb_build_object('tier', a.current_tier, 'score', a.current_score) || {_terms("a")} as after
    from tracking.candidates as a left join before_publication as b using (uscc)
    where b.uscc is null
    union all
    select a.uscc, 2, 'requalified', jsonb_build_object('not_qualifying_since', b.not_qualifying_since,
           'reason', b.not_qualifying_reason), null
    from tracking.candidates as a join before_publication as b using (uscc)
    where b.not_qualifying_since is not null and a.not_qualifying_since is null
    union all
    select c.uscc, 3, 'triggered_from_watch', null, jsonb_build_object('condition', c.trigger_condition)
    from marts.precredit_candidates as c left join before_publication as b using (uscc)
    where c.as_of_date = :as_of_date and c.triggered
      and (b.uscc is null or b.last_qualified_date < :as_of_date)
    union all
    select a.uscc, 4, 'terms_changed',
           {_terms("b")}, {_terms("a")}
    from tracking.candidates as a join before_publication as b using (uscc)
    where (a.suggested_limit, a.suggested_term_months, a.suggested_product, a.rate_band)
          is distinct from (b.suggested_limit, b.suggested_term_months, b.suggested_product, b.rate_band)
    union all
    select a.uscc, 5, 'tier_changed',
           jsonb_build_object('tier', b.current_tier, 'score', b.current_score, 'as_of_date', b.tier_as_of_date),
           jsonb_build_object('tier', a.current_tier, 'score', a.current_score, 'as_of_date', a.tier_as_of_date)
    from tracking.candidates as a join before_publication as b using (uscc)
    where (a.current_tier, a.current_score) is distinct from (b.current_tier, b.current_score)
    union all
    select a.uscc, 6, 'no_longer_qualifies', null,
           jsonb_build_object('not_qualifying_since', a.not_qualifying_since, 'reason', a.not_qualifying_reason)
    from tracking.candidates as a join before_publication as b using (uscc)
    where b.not_qualifying_since is null and a.not_qualifying_since is not null
) as changes
order by rank, uscc
"""


def ensure_tracking_table(engine: Engine) -> None:
    """The tracking schema: candidates, the lifecycle's tables and function, and the status seeds copied in."""
    with engine.begin() as conn:
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.tracking'))"))
        for statement in TRACKING_DDL:
            conn.execute(text(statement))
        present = {name for name, _ in warehouse.columns(conn, "tracking", "candidates")}
        for column, column_type in ADDED_COLUMNS.items():
            if column not in present:
                conn.execute(text(f"alter table tracking.candidates add column {column} {column_type}"))
        lifecycle.ensure_lifecycle(conn)
        _constrain_status(conn)
        warehouse.set_comments(conn, "tracking.candidates", TABLE_COMMENT, COLUMN_COMMENTS)


def _constrain_status(conn) -> None:
    exists = conn.execute(
        text(
            "select exists (select from pg_constraint where conname = 'candidates_status_fkey' "
            "and conrelid = 'tracking.candidates'::regclass)"
        )
    ).scalar()
    if not exists:
        conn.execute(
            text(
                "alter table tracking.candidates add constraint candidates_status_fkey foreign key (status) "
                "references tracking.candidate_statuses (status)"
            )
        )


def publish_candidates(engine: Engine, as_of_date: dt.date, log=print) -> dict:
    """Upsert the as-of date's candidates, flag the firms that stopped qualifying, refresh tracked tiers and record
    every change as an event, in one transaction."""
    ensure_tracking_table(engine)
    with engine.begin() as conn:
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.tracking'))"))
        candidates: int = conn.execute(
            text("select count(*) from marts.precredit_candidates where as_of_date = :d"), {"d": as_of_date}
        ).scalar_one()
        conn.execute(
            text("create temporary table before_publication on commit drop as select * from tracking.candidates")
        )
        before: int = conn.execute(text("select count(*) from tracking.candidates")).scalar_one()
        upserted = conn.execute(text(_UPSERT_CANDIDATES), {"as_of_date": as_of_date}).rowcount
        after: int = conn.execute(text("select count(*) from tracking.candidates")).scalar_one()
        conn.execute(text(_CLEAR_REQUALIFIED), {"as_of_date": as_of_date})
        flagged = conn.execute(
            text(_FLAG_NOT_QUALIFYING), {"as_of_date": as_of_date, "precredit_tiers": list(rules.precredit_tiers())}
        ).rowcount
        refreshed = conn.execute(text(_REFRESH_TIERS)).rowcount
        recorded = conn.execute(text(_RECORD_EVENTS), {"as_of_date": as_of_date}).rowcount
    summary = {
        "as_of_date": as_of_date.isoformat(),
        "candidates": candidates,
        "new": after - before,
        "updated": upserted - (after - before),
        "tiers_refreshed": refreshed,
        "flagged_not_qualifying": flagged,
        "events": recorded,
        "tracked": after,
    }
    log(
        f"published {candidates} candidates for {as_of_date}: {summary['new']} new, {summary['updated']} updated, "
        f"{flagged} flagged as no longer qualifying, {refreshed} tracked tiers refreshed, {recorded} events; "
        f"{after} firms tracked"
    )
    return summary

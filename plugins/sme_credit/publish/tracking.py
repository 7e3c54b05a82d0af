"""Publish the day's pre-credit candidates into `tracking.candidates`, the table the risk team works from.

One row per enterprise that ever qualified. The pipeline maintains the dates, the current tier and the
suggested terms; `status` belongs to the risk team: it is 'new' when a row is first inserted and the
pipeline never writes it again. Publishing the same date twice changes nothing; publishing an older date
after a newer one (a backfill, a correction) never moves the current tier or terms back in time: it can only
move a first qualification earlier, or track a firm that qualified on that date only, at its latest tier.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from sme_credit import rules

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
    "comment on table tracking.candidates is "
    "'Pre-credit candidates tracked by the risk team: one row per enterprise that ever qualified.'",
]

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
    "status": "Owned by the risk team (e.g. new, contacted, applied, approved, declined). "
    "Set to new on first insert; the pipeline never changes it.",
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


def ensure_tracking_table(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.tracking'))"))
        for statement in TRACKING_DDL:
            conn.execute(text(statement))
        for column, comment in COLUMN_COMMENTS.items():
            conn.execute(text(f"comment on column tracking.candidates.{column} is :comment"), {"comment": comment})


def publish_candidates(engine: Engine, as_of_date: dt.date, log=print) -> dict:
    """Upsert the as-of date's candidates and refresh tracked tiers, in one transaction."""
    ensure_tracking_table(engine)
    with engine.begin() as conn:
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.tracking'))"))
        candidates: int = conn.execute(
            text("select count(*) from marts.precredit_candidates where as_of_date = :d"), {"d": as_of_date}
        ).scalar_one()
        before: int = conn.execute(text("select count(*) from tracking.candidates")).scalar_one()
        upserted = conn.execute(text(_UPSERT_CANDIDATES), {"as_of_date": as_of_date}).rowcount
        after: int = conn.execute(text("select count(*) from tracking.candidates")).scalar_one()
        refreshed = conn.execute(text(_REFRESH_TIERS)).rowcount
    summary = {
        "as_of_date": as_of_date.isoformat(),
        "candidates": candidates,
        "new": after - before,
        "updated": upserted - (after - before),
        "tiers_refreshed": refreshed,
        "tracked": after,
    }
    log(
        f"published {candidates} candidates for {as_of_date}: {summary['new']} new, {summary['updated']} updated, "
        f"{refreshed} tracked tiers refreshed; {after} firms tracked"
    )
    return summary

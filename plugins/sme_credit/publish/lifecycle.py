"""The candidate lifecycle the risk team owns: statuses, allowed transitions, and an append-only event history.

The statuses and transitions are the seeds `candidate_statuses` and `candidate_status_transitions` (the business
edits them); `ensure_lifecycle` copies them into `tracking`, where a foreign key holds `tracking.candidates.status`
to them and the function `tracking.set_candidate_status` checks a change against them. That function is the one
way to change a status: the CLI calls it, and so can a BI or CRM tool (role `risk_team` may execute it, never
update the table). Every change, by the pipeline or by a person, is a row of `tracking.candidate_events`, which
refuses updates and deletes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from sme_credit import rules, warehouse
from sme_credit.errors import CandidateStatusError

PIPELINE_ACTOR = "pipeline"

# Events the pipeline writes, and the ones people's changes write (through tracking.set_candidate_status).
PIPELINE_EVENTS = {
    "qualified": "first qualification: the pipeline starts tracking the firm",
    "terms_changed": "a newer qualification suggests other terms (limit, term, product or rate band)",
    "tier_changed": "the firm's tier (or score) on the latest scored date changed",
    "no_longer_qualifies": "the firm is no longer a candidate on a date after its last qualification (reason given)",
    "requalified": "a firm flagged as no longer qualifying is a candidate again",
    "triggered_from_watch": "a firm on watch came to meet its missing condition and became a candidate",
}
PEOPLE_EVENTS = {
    "status_changed": "a person changed the status",
    "note_added": "a person added a note without changing the status",
}

LIFECYCLE_DDL = [
    """
    create table if not exists tracking.candidate_statuses (
        status text primary key,
        name_zh text not null,
        description text not null
    )
    """,
    """
    create table if not exists tracking.candidate_status_transitions (
        from_status text not null references tracking.candidate_statuses (status),
        to_status text not null references tracking.candidate_statuses (status),
        primary key (from_status, to_status)
    )
    """,
    """
    create table if not exists tracking.candidate_events (
        event_id bigint generated always as identity primary key,
        uscc text not null references tracking.candidates (uscc),
        event_type text not null,
        as_of_date date,
        actor text not null check (btrim(actor) <> ''),
        occurred_at timestamptz not null default clock_timestamp(),
        before jsonb,
        after jsonb,
        note text
    )
    """,
    """
    create or replace function tracking.refuse_event_change() returns trigger language plpgsql as $$
    begin
        raise exception 'tracking.candidate_events is append-only: % refused', tg_op
            using errcode = 'insufficient_privilege';
    end
    $$
    """,
    # security definer: the risk team changes statuses through it without any right on the table itself
    """
    create or replace function tracking.set_candidate_status(
        p_uscc text, p_status text, p_actor text, p_note text default null
    ) returns bigint
    language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
    declare
        current_status text;
        allowed text;
        event bigint;
    begin
        if p_actor is null or btrim(p_actor) = '' then
            raise exception 'who makes the change? give a name (--by)' using errcode = 'invalid_parameter_value';
        end if;
        select status into current_status from tracking.candidates where uscc = p_uscc for update;
        if not found then
            raise exception 'no tracked candidate has USCC %', p_uscc using errcode = 'no_data_found';
        end if;
        if not exists (select from tracking.candidate_statuses where status = p_status) then
            raise exception 'unknown status %; the statuses are: %', quote_literal(p_status),
                (select string_agg(status, ', ' order by status) from tracking.candidate_statuses)
                using errcode = 'invalid_parameter_value';
        end if;
        if p_status = current_status then
            if nullif(btrim(p_note), '') is null then
                raise exception '% is already %; nothing to change (add --note to record a note)',
                    p_uscc, current_status using errcode = 'invalid_parameter_value';
            end if;
            insert into tracking.candidate_events (uscc, event_type, actor, before, after, note)
            values (p_uscc, 'note_added', btrim(p_actor), null, null, p_note)
            returning event_id into event;
            return event;
        end if;
        if not exists (
            select from tracking.candidate_status_transitions
            where from_status = current_status and to_status = p_status
        ) then
            select string_agg(to_status, ', ' order by to_status) into allowed
            from tracking.candidate_status_transitions where from_status = current_status;
            raise exception 'cannot change % from % to %; from % it can go to: %', p_uscc, current_status,
                p_status, current_status, coalesce(allowed, 'nothing')
                using errcode = 'invalid_parameter_value';
        end if;
        update tracking.candidates
        set status = p_status, status_changed_at = now(), status_changed_by = btrim(p_actor)
        where uscc = p_uscc;
        insert into tracking.candidate_events (uscc, event_type, actor, before, after, note)
        values (p_uscc, 'status_changed', btrim(p_actor), jsonb_build_object('status', current_status),
                jsonb_build_object('status', p_status), nullif(btrim(p_note), ''))
        returning event_id into event;
        return event;
    end
    $$
    """,
    # PostgreSQL lets PUBLIC execute a new function: this one only the risk team may (sme_credit.access grants it)
    "revoke all on function tracking.set_candidate_status(text, text, text, text) from public",
]

# Made only where missing: `create index`, `create trigger` (and `drop trigger`) lock the events table, so on a
# set-up warehouse they waited for every open read of it, and every later read queued behind them. A changed
# definition takes a new name.
EVENTS_INDEX = (
    "tracking.candidate_events_uscc_idx",
    "create index candidate_events_uscc_idx on tracking.candidate_events (uscc, event_id)",
)
EVENTS_TRIGGERS = {
    "candidate_events_append_only": """
    create trigger candidate_events_append_only before update or delete on tracking.candidate_events
    for each row execute function tracking.refuse_event_change()
    """,
    "candidate_events_no_truncate": """
    create trigger candidate_events_no_truncate before truncate on tracking.candidate_events
    for each statement execute function tracking.refuse_event_change()
    """,
}

TABLE_COMMENTS = {
    "tracking.candidate_statuses": "The statuses of tracking.candidates.status (copied from seed candidate_statuses).",
    "tracking.candidate_status_transitions": "The status changes allowed (copied from seed "
    "candidate_status_transitions); tracking.set_candidate_status refuses any other.",
    "tracking.candidate_events": "Append-only history of every change to a tracked candidate, by the pipeline "
    f"(event_type {', '.join(PIPELINE_EVENTS)}) or by people ({', '.join(PEOPLE_EVENTS)}), with actor, time and "
    "the values before and after. Updates and deletes are refused.",
}

EVENT_COLUMN_COMMENTS = {
    "event_id": "Increasing number of the event: the order events were recorded in.",
    "uscc": "Unified Social Credit Code of the tracked firm.",
    "event_type": "What happened: " + "; ".join(f"{k} = {v}" for k, v in {**PIPELINE_EVENTS, **PEOPLE_EVENTS}.items()),
    "as_of_date": "The business date the pipeline published when it recorded the event; NULL for people's changes.",
    "actor": f"Who made the change: '{PIPELINE_ACTOR}' or the person's name as given.",
    "occurred_at": "When the change was recorded.",
    "before": "The changed values before the event (JSON); NULL when there were none.",
    "after": "The changed values after the event (JSON), e.g. the reason a firm no longer qualifies.",
    "note": "A person's note, as written.",
}


def ensure_lifecycle(conn: Connection) -> None:
    """Create the lifecycle tables and function, and copy the status seeds into them (the caller's transaction)."""
    for statement in LIFECYCLE_DDL:
        conn.execute(text(statement))
    warehouse.create_index_if_missing(conn, *EVENTS_INDEX)
    existing: set[str] = set(
        conn.execute(
            text("select tgname from pg_trigger where tgrelid = cast('tracking.candidate_events' as regclass)")
        ).scalars()
    )
    for name, create_sql in EVENTS_TRIGGERS.items():
        if name not in existing:
            conn.execute(text(create_sql))
    for table, comment in TABLE_COMMENTS.items():
        columns = EVENT_COLUMN_COMMENTS if table == "tracking.candidate_events" else {}
        warehouse.set_comments(conn, table, comment, columns)
    _copy_statuses(conn)


def _copy_statuses(conn: Connection) -> None:
    statuses = rules.seed_rows("candidate_statuses")
    transitions = rules.seed_rows("candidate_status_transitions")
    conn.execute(
        text(
            "insert into tracking.candidate_statuses (status, name_zh, description) values (:status, :name_zh, "
            ":description) on conflict (status) do update set name_zh = excluded.name_zh, "
            "description = excluded.description"
        ),
        statuses,
    )
    conn.execute(text("delete from tracking.candidate_status_transitions"))
    conn.execute(
        text("insert into tracking.candidate_status_transitions values (:from_status, :to_status)"), transitions
    )
    wanted = [row["status"] for row in statuses]
    rows = conn.execute(
        text("select distinct status from tracking.candidates where status <> all(:wanted)"), {"wanted": wanted}
    )
    if stranded := sorted(str(row[0]) for row in rows):
        raise CandidateStatusError(
            f"seed candidate_statuses no longer lists {', '.join(stranded)}, which tracked firms still have: "
            "add the status back, or move those firms to another status first"
        )
    conn.execute(text("delete from tracking.candidate_statuses where status <> all(:wanted)"), {"wanted": wanted})


@dataclass(frozen=True)
class StatusChange:
    event_id: int
    uscc: str
    status: str
    previous_status: str


def set_status(engine: Engine, uscc: str, status: str, actor: str, note: str | None = None) -> StatusChange:
    """Change a tracked firm's status through tracking.set_candidate_status; its refusals become
    CandidateStatusError with the function's own message (which lists what is allowed)."""
    try:
        with engine.begin() as conn:
            previous = conn.execute(
                text("select status from tracking.candidates where uscc = :uscc"), {"uscc": uscc}
            ).scalar()
            event_id: int = conn.execute(
                text("select tracking.set_candidate_status(:uscc, :status, :actor, :note)"),
                {"uscc": uscc, "status": status, "actor": actor, "note": note},
            ).scalar_one()
    except DBAPIError as error:
        diagnostics = getattr(error.orig, "diag", None)
        message = getattr(diagnostics, "message_primary", None) or str(error.orig).splitlines()[0]
        raise CandidateStatusError(message) from None
    return StatusChange(event_id, uscc, status, previous or status)


def events(engine: Engine, uscc: str) -> list[dict]:
    """The firm's events, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select event_id, event_type, as_of_date, actor, occurred_at, before, after, note "
                "from tracking.candidate_events where uscc = :uscc order by event_id"
            ),
            {"uscc": uscc},
        )
        return [dict(row._mapping) for row in rows]


def transitions(engine: Engine) -> dict[str, list[str]]:
    """Each status (seed order is lost in the table: alphabetical) with the statuses it may change to."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select s.status, coalesce(array_agg(t.to_status order by t.to_status) filter "
                "(where t.to_status is not null), '{}') from tracking.candidate_statuses as s "
                "left join tracking.candidate_status_transitions as t on t.from_status = s.status "
                "group by s.status order by s.status"
            )
        )
        return {row[0]: list(row[1]) for row in rows}

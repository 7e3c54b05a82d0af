"""One build at a time per warehouse: a lease that a build run takes before dbt and gives back after publishing.

Every build writes the same incremental models and the same `marts_build` tables, which its gates then read and
its publish step copies: a second build in between would have the first validate or publish the other's slice.
Airflow keeps one run of the build DAG at a time (`max_active_runs=1`), but counts a backfill's runs apart from
the daily ones, so a backfill and the daily build could otherwise run side by side. A run that finds the lease
held waits (the DAG's `claim_build` sensor) until the holder gives it back; a holder whose Airflow run is no
longer queued or running (killed, or marked failed before its teardown ran) loses it to the next claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text

from sme_credit import warehouse

TABLE = "audit.build_lease"
_LOCK = "select pg_advisory_xact_lock(hashtext('sme_credit.orchestration.build_lease'))"
_DDL = (
    "create schema if not exists audit",
    f"""
    create table if not exists {TABLE} (
        lease text primary key check (lease = 'build'),
        dag_id text not null,
        run_id text not null,
        as_of_date date not null,
        claimed_at timestamptz not null default now()
    )
    """,
)
_COMMENT = (
    "The build run that holds the warehouse (one build at a time): claimed before dbt, given back after publishing."
)


@dataclass(frozen=True)
class Holder:
    dag_id: str
    run_id: str
    as_of_date: dt.date
    claimed_at: dt.datetime

    def __str__(self) -> str:
        return f"{self.dag_id} run {self.run_id} (building {self.as_of_date}, since {self.claimed_at:%Y-%m-%d %H:%M})"


def claim(
    engine: Engine,
    dag_id: str,
    run_id: str,
    as_of_date: dt.date,
    is_active: Callable[[str, str], bool],
    log=print,
) -> Holder | None:
    """Take the lease for the run, or return who holds it. The run's own lease is taken again (a retry); one
    whose holder `is_active(dag_id, run_id)` says has ended is taken over."""
    with engine.begin() as conn:
        conn.execute(text(_LOCK))
        for statement in _DDL:
            conn.execute(text(statement))
        warehouse.set_comments(conn, TABLE, _COMMENT, {})
        row = conn.execute(text(f"select dag_id, run_id, as_of_date, claimed_at from {TABLE}")).first()
        holder = Holder(row.dag_id, row.run_id, row.as_of_date, row.claimed_at) if row else None
        if holder and (holder.dag_id, holder.run_id) != (dag_id, run_id):
            if is_active(holder.dag_id, holder.run_id):
                return holder
            log(f"taking over the build lease from {holder}: that run is no longer queued or running")
        conn.execute(
            text(f"""
            insert into {TABLE} (lease, dag_id, run_id, as_of_date) values ('build', :dag_id, :run_id, :day)
            on conflict (lease) do update
            set dag_id = excluded.dag_id, run_id = excluded.run_id, as_of_date = excluded.as_of_date,
                claimed_at = now()
            """),
            {"dag_id": dag_id, "run_id": run_id, "day": as_of_date},
        )
    log(f"{dag_id} run {run_id} holds the build lease for {as_of_date}")
    return None


def release(engine: Engine, dag_id: str, run_id: str, log=print) -> bool:
    """Give the run's lease back; False when it did not hold it (taken over, or never claimed)."""
    with engine.begin() as conn:
        conn.execute(text(_LOCK))
        if conn.execute(text(f"select to_regclass('{TABLE}') is null")).scalar():
            return False
        released = conn.execute(
            text(f"delete from {TABLE} where dag_id = :dag_id and run_id = :run_id"),
            {"dag_id": dag_id, "run_id": run_id},
        ).rowcount
    log(f"{dag_id} run {run_id} " + ("gave the build lease back" if released else "did not hold the build lease"))
    return bool(released)

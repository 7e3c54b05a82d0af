"""Backfill a range of dates through the running Airflow (`sme-credit backfill`): sme_ingest's backfill first, then
sme_credit_build's, each one active run at a time so the dates go in date order, each date its own run.

Airflow does the work (`POST /api/v2/backfills`, what `airflow backfill create` and the UI's backfill dialog
do); this waits for each backfill, prints every run as it ends, and stops before the build when an ingest date
failed. An ingest backfill's raw Asset events do not build (the build's runs that they trigger end skipped): the
build's own backfill does, one run per date, each building its logical date.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sme_credit_dev.airflow_api import AirflowApi

FINISHED = ("success", "failed")


class BackfillError(RuntimeError):
    """Airflow refused or could not finish the backfill; the message says what to do."""


@dataclass
class DagBackfill:
    dag_id: str
    backfill_id: int
    states: dict[dt.date, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[dt.date]:
        return sorted(day for day, state in self.states.items() if state != "success")


def _midnight(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).isoformat()


def _runs(api: AirflowApi, dag_id: str, start: dt.date, end: dt.date) -> list[dict]:
    params = {
        "run_type": "backfill",
        "logical_date_gte": _midnight(start),
        "logical_date_lte": _midnight(end),
        "order_by": "logical_date",
        "limit": 1000,
    }
    return api.call("GET", f"/dags/{dag_id}/dagRuns", params=params)["dag_runs"]


def backfill_dag(
    api: AirflowApi,
    dag_id: str,
    start: dt.date,
    end: dt.date,
    reprocess: str = "completed",
    poll_seconds: float = 5,
    timeout: dt.timedelta = dt.timedelta(hours=24),
    log=print,
) -> DagBackfill:
    """Create the DAG's backfill over [start, end] with one active run, and wait until every run has ended."""
    if api.call("GET", f"/dags/{dag_id}")["is_paused"]:
        raise BackfillError(
            f"{dag_id} is paused, and Airflow starts no run of a paused DAG, backfills included: unpause it "
            f"(`sme-credit airflow dags unpause {dag_id}`, or its toggle in the UI) and run this again"
        )
    created = api.call(
        "POST",
        "/backfills",
        json={
            "dag_id": dag_id,
            "from_date": _midnight(start),
            "to_date": _midnight(end),
            "max_active_runs": 1,  # one date after the other, in date order
            "reprocess_behavior": reprocess,
        },
    )
    result = DagBackfill(dag_id, created["id"])
    log(f"{dag_id}: backfill {created['id']} of {start} .. {end} created (reprocess: {reprocess})")
    deadline = time.monotonic() + timeout.total_seconds()
    while True:
        for run in _runs(api, dag_id, start, end):
            day = dt.date.fromisoformat(run["logical_date"][:10])
            if run["state"] in FINISHED and result.states.get(day) != run["state"]:
                result.states[day] = run["state"]
                log(f"{dag_id} {day}: {run['state']} ({run['dag_run_id']})")
        if api.call("GET", f"/backfills/{created['id']}")["completed_at"]:
            break
        if time.monotonic() > deadline:
            raise BackfillError(f"{dag_id}: backfill {created['id']} has not ended after {timeout}")
        time.sleep(poll_seconds)
    return result


def backfill(
    api: AirflowApi,
    start: dt.date,
    end: dt.date,
    dag_ids: tuple[str, ...],
    reprocess: str = "completed",
    poll_seconds: float = 5,
    log=print,
) -> list[DagBackfill]:
    """Backfill each DAG in turn (ingest before the build); a DAG is not started after one whose dates failed."""
    if end < start:
        raise BackfillError(f"the range ends ({end}) before it starts ({start})")
    done = []
    for dag_id in dag_ids:
        result = backfill_dag(api, dag_id, start, end, reprocess, poll_seconds, log=log)
        done.append(result)
        if result.failed:
            left = [d for d in dag_ids if d not in {r.dag_id for r in done}]
            raise BackfillError(
                f"{dag_id} did not succeed for {', '.join(map(str, result.failed))}: see those runs in the Airflow "
                f"UI, fix the cause, then backfill again" + (f"; not started: {', '.join(left)}" if left else "")
            )
    return done

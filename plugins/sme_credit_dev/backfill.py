"""Backfill a range of dates through the running Airflow (`sme-credit backfill`): sme_ingest's backfill first, then
sme_credit_build's, each one active run at a time so the dates go in date order, each date its own run.

Airflow does the work (`POST /api/v2/backfills`, what `airflow backfill create` and the UI's backfill dialog
do); this waits for each backfill, prints every run as it ends, and stops before the build when an ingest date
failed. An ingest backfill's raw Asset events do not build (the build's runs that they trigger end skipped): the
build's own backfill does, one run per date, each building its logical date.

Airflow runs one backfill per DAG at a time. A backfill of the same dates that is still running (this command
was interrupted, or its request was answered with an error after Airflow had created it) is resumed: waited
for, and unpaused if it was paused. One of other dates is named, with the way to cancel it (`cancel`).

Airflow's scheduler runs the backfill's runs. If it stops (`airflow standalone` does not restart it: when the
local metadata was in SQLite, a backfill request that met the database lock and was rolled back once deleted runs
the scheduler was scheduling, and it exited on the error), nothing moves; the wait stops after `SCHEDULER_GRACE`
of an unhealthy scheduler (`GET /monitor/health`) and says so, rather than waiting for the day-long timeout.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sme_credit_dev.airflow_api import AirflowApi, AirflowApiError

FINISHED = ("success", "failed")
CONFLICT = 409  # Airflow's answer to a backfill of a DAG that has one running
SCHEDULER_GRACE = dt.timedelta(minutes=2)  # unhealthy this long: it is not a slow heartbeat, it has stopped


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


def unfinished_backfills(api: AirflowApi, dag_id: str) -> list[dict]:
    """The DAG's backfills that have not ended (at most one, as Airflow allows), newest first."""
    answer = api.call("GET", "/backfills", params={"dag_id": dag_id, "order_by": "-id", "limit": 100})
    return [found for found in answer["backfills"] if not found["completed_at"]]


def _dates(found: dict) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(found["from_date"][:10]), dt.date.fromisoformat(found["to_date"][:10])


def _describe(found: dict) -> str:
    first, last = _dates(found)
    paused = ", paused" if found["is_paused"] else ""
    return f"backfill {found['id']} of {first} .. {last} (reprocess: {found['reprocess_behavior']}{paused})"


def _running_backfill_of(api: AirflowApi, dag_id: str, start: dt.date, end: dt.date, log) -> dict | None:
    """The DAG's running backfill of exactly these dates, to resume; an error naming one of other dates."""
    running = unfinished_backfills(api, dag_id)
    if not running:
        return None
    found = running[0]
    if _dates(found) != (start, end):
        raise BackfillError(
            f"{dag_id} has {_describe(found)} still running, and Airflow runs one backfill per DAG at a time: wait "
            f"for it to end (the UI's Backfills tab of {dag_id}), or cancel it with `sme-credit backfill --cancel "
            f"--dag {dag_id}`, then run this again"
        )
    if found["is_paused"]:
        api.call("PUT", f"/backfills/{found['id']}/unpause")
    log(f"{dag_id}: resuming {_describe(found)}, which was still running")
    return found


def _create_backfill(api: AirflowApi, dag_id: str, start: dt.date, end: dt.date, reprocess: str, log) -> dict:
    request = {
        "dag_id": dag_id,
        "from_date": _midnight(start),
        "to_date": _midnight(end),
        "max_active_runs": 1,  # one date after the other, in date order
        "reprocess_behavior": reprocess,
    }
    try:
        created = api.call("POST", "/backfills", json=request)
    except AirflowApiError as error:
        # a backfill created between the look before and this request, or by an attempt whose answer was an error
        running = _running_backfill_of(api, dag_id, start, end, log) if error.status == CONFLICT else None
        if running is None:
            raise
        return running
    log(f"{dag_id}: backfill {created['id']} of {start} .. {end} created (reprocess: {reprocess})")
    return created


def backfill_dag(
    api: AirflowApi,
    dag_id: str,
    start: dt.date,
    end: dt.date,
    reprocess: str = "completed",
    poll_seconds: float = 5,
    timeout: dt.timedelta = dt.timedelta(hours=24),
    scheduler_grace: dt.timedelta = SCHEDULER_GRACE,
    log=print,
) -> DagBackfill:
    """Create the DAG's backfill over [start, end] with one active run (or resume the one running over them), and
    wait until every run has ended."""
    if api.call("GET", f"/dags/{dag_id}")["is_paused"]:
        raise BackfillError(
            f"{dag_id} is paused, and Airflow starts no run of a paused DAG, backfills included: unpause it "
            f"(`sme-credit airflow dags unpause {dag_id}`, or its toggle in the UI) and run this again"
        )
    running = _running_backfill_of(api, dag_id, start, end, log)
    backfill_id = (running or _create_backfill(api, dag_id, start, end, reprocess, log))["id"]
    result = DagBackfill(dag_id, backfill_id)
    deadline = time.monotonic() + timeout.total_seconds()
    scheduler = SchedulerWatch(api, scheduler_grace)
    while True:
        # ended before the runs are read: the states read last are then the final ones
        ended = api.call("GET", f"/backfills/{backfill_id}")["completed_at"]
        for run in _runs(api, dag_id, start, end):
            day = dt.date.fromisoformat(run["logical_date"][:10])
            if run["state"] in FINISHED and result.states.get(day) != run["state"]:
                result.states[day] = run["state"]
                log(f"{dag_id} {day}: {run['state']} ({run['dag_run_id']})")
        if ended:
            break
        if time.monotonic() > deadline:
            raise BackfillError(f"{dag_id}: backfill {backfill_id} has not ended after {timeout}")
        if stopped := scheduler.stopped():
            raise BackfillError(
                f"{dag_id}: backfill {backfill_id} cannot go on: Airflow's scheduler {stopped}. Start Airflow again "
                "(`make airflow-ui`, or the scheduler of `make airflow-services`), then run this command again: it "
                "resumes the backfill"
            )
        time.sleep(poll_seconds)
    return result


class SchedulerWatch:
    """Whether Airflow's scheduler has been unhealthy (no heartbeat within Airflow's threshold) for `grace`."""

    def __init__(self, api: AirflowApi, grace: dt.timedelta) -> None:
        self.api, self.grace = api, grace.total_seconds()
        self.unhealthy_since: float | None = None

    def stopped(self) -> str:
        """'' while it runs (or has been unhealthy for less than the grace); else what Airflow says of it."""
        health = self.api.call("GET", "/monitor/health").get("scheduler") or {}
        if health.get("status") == "healthy":
            self.unhealthy_since = None
            return ""
        now = time.monotonic()
        if self.unhealthy_since is None:
            self.unhealthy_since = now
        if now - self.unhealthy_since < self.grace:
            return ""
        return (
            f"has been {health.get('status') or 'unknown'} for {now - self.unhealthy_since:.0f} s (last heartbeat: "
            f"{health.get('latest_scheduler_heartbeat') or 'none'})"
        )


def cancel(api: AirflowApi, dag_ids: tuple[str, ...], log=print) -> None:
    """Cancel the DAGs' running backfills: Airflow fails their runs not yet started; a run already going ends as it
    would have."""
    for dag_id in dag_ids:
        running = unfinished_backfills(api, dag_id)
        for found in running:
            api.call("PUT", f"/backfills/{found['id']}/cancel")
            log(f"{dag_id}: {_describe(found)} cancelled")
        if not running:
            log(f"{dag_id}: no backfill running")


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

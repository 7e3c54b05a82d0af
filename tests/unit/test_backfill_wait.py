"""`sme-credit backfill` waiting on Airflow, against a real local HTTP server answering as Airflow's REST API does
for a backfill that is running: a scheduler that stops is reported within the grace, with what to do, rather
than waited for until the day-long timeout; one that is slow for a moment is waited for."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest

from sme_credit_dev.airflow_api import AirflowApi
from sme_credit_dev.backfill import BackfillError, backfill_dag
from tests.receivers import HttpReceiver

FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
RUNNING = {
    "id": 7,
    "from_date": "2026-11-01T00:00:00Z",
    "to_date": "2026-11-02T00:00:00Z",
    "completed_at": None,
    "is_paused": False,
    "reprocess_behavior": "completed",
}
HEARTBEAT = "2026-12-06T22:08:22.9+00:00"


def running_airflow(scheduler: Iterator[bool], ends_after: int | None = None) -> tuple[HttpReceiver, list[str]]:
    """An Airflow with backfill 7 of FIRST .. LAST running (so it is resumed, not created); `scheduler` says
    whether each health check finds the scheduler healthy; the backfill ends at the `ends_after`-th look."""
    asked: list[str] = []
    looks = itertools.count(1)

    def answer_get(path: str) -> tuple[int, dict]:
        asked.append(path)
        if path.startswith("/api/v2/monitor/health"):
            healthy = next(scheduler)
            return 200, {
                "metadatabase": {"status": "healthy"},
                "scheduler": {
                    "status": "healthy" if healthy else "unhealthy",
                    "latest_scheduler_heartbeat": HEARTBEAT,
                },
            }
        if path == "/api/v2/dags/sme_ingest":
            return 200, {"is_paused": False}
        if path.startswith("/api/v2/backfills?"):
            return 200, {"backfills": [RUNNING]}
        if path == "/api/v2/backfills/7":
            ended = ends_after is not None and next(looks) >= ends_after
            return 200, {**RUNNING, "completed_at": "2026-12-06T22:10:00Z" if ended else None}
        if path.startswith("/api/v2/dags/sme_ingest/dagRuns?"):
            return 200, {"dag_runs": []}
        return 404, {"detail": f"not found: {path}"}

    return HttpReceiver(answer_get=answer_get), asked


def _wait(airflow: HttpReceiver, grace: float):
    api = AirflowApi(airflow.base_url, "t0ken", busy_waits=())
    return backfill_dag(
        api,
        "sme_ingest",
        FIRST,
        LAST,
        poll_seconds=0.02,
        timeout=dt.timedelta(seconds=10),  # without the scheduler watch, the first test ends here, failing
        scheduler_grace=dt.timedelta(seconds=grace),
        log=print,
    )


def test_a_scheduler_that_stopped_ends_the_wait_saying_what_to_do():
    # healthy for three looks, then never again (what `airflow standalone` leaves when its scheduler exits)
    scheduler = itertools.chain([True] * 3, itertools.repeat(False))
    airflow, asked = running_airflow(scheduler)
    with airflow, pytest.raises(BackfillError) as raised:
        _wait(airflow, grace=0.3)
    message = str(raised.value)
    assert "sme_ingest: backfill 7 cannot go on: Airflow's scheduler has been unhealthy for" in message
    assert f"(last heartbeat: {HEARTBEAT})" in message and "run this command again: it resumes the backfill" in message
    health_checks = sum(path.startswith("/api/v2/monitor/health") for path in asked)
    assert health_checks > 3 + 5  # it kept waiting through the grace, looking again each poll
    assert not airflow.posts  # the running backfill was resumed, not created again


def test_a_scheduler_unhealthy_for_less_than_the_grace_is_waited_for(capsys):
    # a missed heartbeat or two (a busy machine), then healthy: the backfill ends and its wait with it
    scheduler = itertools.chain([True, False, False, True], itertools.repeat(True))
    airflow, _ = running_airflow(scheduler, ends_after=6)
    with airflow:
        result = _wait(airflow, grace=5)
    assert result.backfill_id == 7 and result.states == {}
    assert "sme_ingest: resuming backfill 7 of 2026-11-01 .. 2026-11-02" in capsys.readouterr().out

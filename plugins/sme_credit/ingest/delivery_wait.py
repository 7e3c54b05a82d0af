"""Waiting for the day's files of a feed without holding a worker slot: a deferrable operator and its trigger.

The wait asks only whether each expected file of the day (the main file of every table the feed always delivers
that day, see `feeds.is_delivery_day` and `RawTable.always_delivered`) is in the landing area. On arrival the
load runs; when the feed's wait time (`feeds.FEED_POLICIES`) runs out, the feed's late-delivery policy decides:
fail the task, or warn and go on with what has arrived. A backfill's run does not wait: a past delivery that is
not there will not come now, so the policy decides at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException
from airflow.triggers.base import BaseTrigger, TriggerEvent

from sme_credit import settings
from sme_credit.contract.feeds import FAIL, FEED_POLICIES, delivery_dir, is_delivery_day, tables_of
from sme_credit.orchestration import alerts
from sme_credit.orchestration.dag_support import backfill_date_of


def expected_files(landing: Path, feed: str, day: dt.date) -> list[Path]:
    """The main file of every table of `feed` that each delivery of that day brings (not the tables whose file
    comes only with rows to carry, such as tax credit ratings)."""
    return [
        delivery_dir(landing, feed, day) / table.file_name(day)
        for table in tables_of(feed)
        if table.always_delivered and is_delivery_day(table, day)
    ]


def missing_files(landing: Path, feed: str, day: dt.date) -> list[str]:
    return [path.relative_to(landing).as_posix() for path in expected_files(landing, feed, day) if not path.is_file()]


class DeliveryTrigger(BaseTrigger):
    """Fires when the day's files of a feed are all there, or when the deadline passes."""

    def __init__(self, landing: str, feed: str, day: str, deadline: str, poll_seconds: float = 60.0):
        super().__init__()
        self.landing, self.feed, self.day, self.deadline, self.poll_seconds = landing, feed, day, deadline, poll_seconds

    def serialize(self) -> tuple[str, dict]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "landing": self.landing,
                "feed": self.feed,
                "day": self.day,
                "deadline": self.deadline,
                "poll_seconds": self.poll_seconds,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        deadline = dt.datetime.fromisoformat(self.deadline)
        while True:
            missing = missing_files(Path(self.landing), self.feed, dt.date.fromisoformat(self.day))
            if not missing:
                yield TriggerEvent({"status": "arrived", "feed": self.feed, "day": self.day})
                return
            left = (deadline - dt.datetime.now(dt.UTC)).total_seconds()
            if left <= 0:
                yield TriggerEvent({"status": "timed_out", "feed": self.feed, "day": self.day, "missing": missing})
                return
            await asyncio.sleep(min(self.poll_seconds, left))


class WaitForDelivery(BaseOperator):
    """Defers until the run day's files of `feed` have landed; returns at once when none are due that day."""

    def __init__(self, *, feed: str, poll_seconds: float = 60.0, **kwargs):
        super().__init__(**kwargs)
        self.feed, self.poll_seconds = feed, poll_seconds
        if "execution_timeout" not in kwargs:  # the DAG's default would end a long wait early
            self.execution_timeout = dt.timedelta(hours=FEED_POLICIES[feed].wait_hours + 1)

    def execute(self, context) -> dict:
        day = dt.date.fromisoformat(context["ds"])
        landing = settings.landing_dir()
        if not expected_files(landing, self.feed, day):
            self.log.info("No %s delivery is due on %s.", self.feed, day)
            return {"feed": self.feed, "day": day.isoformat(), "status": "none_due"}
        missing = missing_files(landing, self.feed, day)
        if not missing:
            return {"feed": self.feed, "day": day.isoformat(), "status": "arrived"}
        if backfill_date_of(context.get("dag_run")):
            event = {"status": "timed_out", "feed": self.feed, "day": day.isoformat(), "missing": missing}
            return self.execute_complete(context, event)
        hours = FEED_POLICIES[self.feed].wait_hours
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        self.log.info("Waiting up to %s h for %s", hours, ", ".join(missing))
        self.defer(
            trigger=DeliveryTrigger(str(landing), self.feed, day.isoformat(), deadline.isoformat(), self.poll_seconds),
            method_name="execute_complete",
        )

    def execute_complete(self, context, event: dict) -> dict:
        if event["status"] == "arrived":
            return {"feed": self.feed, "day": event["day"], "status": "arrived"}
        if backfill_date_of(context.get("dag_run")):
            waited = "a backfill does not wait for a past date"
        else:
            waited = f"waited {FEED_POLICIES[self.feed].wait_hours} h"
        message = (
            f"{self.feed}: the delivery of {event['day']} has not arrived ({waited}); "
            f"missing {', '.join(event['missing'])}"
        )
        if FEED_POLICIES[self.feed].late_delivery == FAIL:
            raise AirflowFailException(message)
        self.log.warning("%s. Loading what has arrived (the feed's policy says warn).", message)
        alerts.policy_warnings(self.feed, event["day"], [f"{message}; loading what has arrived"], context)
        return {"feed": self.feed, "day": event["day"], "status": "late"}

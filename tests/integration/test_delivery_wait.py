"""The deferrable wait for a day's files: its trigger really polls the landing area, fires on arrival, and gives
up at the deadline; the operator does not defer when nothing is due or everything is there."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from types import SimpleNamespace

from sme_credit.contract.feeds import DELIVERY_DAY
from sme_credit.ingest.delivery_wait import DeliveryTrigger, WaitForDelivery, expected_files, missing_files


async def _first_event(trigger: DeliveryTrigger):
    async for event in trigger.run():
        return event.payload


def _trigger(landing, feed, day, seconds):
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()
    return DeliveryTrigger(str(landing), feed, day.isoformat(), deadline, poll_seconds=0.05)


def test_the_trigger_fires_when_the_days_files_land(tmp_path):
    day = dt.date(2026, 12, DELIVERY_DAY)
    expected = expected_files(tmp_path, "tax", day)
    # the contract: tax credit ratings come only in deliveries that carry ratings, so no one waits for them
    assert [p.name for p in expected] == ["tax_filings_20261203.csv"]

    def deliver():
        time.sleep(0.3)
        for path in expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("header\n")

    threading.Thread(target=deliver).start()
    started = time.monotonic()
    event = asyncio.run(_first_event(_trigger(tmp_path, "tax", day, seconds=30)))
    assert event["status"] == "arrived" and 0.25 < time.monotonic() - started < 10


def test_the_trigger_gives_up_at_the_deadline_naming_what_is_missing(tmp_path):
    day = dt.date(2026, 12, 4)
    event = asyncio.run(_first_event(_trigger(tmp_path, "settlement", day, seconds=0.3)))
    assert event == {
        "status": "timed_out",
        "feed": "settlement",
        "day": "2026-12-04",
        "missing": ["settlement/delivery_date=2026-12-04/settlement_transactions_20261204.csv"],
    }


def test_the_trigger_survives_serialisation(tmp_path):
    trigger = _trigger(tmp_path, "court", dt.date(2026, 12, 3), seconds=5)
    classpath, kwargs = trigger.serialize()
    assert classpath == "sme_credit.ingest.delivery_wait.DeliveryTrigger"
    assert DeliveryTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_the_operator_returns_at_once_when_nothing_is_due_or_all_has_landed(tmp_path, monkeypatch):
    monkeypatch.setenv("LANDING_DIR", str(tmp_path))
    wait = WaitForDelivery(task_id="wait_tax", feed="tax")
    assert wait.execute({"ds": "2026-12-10"})["status"] == "none_due"  # monthly feeds land on the 3rd only
    for path in expected_files(tmp_path, "tax", dt.date(2026, 12, 3)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("header\n")
    assert missing_files(tmp_path, "tax", dt.date(2026, 12, 3)) == []
    assert wait.execute({"ds": "2026-12-03"})["status"] == "arrived"


def test_a_late_delivery_fails_own_systems_and_warns_for_outside_providers():
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    late = {"status": "timed_out", "day": "2026-12-03", "missing": ["x.csv"]}
    with pytest.raises(AirflowFailException, match="settlement: the delivery of 2026-12-03 has not arrived"):
        WaitForDelivery(task_id="wait_settlement", feed="settlement").execute_complete(
            {}, {**late, "feed": "settlement"}
        )
    assert (
        WaitForDelivery(task_id="wait_tax", feed="tax").execute_complete({}, {**late, "feed": "tax"})["status"]
        == "late"
    )


def test_a_backfill_run_does_not_wait_for_a_past_delivery(tmp_path, monkeypatch):
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("LANDING_DIR", str(tmp_path))
    backfill = SimpleNamespace(run_type="backfill", logical_date=dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    context = {"ds": "2026-12-03", "dag_run": backfill}
    with pytest.raises(AirflowFailException, match=r"backfill does not wait for a past date\); missing settlement/"):
        WaitForDelivery(task_id="wait_settlement", feed="settlement").execute(context)  # own system: fails
    assert WaitForDelivery(task_id="wait_tax", feed="tax").execute(context)["status"] == "late"  # outside: warns

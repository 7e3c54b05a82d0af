"""Which date a build describes: asked for, else a backfill run's own date, else the date its triggering raw
Asset events carry; a build triggered only by an ingest backfill's events builds nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from sme_credit.orchestration import pipeline


@dataclass
class Event:  # what Airflow hands a task as an event of `triggering_asset_events`: only `extra` is read
    extra: dict = field(default_factory=dict)


def _loaded(up_to: str, rows: dict) -> dict:
    return {"up_to": up_to, "rows_loaded_by_table": rows}


def test_a_raw_asset_event_carries_the_delivery_date_and_the_tables_rows():
    loaded = _loaded("2026-11-03", {"settlement_transactions": 120})
    assert pipeline.raw_asset_extra("settlement_transactions", loaded) == {
        "delivery_date": "2026-11-03",
        "rows_loaded": 120,
        "backfill": False,
    }
    assert pipeline.raw_asset_extra("settlement_transactions", loaded, backfill=True)["backfill"] is True
    assert pipeline.raw_asset_extra("court_records", loaded)["rows_loaded"] == 0  # nothing new for it today


def test_the_triggering_events_give_the_dates_every_raw_table_passed_its_gate_for():
    events = {
        "raw.settlement_transactions": [Event({"delivery_date": "2026-11-04"}), Event({"delivery_date": "2026-11-03"})],
        "raw.court_records": [Event({"delivery_date": "2026-11-04", "rows_loaded": 0})],
        "raw.tax_filings": [Event({}), Event(None)],  # an event made by hand, without the ingest run's extra
    }
    # 2026-11-03's court records have not passed their gate (yet): only 2026-11-04 is complete
    assert pipeline.deliveries_of(events) == pipeline.Deliveries(complete=("2026-11-04",), partial=("2026-11-03",))
    assert pipeline.deliveries_of(None) == pipeline.Deliveries()


def test_a_requested_date_wins_then_the_latest_complete_date(capsys):
    both = pipeline.Deliveries(complete=("2026-11-02", "2026-11-03"))
    assert pipeline.resolve_as_of_date("2026-10-29", both) == "2026-10-29"
    assert pipeline.resolve_as_of_date(None, pipeline.Deliveries(complete=("2026-11-03",))) == "2026-11-03"
    assert capsys.readouterr().out == ""
    assert pipeline.resolve_as_of_date(None, both) == "2026-11-03"
    assert "deliveries 2026-11-02 triggered it too" in capsys.readouterr().out  # the run says so


def test_a_day_only_some_feeds_passed_builds_nothing():
    with pytest.raises(pipeline.NothingToBuild, match="deliveries 2026-12-04 have passed the raw gates of some"):
        pipeline.resolve_as_of_date(None, pipeline.Deliveries(partial=("2026-12-04",)))


def test_a_triggering_date_after_today_is_refused():
    with pytest.raises(ValueError, match="after today"):
        pipeline.resolve_as_of_date(None, pipeline.Deliveries(complete=("2999-01-01",)))


def test_a_backfill_run_builds_its_own_date():
    nothing = pipeline.Deliveries()
    assert pipeline.resolve_as_of_date(None, nothing, backfill_date="2026-10-30") == "2026-10-30"
    assert pipeline.resolve_as_of_date("2026-10-30", nothing, backfill_date="2026-10-30") == "2026-10-30"
    with pytest.raises(ValueError, match="a backfill run builds its own date"):  # one conf for every run: refused
        pipeline.resolve_as_of_date("2026-10-01", nothing, backfill_date="2026-10-30")


def test_events_of_an_ingest_backfill_build_nothing_unless_a_daily_run_completed_a_date():
    events = {
        table: [Event({"delivery_date": day, "backfill": True}) for day in ("2026-10-30", "2026-10-31")]
        for table in ("raw.settlement_transactions", "raw.court_records")
    }
    # while the backfill ran, the daily run of 2026-12-04 passed court records' gate, not settlement's
    events["raw.court_records"].append(Event({"delivery_date": "2026-12-04", "backfill": False}))
    deliveries = pipeline.deliveries_of(events)
    assert deliveries == pipeline.Deliveries(partial=("2026-12-04",), backfilled=("2026-10-30", "2026-10-31"))
    with pytest.raises(pipeline.NothingToBuild, match="deliveries 2026-10-30, 2026-10-31 came from a backfill"):
        pipeline.resolve_as_of_date(None, deliveries)
    events["raw.settlement_transactions"].append(Event({"delivery_date": "2026-12-04", "backfill": False}))
    assert pipeline.resolve_as_of_date(None, pipeline.deliveries_of(events)) == "2026-12-04"


def test_only_a_backfill_run_stands_for_its_logical_date():
    from types import SimpleNamespace

    from sme_credit.orchestration.dag_support import backfill_date_of

    midnight = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
    assert backfill_date_of(SimpleNamespace(run_type="backfill", logical_date=midnight)) == "2026-10-30"
    assert backfill_date_of(SimpleNamespace(run_type="manual", logical_date=midnight)) is None
    assert backfill_date_of(SimpleNamespace(run_type="asset_triggered", logical_date=None)) is None
    assert backfill_date_of(None) is None

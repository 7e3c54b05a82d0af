"""Which date a build describes: asked for, else the date its triggering raw Asset events carry."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sme_credit import pipeline


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
    }
    assert pipeline.raw_asset_extra("court_records", loaded)["rows_loaded"] == 0  # nothing new for it today


def test_the_triggering_events_give_their_delivery_dates_in_order():
    events = {
        "raw.settlement_transactions": [Event({"delivery_date": "2026-11-04"}), Event({"delivery_date": "2026-11-03"})],
        "raw.court_records": [Event({"delivery_date": "2026-11-04", "rows_loaded": 0})],
        "raw.tax_filings": [Event({}), Event(None)],  # an event made by hand, without the ingest run's extra
    }
    assert pipeline.delivery_dates_of(events) == ["2026-11-03", "2026-11-04"]
    assert pipeline.delivery_dates_of(None) == []


def test_a_requested_date_wins_then_the_triggering_date(capsys):
    assert pipeline.resolve_as_of_date("2026-10-29", ["2026-11-03"]) == "2026-10-29"
    assert pipeline.resolve_as_of_date(None, ["2026-11-03"]) == "2026-11-03"
    assert pipeline.resolve_as_of_date(None, ["2026-11-02", "2026-11-03"]) == "2026-11-03"
    assert "2026-11-02, 2026-11-03" in capsys.readouterr().out  # the run says which dates it was triggered by


def test_a_triggering_date_after_today_is_refused():
    with pytest.raises(ValueError, match="after today"):
        pipeline.resolve_as_of_date(None, ["2999-01-01"])

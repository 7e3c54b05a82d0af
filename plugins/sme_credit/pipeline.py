"""The steps the DAGs run, one function each, so that DAG files stay a table of contents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sme_credit import ingest, input_keys, landing_survey, publish, publish_marts, quality, settings, warehouse
from sme_credit.feeds import FEEDS, tables_of


def load_feed(feed: str, up_to: str | None) -> dict:
    day = dt.date.fromisoformat(up_to[:10]) if up_to else dt.date.today()
    return ingest.load_feed(warehouse.engine(), settings.landing_dir(), feed, day).summary()


def validate_raw(feed: str, load_ids: list[int]) -> dict:
    """Gate the rows of the given loads (the load task's batch), not the whole raw table."""
    if not load_ids:
        print(f"raw_{feed}: no rows were loaded, nothing to validate")
        return {"checkpoint": f"raw_{feed}", "relations": [], "expectations": 0, "failed": 0}
    batch = f"_load_id in ({', '.join(str(int(load_id)) for load_id in load_ids)})"
    targets = [quality.Target(table.qualified_name, where=batch) for table in tables_of(feed)]
    return quality.validate(targets, checkpoint_name=f"raw_{feed}")


def raw_asset_extra(table: str, loaded: dict) -> dict:
    """What a raw Asset's event says once its gate passed: the delivery date the ingest run loaded up to (the
    build's as-of date) and the rows that run loaded into the table."""
    return {"delivery_date": loaded["up_to"], "rows_loaded": loaded["rows_loaded_by_table"].get(table, 0)}


def delivery_dates_of(triggering_asset_events) -> list[str]:
    """The delivery dates the raw Asset events behind an Asset-triggered run carry (see raw_asset_extra)."""
    dates = {
        str(extra["delivery_date"])[:10]
        for events in (triggering_asset_events or {}).values()
        for event in events
        if "delivery_date" in (extra := getattr(event, "extra", None) or {})
    }
    return sorted(dates)


def resolve_as_of_date(requested: str | None, triggered_by: list[str] | None = None) -> str:
    """The requested date, else the delivery date of the ingest run whose raw Assets triggered the build, else
    the latest delivery date loaded: the day the outputs describe.

    Runs triggered by the events of several ingest runs (the scheduler gathers the events that came in while the
    previous build ran) build the latest of their dates; each date is a slice of its own, so an earlier one is
    rebuilt by hand (`{"as_of_date": ...}`) if wanted, and the run says so."""
    if not requested and triggered_by:
        requested = triggered_by[-1]
        if len(triggered_by) > 1:
            print(
                f"triggered by the raw Assets of deliveries {', '.join(triggered_by)}: building {requested}; "
                f'trigger sme_credit_build with {{"as_of_date": ...}} for an earlier one'
            )
    if requested:
        day = dt.date.fromisoformat(str(requested)[:10])
        if day > landing_survey.today():
            raise ValueError(f"as-of date {day} is after today ({landing_survey.today()}): nothing can describe it yet")
        return day.isoformat()
    latest = ingest.latest_loaded_delivery(warehouse.engine())
    if latest is None:
        raise RuntimeError("nothing has been loaded yet: run the sme_ingest DAG first")
    return latest.isoformat()


def validate_staging(as_of_date: str) -> dict:
    """The staging tables, and the batch the incremental intermediate models wrote last (highest batch_load_id).

    A table dbt kept for an input key validated before is not validated again (see `input_keys`); once this
    gate passes, every kept table's key counts as validated."""
    engine = warehouse.engine()
    keys = input_keys.current(engine, ("staging", "intermediate"))
    validated_before = input_keys.validated(engine, keys)
    for relation, when in sorted(validated_before.items()):
        print(f"{relation}: kept by dbt for an input key validated at {when}; not validated again")
    targets = [
        quality.Target(relation)
        for relation in quality.relations_with_suites("staging")
        if relation not in validated_before
    ]
    targets += [
        quality.Target(relation, where=f"batch_load_id = (select max(batch_load_id) from {relation})")
        for relation in quality.relations_with_suites("intermediate")
    ]
    summary = quality.validate(targets, checkpoint_name="staging", as_of_date=dt.date.fromisoformat(as_of_date))
    input_keys.record(engine, keys)
    return summary


def validate_marts(as_of_date: str) -> dict:
    """The date's unpublished slices in marts_build, against the suites of the marts they will be published to."""
    targets = [
        quality.Target(relation, relation=f"{publish_marts.BUILD_SCHEMA}.{relation.split('.')[1]}")
        for relation in quality.relations_with_suites(publish_marts.PUBLISHED_SCHEMA)
    ]
    return quality.validate(targets, checkpoint_name="marts", as_of_date=dt.date.fromisoformat(as_of_date))


def publish_marts_slice(as_of_date: str) -> dict:
    return publish_marts.publish_marts(warehouse.engine(), dt.date.fromisoformat(as_of_date))


def publish_candidates(as_of_date: str) -> dict:
    return publish.publish_candidates(warehouse.engine(), dt.date.fromisoformat(as_of_date))


def _call(_name: str, function, *args, **kwargs):
    return function(*args, **kwargs)


def run_day(day: dt.date, landing: Path, step=_call, log=print) -> None:
    """Both DAGs' steps for one day in this process, with one plain `dbt build` in place of the Cosmos tasks:
    what the daily benchmark and the integration tests run (the DAGs stay the production path).

    `step(name, function, *args)` runs each step; the benchmark passes one that times them."""
    from sme_credit import dbt

    engine = warehouse.engine()
    step("load", ingest.ensure_schemas, engine, log=log)  # the ingest DAG's prepare_warehouse
    for feed in FEEDS:
        loaded = step("load", ingest.load_feed, engine, landing, feed, day, log=log).summary()
        step("raw gate", validate_raw, feed, loaded["load_ids"])
    as_of = day.isoformat()
    step("dbt build", dbt.run_dbt, "build", "--quiet", "--vars", f"{{as_of_date: '{as_of}'}}")
    step("gates", validate_staging, as_of)
    step("gates", validate_marts, as_of)
    step("publish", publish_marts.publish_marts, engine, day, log=log)
    step("publish", publish.publish_candidates, engine, day, log=log)

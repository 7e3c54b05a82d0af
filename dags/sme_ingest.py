"""Ingest: per feed, wait for the day's files, load them into raw, then gate the raw tables with Great Expectations.

- `wait_<feed>` defers (no worker slot held) until the day's files have landed, up to the feed's wait time;
- `load_<feed>` loads every new or changed file: bad rows to audit.quarantined_rows, broken files rejected,
  all recorded in audit.load_manifest; the feed's policy decides whether problems fail the task or warn
  (docs/ingestion.md);
- `validate_raw_<feed>` runs the raw Great Expectations gate on the rows that load just wrote (by `_load_id`).
A feed's raw Assets are updated only when its gate passes, so downstream DAGs only ever see validated raw; each
event carries the run's delivery date and the rows loaded into the table, and the build builds that date.

Backfills (`sme-credit backfill`, or `airflow backfill create --dag-id sme_ingest`) load each date of the range in
turn; their events say so, and the build leaves those dates to its own backfill (one build per date).
"""

from __future__ import annotations

from airflow.sdk import chain, dag, task

from sme_credit.contract.feeds import FEEDS
from sme_credit.ingest.delivery_wait import WaitForDelivery
from sme_credit.orchestration import pipeline
from sme_credit.orchestration.dag_support import (
    DEFAULT_ARGS,
    START_DATE,
    fail_without_retry,
    raw_asset_extras,
    raw_assets_of,
)


@task
def prepare_warehouse() -> None:
    pipeline.prepare_warehouse()


@task
def load_feed(feed: str, ds: str | None = None) -> dict:
    """Load every new or changed file of the feed delivered up to the run's date."""
    with fail_without_retry():
        return pipeline.load_feed(feed, up_to=ds)


@task(retries=0)
def validate_raw(feed: str, loaded: dict, outlet_events=None, dag_run=None) -> dict:
    with fail_without_retry():
        validated = pipeline.validate_raw(feed, loaded["load_ids"])
    for asset, extra in raw_asset_extras(feed, loaded, dag_run).items():  # the build reads its as-of date from these
        outlet_events[asset].extra = extra
    return validated


@dag(
    dag_id="sme_ingest",
    description="Landing files of every feed -> raw tables, each gated by Great Expectations",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["sme-credit", "ingest", "raw"],
    doc_md=__doc__,
)
def sme_ingest():
    prepared = prepare_warehouse()
    for feed in FEEDS:
        arrived = WaitForDelivery(task_id=f"wait_{feed}", feed=feed)
        loaded = load_feed.override(task_id=f"load_{feed}")(feed)
        validated = validate_raw.override(task_id=f"validate_raw_{feed}", outlets=raw_assets_of(feed))(feed, loaded)
        chain(prepared, arrived, loaded, validated)


sme_ingest()

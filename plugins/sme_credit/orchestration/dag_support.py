"""What every DAG of this project shares: default arguments, Assets, run types, and failing fast on bad data."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path

from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from sme_credit import settings
from sme_credit.contract.feeds import RAW_TABLES, tables_of
from sme_credit.errors import DataQualityError, LoadError, NothingToBuild
from sme_credit.orchestration import alerts
from sme_credit.orchestration.pipeline import raw_asset_extra
from sme_credit.publish.marts import PUBLISHED_RELATIONS

DEFAULT_ARGS = {
    "owner": "data-engineering",
    "retries": settings.task_retries(),
    "retry_delay": dt.timedelta(minutes=5),
    # A task still running after this is stuck, not slow: the first full load or build of the `large` world
    # (100,000 firms, two years) takes about 10 minutes. The delivery waits get their feed's wait on top.
    "execution_timeout": dt.timedelta(hours=2),
    "on_failure_callback": alerts.task_failed,  # e-mail and webhook, where configured (see alerts)
}
START_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

# Airflow pools: the file `airflow pools import` reads in every setup (sme-credit airflow-ui / airflow-services,
# make run, docker-compose's airflow-init); a task of a pool missing from the metadata DB would never be scheduled.
POOLS_FILE = Path(__file__).with_name("airflow_pools.json")
POOLS = json.loads(POOLS_FILE.read_text())
BUILD_POOL = "sme_build"


def _asset(relation: str, group: str) -> Asset:
    schema, table = relation.split(".")
    return Asset(name=relation, uri=f"warehouse://{schema}/{table}", group=group)


RAW_ASSETS: dict[str, Asset] = {t.name: _asset(t.qualified_name, "raw") for t in RAW_TABLES}
MART_ASSETS: list[Asset] = [_asset(relation, "marts") for relation in PUBLISHED_RELATIONS]
TRACKING_CANDIDATES = _asset("tracking.candidates", "tracking")


def raw_assets_of(feed: str) -> list[Asset]:
    return [RAW_ASSETS[t.name] for t in tables_of(feed)]


def raw_asset_extras(feed: str, loaded: dict, dag_run) -> dict[Asset, dict]:
    """The extra of each raw Asset event of the feed: the delivery date, the rows the load wrote, and whether
    the ingest run was part of a backfill."""
    backfill = backfill_date_of(dag_run) is not None
    return {RAW_ASSETS[t.name]: raw_asset_extra(t.name, loaded, backfill) for t in tables_of(feed)}


def backfill_date_of(dag_run) -> str | None:
    """The date a backfill's run stands for (its logical date: both DAGs' backfills run daily at 00:00 UTC, the
    delivery date); None for any other run."""
    run_type = getattr(dag_run, "run_type", None)
    if getattr(run_type, "value", run_type) != "backfill" or dag_run.logical_date is None:
        return None
    return dag_run.logical_date.astimezone(dt.UTC).date().isoformat()


def run_is_active(ti):
    """`is_active(dag_id, run_id)` for the build lease: whether that Airflow run is still queued or running."""
    return lambda dag_id, run_id: ti.get_dr_count(dag_id, run_ids=[run_id], states=["queued", "running"]) > 0


@contextmanager
def skip_when_nothing_to_build():
    """A build run that has no date of its own to build ends skipped, saying why."""
    try:
        yield
    except NothingToBuild as reason:
        raise AirflowSkipException(str(reason)) from reason


@contextmanager
def fail_without_retry():
    """Bad data does not get better on retry: fail the task at once, keeping the message."""
    try:
        yield
    except (DataQualityError, LoadError) as error:
        raise AirflowFailException(str(error)) from error

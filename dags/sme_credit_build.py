"""Build: one dbt build -> GX gates (staging, marts) -> publish the marts and the day's candidates -> export the
day's list (CSV, XLSX) and its HTML report for the risk team.

Write-audit-publish: dbt writes the date's mart slices into `marts_build`, which nobody reads; the staging gate
validates what they were built from and the marts gate the slices themselves, and only then `publish_marts`
makes them visible in `marts`, in one transaction. A failed gate stops everything after it: nothing new is visible.
The day's summary then goes to the alert channels (sme_credit.orchestration.alerts), as does any failed task,
and dbt's docs page is refreshed; it and the Data Docs are in the Airflow UI's Browse menu.

Which date a run builds:
- daily, when every raw Asset has been updated by sme_ingest: the delivery date their events carry (the latest
  that every raw table passed its gate for);
- a backfill (`sme-credit backfill`, or `airflow backfill create --dag-id sme_credit_build`): one run per date of
  the range, each building its logical date; with one active run (the default of `sme-credit backfill`) they go
  in date order. Events of an ingest backfill leave the building to this backfill: such a run ends skipped;
- by hand, with `{"as_of_date": "YYYY-MM-DD"}` to rebuild a past date (it looks back only at published dates
  before it; the tracked candidates never move back in time).
One build runs on a warehouse at a time (`claim_build` waits for the build lease; `release_build` gives it back,
also when the run fails), since Airflow lets a backfill's runs run beside the daily ones.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import AssetOrTimeSchedule, Param, PokeReturnValue, chain, dag, task
from cosmos import DbtTaskGroup

from sme_credit.orchestration import pipeline
from sme_credit.orchestration.dag_support import (
    BUILD_POOL,
    DEFAULT_ARGS,
    MART_ASSETS,
    RAW_ASSETS,
    START_DATE,
    TRACKING_CANDIDATES,
    backfill_date_of,
    fail_without_retry,
    run_is_active,
    skip_when_nothing_to_build,
)
from sme_credit.orchestration.timetables import BackfillOnlyDaily
from sme_credit.transform.dbt_runner import (
    BUILD_GROUP,
    BUILD_SELECTION,
    cosmos_configs,
    operator_args,
    render_config,
    wire_watchers,
)

PROJECT, PROFILE, EXECUTION = cosmos_configs()
DBT_ARGS = operator_args(as_of_date="{{ ti.xcom_pull(task_ids='resolve_as_of_date') }}")
LEASE_WAIT = dt.timedelta(hours=6)  # longer than any build: a holder that never gives it back has ended


@task
def resolve_as_of_date(params: dict | None = None, triggering_asset_events=None, dag_run=None) -> str:
    with skip_when_nothing_to_build():
        return pipeline.resolve_as_of_date(
            (params or {}).get("as_of_date"),
            pipeline.deliveries_of(triggering_asset_events),
            backfill_date=backfill_date_of(dag_run),
        )


@task.sensor(poke_interval=30, timeout=LEASE_WAIT.total_seconds(), mode="reschedule")
def claim_build(as_of_date: str, dag_run=None, ti=None) -> PokeReturnValue:
    holder = pipeline.claim_build(dag_run.dag_id, dag_run.run_id, as_of_date, run_is_active(ti))
    if holder:
        print(f"waiting for the build lease: {holder} holds it")
    return PokeReturnValue(is_done=holder is None)


@task
def release_build(dag_run=None) -> bool:
    return pipeline.release_build(dag_run.dag_id, dag_run.run_id)


@task(retries=0)
def validate_staging(as_of_date: str) -> dict:
    with fail_without_retry():
        return pipeline.validate_staging(as_of_date)


@task(retries=0)
def validate_marts(as_of_date: str) -> dict:
    with fail_without_retry():
        return pipeline.validate_marts(as_of_date)


@task(outlets=MART_ASSETS)
def publish_marts(as_of_date: str) -> dict:
    return pipeline.publish_marts_slice(as_of_date)


@task(outlets=[TRACKING_CANDIDATES])
def publish_candidates(as_of_date: str) -> dict:
    return pipeline.publish_candidates(as_of_date)


@task
def export_candidate_list(as_of_date: str) -> dict:
    return pipeline.export_candidate_list(as_of_date)


@task
def write_daily_report(as_of_date: str) -> str:
    return pipeline.write_daily_report(as_of_date)


@task
def send_daily_summary(as_of_date: str) -> dict:
    return pipeline.send_daily_summary(as_of_date)


@task
def refresh_dbt_docs() -> str:
    return pipeline.refresh_dbt_docs()


@dag(
    dag_id="sme_credit_build",
    description="dbt staging and marts with Great Expectations gates, then publish pre-credit candidates",
    schedule=AssetOrTimeSchedule(timetable=BackfillOnlyDaily(), assets=list(RAW_ASSETS.values())),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "pool": BUILD_POOL},  # leaves slots free for sme_ingest
    params={"as_of_date": Param(None, type=["null", "string"], description="YYYY-MM-DD; default: latest delivery")},
    tags=["sme-credit", "dbt", "marts", "publish"],
    doc_md=__doc__,
)
def sme_credit_build():
    as_of_date = resolve_as_of_date()
    claimed = claim_build(as_of_date)
    dbt_build = DbtTaskGroup(
        group_id=BUILD_GROUP,
        project_config=PROJECT,
        profile_config=PROFILE,
        execution_config=EXECUTION,
        render_config=render_config(*BUILD_SELECTION),
        operator_args=DBT_ARGS,
    )
    built = wire_watchers(dbt_build)  # the build's end: each model's sensor reports beside what follows
    release = release_build().as_teardown(setups=claimed)
    # the sensors stay inside the lease's scope, so that a run with nothing to build skips them with the rest
    chain(claimed, dbt_build, release)
    chain(
        built,
        validate_staging(as_of_date),
        validate_marts(as_of_date),
        publish_marts(as_of_date),
        publish_candidates(as_of_date),
        export_candidate_list(as_of_date),
        write_daily_report(as_of_date),
        send_daily_summary(as_of_date),
        refresh_dbt_docs(),
        release,
    )


sme_credit_build()

"""Build: one dbt build -> GX gates (staging, marts) -> publish the marts and the day's candidates.

Write-audit-publish: dbt writes the date's mart slices into `marts_build`, which nobody reads; the staging gate
validates what they were built from and the marts gate the slices themselves, and only then `publish_marts`
makes them visible in `marts`, in one transaction. Runs when every raw Asset has been updated by sme_ingest, for
the delivery date their events carry, or by hand with `{"as_of_date": "YYYY-MM-DD"}` to rebuild a past date (it
looks back only at published dates before it). A failed gate stops everything after it: nothing new is visible.
"""

from __future__ import annotations

from airflow.sdk import Param, chain, dag, task
from cosmos import DbtTaskGroup

from sme_credit import pipeline
from sme_credit.dag_support import (
    DEFAULT_ARGS,
    MART_ASSETS,
    RAW_ASSETS,
    START_DATE,
    TRACKING_CANDIDATES,
    fail_without_retry,
)
from sme_credit.dbt import BUILD_GROUP, BUILD_SELECTION, cosmos_configs, operator_args, render_config, wire_watchers

PROJECT, PROFILE, EXECUTION = cosmos_configs()
DBT_ARGS = operator_args(as_of_date="{{ ti.xcom_pull(task_ids='resolve_as_of_date') }}")


@task
def resolve_as_of_date(params: dict | None = None, triggering_asset_events=None) -> str:
    return pipeline.resolve_as_of_date(
        (params or {}).get("as_of_date"), pipeline.delivery_dates_of(triggering_asset_events)
    )


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


@dag(
    dag_id="sme_credit_build",
    description="dbt staging and marts with Great Expectations gates, then publish pre-credit candidates",
    schedule=list(RAW_ASSETS.values()),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"as_of_date": Param(None, type=["null", "string"], description="YYYY-MM-DD; default: latest delivery")},
    tags=["sme-credit", "dbt", "marts", "publish"],
    doc_md=__doc__,
)
def sme_credit_build():
    as_of_date = resolve_as_of_date()
    dbt_build = DbtTaskGroup(
        group_id=BUILD_GROUP,
        project_config=PROJECT,
        profile_config=PROFILE,
        execution_config=EXECUTION,
        render_config=render_config(*BUILD_SELECTION),
        operator_args=DBT_ARGS,
    )
    wire_watchers(dbt_build)
    chain(
        as_of_date,
        dbt_build,
        validate_staging(as_of_date),
        validate_marts(as_of_date),
        publish_marts(as_of_date),
        publish_candidates(as_of_date),
    )


sme_credit_build()

"""Publication watch: alerts when a delivery date's candidates are not published in time.

One run per day (00:00 UTC, like sme_ingest). Its only task waits, holding no slot between looks, until the
build has published that date; the run carries an Airflow deadline alert: when the date is not published
`SME_PUBLICATION_DEADLINE_HOURS` after the run's logical date (default 10 h: 18:00 China time), the alert
channels hear it (sme_credit.orchestration.alerts). A day that never gets published ends the wait skipped
after 23 hours.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference, PokeReturnValue, dag, task

from sme_credit import settings
from sme_credit.orchestration import alerts, pipeline
from sme_credit.orchestration.dag_support import DEFAULT_ARGS, START_DATE


# gives up (skipped) before the next day's run starts
@task.sensor(poke_interval=600, timeout=dt.timedelta(hours=23).total_seconds(), mode="reschedule", soft_fail=True)
def await_publication(ds: str | None = None) -> PokeReturnValue:
    return PokeReturnValue(is_done=pipeline.is_published(ds))


@dag(
    dag_id="sme_publication_watch",
    description="Alert when a delivery date's candidates are not published by the deadline",
    schedule="@daily",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=settings.publication_deadline(),
        callback=AsyncCallback(alerts.publication_missed),
    ),
    tags=["sme-credit", "alerts"],
    doc_md=__doc__,
)
def sme_publication_watch():
    await_publication()


sme_publication_watch()

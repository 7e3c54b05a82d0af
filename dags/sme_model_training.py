"""Model training: train the scorecard on what was known on a date, validate it out of time, optionally promote it.

Manual only (no schedule): a model change is the risk team's decision. Trigger with
`{"as_of_date": "YYYY-MM-DD", "promote": false}`; the same as `sme-credit train --as-of D [--promote]`
(sme_credit.model.training). The deliveries up to the date are loaded into a database of their own
(`sme_training`), the point-in-time features are built by the dbt project for monthly as-of dates whose outcome
window ended by then, and the latest of them is held out. The model's seeds and card go to MODEL_DIR/<version>/
and the registry (`model.model_versions`, `model.model_card`); with promote, a model that passes its checks
replaces the points seed, and the next build applies it.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task

from sme_credit.orchestration import pipeline
from sme_credit.orchestration.dag_support import DEFAULT_ARGS, START_DATE


@task(retries=0, execution_timeout=dt.timedelta(hours=4))
def train_scorecard(params: dict | None = None) -> dict:
    params = params or {}
    if not params.get("as_of_date"):
        raise ValueError('trigger sme_model_training with {"as_of_date": "YYYY-MM-DD"}: the date to train as of')
    return pipeline.train_scorecard(params["as_of_date"], bool(params.get("promote")))


@dag(
    dag_id="sme_model_training",
    description="Train the scorecard as of a date on the bank's own outcomes, validate out of time, promote",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "as_of_date": Param(
            None, type=["null", "string"], description="YYYY-MM-DD: train on what was delivered by then"
        ),
        "promote": Param(False, type="boolean", description="make it the active model if its checks pass"),
    },
    tags=["sme-credit", "model"],
    doc_md=__doc__,
)
def sme_model_training():
    train_scorecard()


sme_model_training()

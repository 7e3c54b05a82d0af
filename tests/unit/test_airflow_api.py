"""The Airflow API client against a real local HTTP server that answers as a busy Airflow does: 503 while its
metadata database is locked (SQLite, see sme_credit_dev.airflow_api), or 500 "Database error" when the lock met
another of the request's writes, then the answer."""

from __future__ import annotations

import pytest

from sme_credit_dev.airflow_api import AirflowApi, AirflowApiError
from tests.receivers import HttpReceiver

LOCKED = {"detail": "Database is locked. Backfill creation is not supported on SQLite under concurrent access."}
# what Airflow 3.3 answered in a scheduler e2e run when the lock met the API's audit-log insert
DATABASE_ERROR = {
    "detail": {
        "reason": "Database error",
        "statement": "hidden",
        "orig_error": "hidden",
        "message": "Serious error when handling your request. Check logs for more details - you will find it in "
        "api server when you look for ID wPvDlCMG",
    }
}


def busy_airflow(busy: int) -> HttpReceiver:
    """Answers the first `busy` POSTs with 503, every later one with 200."""
    return HttpReceiver(answer=lambda nth: (503, LOCKED) if nth <= busy else (200, {"id": 1}))


def test_a_busy_answer_is_tried_again_until_airflow_answers(capsys):
    with busy_airflow(busy=2) as airflow:
        api = AirflowApi(airflow.base_url, "t0ken", busy_waits=(0.01, 0.01, 0.01))
        assert api.call("POST", "/backfills", json={"dag_id": "sme_ingest"}) == {"id": 1}
    assert [(post["path"], post["authorization"]) for post in airflow.posts] == [
        ("/api/v2/backfills", "Bearer t0ken")
    ] * 3
    said = capsys.readouterr().err
    assert said.count("Airflow answered POST /backfills with 503") == 2 and "Database is locked" in said


def test_airflow_busy_past_every_try_is_an_error_with_its_answer():
    with busy_airflow(busy=10) as airflow:
        api = AirflowApi(airflow.base_url, "t0ken", busy_waits=(0.01, 0.01))
        with pytest.raises(AirflowApiError, match="POST /backfills with 503: .*Database is locked"):
            api.call("POST", "/backfills", json={})
    assert len(airflow.posts) == 3  # the first try and one per wait


def test_a_database_error_is_tried_again_and_any_other_server_error_is_not(capsys):
    answers = {1: (500, DATABASE_ERROR), 2: (200, {"id": 1})}
    with HttpReceiver(answer=lambda nth: answers[nth]) as airflow:
        api = AirflowApi(airflow.base_url, "t0ken", busy_waits=(0.01, 0.01))
        assert api.call("POST", "/backfills", json={"dag_id": "sme_ingest"}) == {"id": 1}
    assert len(airflow.posts) == 2
    assert "Airflow answered POST /backfills with 500" in capsys.readouterr().err

    broken = {"detail": "An error occurred while trying to deserialize Dag: ..."}
    with HttpReceiver(answer=lambda nth: (500, broken)) as airflow:
        api = AirflowApi(airflow.base_url, "t0ken", busy_waits=(0.01, 0.01))
        with pytest.raises(AirflowApiError, match="POST /backfills with 500: .*deserialize Dag"):
            api.call("POST", "/backfills", json={})
    assert len(airflow.posts) == 1

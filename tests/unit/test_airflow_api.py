"""The Airflow API client against a real local HTTP server that answers as a busy Airflow does: 503 while its
metadata database is locked (SQLite, see sme_credit_dev.airflow_api), then the answer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sme_credit_dev.airflow_api import AirflowApi, AirflowApiError

LOCKED = {"detail": "Database is locked. Backfill creation is not supported on SQLite under concurrent access."}


class BusyAirflow:
    """Answers the first `busy` requests with 503, every later one with 200 and the request's path."""

    def __init__(self, busy: int) -> None:
        self.busy, self.requests = busy, []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's handler hook
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append((self.path, self.headers["Authorization"]))
                status, body = (503, LOCKED) if len(owner.requests) <= owner.busy else (200, {"id": 1})
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BusyAirflow:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_busy_answer_is_tried_again_until_airflow_answers(capsys):
    with BusyAirflow(busy=2) as airflow:
        api = AirflowApi(airflow.url, "t0ken", busy_waits=(0.01, 0.01, 0.01))
        assert api.call("POST", "/backfills", json={"dag_id": "sme_ingest"}) == {"id": 1}
    assert airflow.requests == [("/api/v2/backfills", "Bearer t0ken")] * 3
    said = capsys.readouterr().err
    assert said.count("Airflow answered POST /backfills with 503") == 2 and "Database is locked" in said


def test_airflow_busy_past_every_try_is_an_error_with_its_answer():
    with BusyAirflow(busy=10) as airflow:
        api = AirflowApi(airflow.url, "t0ken", busy_waits=(0.01, 0.01))
        with pytest.raises(AirflowApiError, match="POST /backfills with 503: .*Database is locked"):
            api.call("POST", "/backfills", json={})
    assert len(airflow.requests) == 3  # the first try and one per wait

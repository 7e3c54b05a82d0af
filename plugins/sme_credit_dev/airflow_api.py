"""A client of Airflow's REST API (v2), signed in as the local Airflow's admin (`sme-credit backfill`, the tests)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx


class AirflowApiError(RuntimeError):
    """Airflow could not be reached, or refused a request; the message says what it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # Airflow's HTTP status; None when it did not answer


def local_token(airflow_home: Path, base_url: str) -> str:
    """A bearer token of the admin of the Airflow that `sme-credit airflow-ui` / `airflow-services` run (simple
    auth manager: its generated password file)."""
    passwords = airflow_home / "simple_auth_manager_passwords.json.generated"
    try:
        password = json.loads(passwords.read_text())["admin"]
        response = httpx.post(f"{base_url}/auth/token", json={"username": "admin", "password": password})
        response.raise_for_status()
        return response.json()["access_token"]
    except (OSError, ValueError, KeyError, httpx.HTTPError) as error:
        raise AirflowApiError(
            f"no local Airflow answers on {base_url} ({error}): start it with `make airflow-ui` or "
            "`make airflow-services`, then run this again"
        ) from error


# Airflow answers 503 when its metadata database is busy: a write such as creating a backfill fails on a lock
# the scheduler holds, and is rolled back (at once on SQLite, which the local Airflow used before its metadata
# moved to PostgreSQL; on PostgreSQL, a deadlock or lock timeout). The same request a moment later succeeds.
# The lock can also meet the request's other writes (the API's own audit log, before the endpoint runs): Airflow
# then answers 500 with reason "Database error", its generic answer to a SQLAlchemy error, after the same
# roll-back. Both are tried again; a request that did take effect meanwhile is answered as such (a backfill
# created twice: 409, which `sme-credit backfill` resolves).
BUSY = 503
DATABASE_ERROR = (500, "Database error")
BUSY_WAITS = (2, 4, 8, 16)  # seconds before each new try


def is_busy(response: httpx.Response) -> bool:
    """Did Airflow's metadata database refuse the request, rolling it back (see BUSY and DATABASE_ERROR)?"""
    if response.status_code == BUSY:
        return True
    if response.status_code != DATABASE_ERROR[0]:
        return False
    try:
        detail = response.json().get("detail")
    except ValueError:
        return False
    return isinstance(detail, dict) and detail.get("reason") == DATABASE_ERROR[1]


class AirflowApi:
    def __init__(self, base_url: str, token: str, busy_waits: tuple[float, ...] = BUSY_WAITS) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
        self.busy_waits = busy_waits

    @classmethod
    def local(cls, airflow_home: Path, port: str) -> AirflowApi:
        """The Airflow that `sme-credit airflow-ui` / `airflow-services` run on 127.0.0.1, as its admin."""
        base_url = f"http://127.0.0.1:{port}"
        return cls(base_url, local_token(airflow_home, base_url))

    def call(self, method: str, path: str, **kwargs) -> dict:
        """The JSON answer to one request; tried again while Airflow's metadata database refuses it (`is_busy`)."""
        for wait in (*self.busy_waits, None):
            response = self.client.request(method, f"/api/v2{path}", **kwargs)
            if not is_busy(response) or wait is None:
                break
            print(
                f"Airflow answered {method} {path} with {response.status_code} ({response.text}); "
                f"trying again in {wait} s",
                file=sys.stderr,
            )
            time.sleep(wait)
        if response.status_code >= 300:
            raise AirflowApiError(
                f"Airflow answered {method} {path} with {response.status_code}: {response.text}", response.status_code
            )
        return response.json()

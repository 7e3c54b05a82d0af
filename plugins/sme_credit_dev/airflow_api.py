"""A client of Airflow's REST API (v2), signed in as the local Airflow's admin (`sme-credit backfill`, the tests)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx


class AirflowApiError(RuntimeError):
    """Airflow could not be reached, or refused a request; the message says what it answered."""


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


class AirflowApi:
    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})

    @classmethod
    def local(cls, airflow_home: Path, port: str) -> AirflowApi:
        """The Airflow that `sme-credit airflow-ui` / `airflow-services` run on 127.0.0.1, as its admin."""
        base_url = f"http://127.0.0.1:{port}"
        return cls(base_url, local_token(airflow_home, base_url))

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.client.request(method, f"/api/v2{path}", **kwargs)
        if response.status_code >= 300:
            raise AirflowApiError(f"Airflow answered {method} {path} with {response.status_code}: {response.text}")
        return response.json()

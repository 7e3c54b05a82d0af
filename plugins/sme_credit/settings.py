"""Where things are and how to reach the warehouse. Every path and environment variable is read here."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, make_url

from sme_credit.errors import WarehouseNotConfigured  # noqa: F401 - raised here, defined with the others


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


# The package is installed in editable mode from plugins/, so the project root is two levels up.
PROJECT_DIR = _path_from_env("SME_PROJECT_DIR", Path(__file__).resolve().parents[2])
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
DAGS_DIR = PROJECT_DIR / "dags"


def state_dir() -> Path:
    """Local, git-ignored state: the embedded database, AIRFLOW_HOME, GX results and Data Docs."""
    return _path_from_env("SME_STATE_DIR", PROJECT_DIR / ".local")


def landing_dir() -> Path:
    return _path_from_env("LANDING_DIR", PROJECT_DIR / "data" / "landing")


def model_dir() -> Path:
    """Where `sme-credit train` writes each trained model's seeds and model card (MODEL_DIR)."""
    return _path_from_env("MODEL_DIR", PROJECT_DIR / "data" / "models")


def pii_hash_key() -> str:
    """The secret key of the PII pseudonyms (HMAC-SHA256; see sme_credit.access): PII_HASH_KEY, else a random key
    made once for this machine in the local state (`.local/pii_hash_key`, never in the repo). Keep it stable and
    secret: whoever has it can test a guessed ID against the pseudonyms, and a new key changes every pseudonym."""
    given = os.environ.get("PII_HASH_KEY", "").strip()
    if given:
        return given
    path = state_dir() / "pii_hash_key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(secrets.token_hex(32), encoding="utf-8")
        partial.chmod(0o600)
        try:
            os.link(partial, path)  # fails if another process made it first: then its key is the key
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text(encoding="utf-8").strip()


def export_dir() -> Path:
    """Where the build writes each as-of date's candidate list and report, one folder per date (EXPORT_DIR)."""
    return _path_from_env("EXPORT_DIR", PROJECT_DIR / "data" / "exports")


def ground_truth_dir() -> Path:
    """Beside the landing area; only backtests read it, never the pipeline."""
    return landing_dir().parent / "ground_truth"


def given_warehouse_url() -> str | None:
    """WAREHOUSE_URL as the user gave it, or None when it is unset or only the embedded server's (which the
    developer tooling sets itself, and marks as SME_EMBEDDED_URL)."""
    url = os.environ.get("WAREHOUSE_URL")
    return url if url and url != embedded_url() else None


def embedded_url() -> str | None:
    """The embedded server's URL, when the developer tooling started it in this process or a parent."""
    return os.environ.get("SME_EMBEDDED_URL")


def runtime_dir() -> Path:
    """XDG_RUNTIME_DIR, or a folder in local state when the session has none (the embedded server's sockets)."""
    return _path_from_env("XDG_RUNTIME_DIR", state_dir() / "run")


def task_retries() -> int:
    """Retries of every DAG task (SME_TASK_RETRIES, default 2); local runs and tests set 0 to fail at once."""
    return int(os.environ.get("SME_TASK_RETRIES", "2"))


def airflow_home() -> Path:
    """AIRFLOW_HOME of a local run (`sme-credit run`, `airflow-ui`, ...): always in local state, whatever AIRFLOW_HOME
    the shell has, so a local run never touches another Airflow's database."""
    return state_dir() / "airflow"


AIRFLOW_METADATA_SUFFIX = "_airflow"


def airflow_metadata_database(warehouse_database: str) -> str:
    """The name of the database that holds a local Airflow's metadata, beside the warehouse database it runs for."""
    return f"{warehouse_database}{AIRFLOW_METADATA_SUFFIX}"


def airflow_metadata_url(url: str) -> str:
    """A local Airflow's metadata database: on the warehouse's own server (the embedded one by default), in a
    database of its own named after the warehouse's (`sme` -> `sme_airflow`), so that two warehouses on one server
    (tests, a second checkout) keep their Airflows apart. PostgreSQL, not SQLite: the scheduler, the API server,
    the triggerer and the DAG processor write at once, and SQLite's one-writer lock made Airflow 3 answer a
    backfill with 503 after deleting its runs, and its scheduler exit (this project's scheduler e2e, 2026-12-06)."""
    parsed = sqlalchemy_url(url)
    return parsed.set(database=airflow_metadata_database(parsed.database or "postgres")).render_as_string(
        hide_password=False
    )


def airflow_api_port() -> str:
    """The port of the local Airflow's API server and UI (AIRFLOW__API__PORT, default 8080)."""
    return os.environ.get("AIRFLOW__API__PORT", "8080")


def warehouse_url() -> str:
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        raise WarehouseNotConfigured(
            "WAREHOUSE_URL is not set. Run through `make run` / `sme-credit` (which start the embedded "
            "PostgreSQL and set it), or export WAREHOUSE_URL=postgresql://user:password@host:port/database."
        )
    return url


DBT_EXECUTION_MODES = ("watcher", "local")


def dbt_execution_mode() -> str:
    """How the build DAG runs dbt (SME_DBT_EXECUTION_MODE): `watcher`, one `dbt build` of every layer whose
    progress per model shows in Airflow (the default, see README), or `local`, one Airflow task per model."""
    mode = os.environ.get("SME_DBT_EXECUTION_MODE", "watcher")
    if mode not in DBT_EXECUTION_MODES:
        raise ValueError(f"SME_DBT_EXECUTION_MODE must be one of {', '.join(DBT_EXECUTION_MODES)}, got {mode!r}")
    return mode


def sqlalchemy_url(url: str) -> URL:
    """The psycopg2 form of a postgres:// or postgresql:// URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("postgres", "postgresql"):
        raise WarehouseNotConfigured(f"WAREHOUSE_URL must be a PostgreSQL URL, got {parsed.drivername!r}")
    return parsed.set(drivername="postgresql+psycopg2")


def libpq_env(url: str) -> dict[str, str]:
    """The PG* variables that dbt's profiles.yml (and psql) read, derived from one warehouse URL."""
    parsed = sqlalchemy_url(url)
    env = {
        "PGHOST": parsed.host or "127.0.0.1",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "postgres",
        "PGDATABASE": parsed.database or "postgres",
    }
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return env


def airflow_env(url: str) -> dict[str, str]:
    """Environment for any Airflow process of a local run: state under .local, this project's DAGs."""
    home = airflow_home()
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_metadata_url(url),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__COSMOS__CACHE_DIR": str(state_dir() / "cosmos"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # The watcher producer keeps its XComs for a retry by writing them all to a Variable after every XCom
        # (quadratic, and a metadata write each); off, it writes them once, when it fails.
        "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
        "SCARF_ANALYTICS": "false",
        "SME_TASK_RETRIES": "0",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "WAREHOUSE_URL": url,
        **libpq_env(url),
    }


@dataclass(frozen=True)
class AlertChannels:
    email_to: tuple[str, ...]  # SME_ALERT_EMAIL_TO, comma-separated
    smtp_conn_id: str  # SME_ALERT_SMTP_CONN_ID, default smtp_default (AIRFLOW_CONN_SMTP_DEFAULT)
    webhook_conn_id: str | None  # SME_ALERT_WEBHOOK_CONN_ID: a Slack incoming-webhook connection


def alert_channels() -> AlertChannels:
    """Where alerts go (see sme_credit.orchestration.alerts); the servers themselves are Airflow connections."""
    recipients = tuple(a.strip() for a in os.environ.get("SME_ALERT_EMAIL_TO", "").split(",") if a.strip())
    return AlertChannels(
        email_to=recipients,
        smtp_conn_id=os.environ.get("SME_ALERT_SMTP_CONN_ID", "smtp_default"),
        webhook_conn_id=os.environ.get("SME_ALERT_WEBHOOK_CONN_ID") or None,
    )


def publication_deadline() -> dt.timedelta:
    """How long after the start of a delivery date (00:00 UTC, 08:00 in China) its candidates must be published
    (SME_PUBLICATION_DEADLINE_HOURS, default 10: 18:00 China time); later, the publication watch alerts."""
    hours = float(os.environ.get("SME_PUBLICATION_DEADLINE_HOURS", "10"))
    if not 0 < hours <= 48:
        raise ValueError(f"SME_PUBLICATION_DEADLINE_HOURS must be between 0 and 48 hours, got {hours}")
    return dt.timedelta(hours=hours)

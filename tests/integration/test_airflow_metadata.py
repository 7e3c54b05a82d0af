"""The local Airflow's metadata database: made beside the warehouse on its server, migrated with the project's
pools once, made again when it is gone, and dropped with the warehouse."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import create_engine, make_url, text

from sme_credit import settings, warehouse
from sme_credit.orchestration.dag_support import POOLS_FILE
from sme_credit_dev.cli import ensure_airflow_db
from tests.conftest import _fresh_database


def _pools(metadata_url: str) -> dict[str, int]:
    engine = create_engine(metadata_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("select pool, slots from slot_pool")).all())
    finally:
        engine.dispose()


def test_the_metadata_database_is_made_beside_the_warehouse_once(server_url, state_dir, tmp_path, restored_environment):
    name, url = _fresh_database(server_url, "test_metadata")
    try:
        os.environ.update(settings.airflow_env(url))
        metadata_url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        metadata = make_url(metadata_url).database
        assert metadata == f"{name}_airflow" and not warehouse.database_exists(server_url, metadata)
        log = tmp_path / "airflow.log"

        ensure_airflow_db(metadata_url, log)
        wanted = {pool: spec["slots"] for pool, spec in json.loads(POOLS_FILE.read_text()).items()}
        assert wanted.items() <= _pools(metadata_url).items()
        migrated = log.read_text()
        assert "airflow db migrate" in migrated

        ensure_airflow_db(metadata_url, log)  # prepared: nothing runs
        assert log.read_text() == migrated

        warehouse.drop_database(server_url, metadata)  # gone (a new server): made and migrated again
        ensure_airflow_db(metadata_url, log)
        assert log.read_text().count("airflow db migrate") == 2
        assert wanted.items() <= _pools(metadata_url).items()
    finally:
        warehouse.drop_database(server_url, name)
    assert not warehouse.database_exists(server_url, name)
    assert not warehouse.database_exists(server_url, f"{name}_airflow")


def test_a_warehouse_user_that_cannot_create_it_is_told_what_to_ask_for(server_url, state_dir, restored_environment):
    role = "test_no_createdb"
    admin = create_engine(settings.sqlalchemy_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"drop role if exists {role}"))
        conn.execute(text(f"create role {role} login nocreatedb"))
    try:
        url = make_url(settings.sqlalchemy_url(server_url)).set(username=role, database="postgres")
        metadata_url = settings.airflow_metadata_url(url.render_as_string(hide_password=False))
        with pytest.raises(RuntimeError, match=r'create database "postgres_airflow" owner "test_no_createdb"'):
            ensure_airflow_db(metadata_url, state_dir / "airflow.log")
        assert not warehouse.database_exists(server_url, "postgres_airflow")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"drop role if exists {role}"))
        admin.dispose()

import pytest

from sme_credit import settings


def test_libpq_env_splits_the_url_dbt_reads():
    env = settings.libpq_env("postgresql://analyst:s3cr%40t@db.internal:6543/warehouse")
    assert env == {
        "PGHOST": "db.internal",
        "PGPORT": "6543",
        "PGUSER": "analyst",
        "PGDATABASE": "warehouse",
        "PGPASSWORD": "s3cr@t",
    }


def test_libpq_env_without_password_sets_none():
    env = settings.libpq_env("postgres://postgres@127.0.0.1:5432/sme")
    assert "PGPASSWORD" not in env and env["PGDATABASE"] == "sme"


def test_non_postgres_url_is_refused():
    with pytest.raises(settings.WarehouseNotConfigured, match="PostgreSQL"):
        settings.sqlalchemy_url("mysql://root@localhost/db")


def test_missing_warehouse_url_says_what_to_do(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    with pytest.raises(settings.WarehouseNotConfigured, match="make run"):
        settings.warehouse_url()


def test_landing_dir_and_ground_truth_follow_landing_override(monkeypatch, tmp_path):
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "feeds" / "landing"))
    assert settings.landing_dir() == tmp_path / "feeds" / "landing"
    assert settings.ground_truth_dir() == tmp_path / "feeds" / "ground_truth"


def test_airflow_env_keeps_state_local(monkeypatch, tmp_path):
    monkeypatch.setenv("SME_STATE_DIR", str(tmp_path))
    env = settings.airflow_env("postgresql://postgres@127.0.0.1:5432/x")
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    # the metadata beside the warehouse, on its server, in a database named after it
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg2://postgres@127.0.0.1:5432/x_airflow"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(settings.DAGS_DIR)


def test_airflow_metadata_keeps_the_warehouse_password():
    url = settings.airflow_metadata_url("postgres://etl:s3cret@db.internal:6543/sme")
    assert url == "postgresql+psycopg2://etl:s3cret@db.internal:6543/sme_airflow"

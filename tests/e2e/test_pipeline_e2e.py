"""The real pipeline end to end: `sme-credit run` (what `make run` calls) runs both DAGs through
`airflow dags test` on a fresh database, and we assert on the published rows.

Runs against the embedded PostgreSQL, and also against a second real server when
SME_TEST_EXTERNAL_SERVER_URL is set (CI sets it to the machine's PostgreSQL 15), proving WAREHOUSE_URL.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sme_credit import settings
from sme_credit.warehouse import drop_database
from tests.conftest import _fresh_database, external_server_url

pytestmark = pytest.mark.e2e

SME_CREDIT = str(Path(sys.executable).with_name("sme-credit"))


def _run_pipeline(tmp_path: Path, warehouse_url: str, landing: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "WAREHOUSE_URL": warehouse_url,
        "LANDING_DIR": str(landing),
        "SME_STATE_DIR": str(tmp_path / "state"),
    }
    env.pop("AIRFLOW_HOME", None)  # the run sets its own, under SME_STATE_DIR
    return subprocess.run([SME_CREDIT, "run"], env=env, capture_output=True, text=True, timeout=1200)


def _servers():
    servers = [pytest.param("embedded", id="embedded")]
    servers.append(
        pytest.param(
            "external",
            id="external-postgres",
            marks=pytest.mark.skipif(not external_server_url(), reason="SME_TEST_EXTERNAL_SERVER_URL not set"),
        )
    )
    return servers


@pytest.fixture(params=_servers())
def fresh_warehouse(request, server_url):
    server = server_url if request.param == "embedded" else external_server_url()
    name, url = _fresh_database(server, "e2e")
    yield request.param, url
    drop_database(server, name)


def _scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_pipeline_publishes_the_days_candidates(tmp_path, fresh_warehouse, tiny_world, tiny_latest):
    server, warehouse_url = fresh_warehouse
    landing = tmp_path / "landing"
    shutil.copytree(tiny_world, landing)
    result = _run_pipeline(tmp_path, warehouse_url, landing)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    engine = create_engine(settings.sqlalchemy_url(warehouse_url))
    d = tiny_latest
    firms = _scalar(engine, "select count(distinct uscc) from staging.stg_enterprise__enterprises")
    assert firms > 0
    assert _scalar(engine, "select count(*) from marts.customer_features where as_of_date = :d", d=d) == firms
    assert _scalar(engine, "select count(*) from marts.customer_risk_tiers where as_of_date = :d", d=d) == firms
    assert (
        _scalar(engine, "select count(distinct risk_tier) from marts.customer_risk_tiers where as_of_date = :d", d=d)
        >= 2
    )

    candidates = _scalar(engine, "select count(*) from marts.precredit_candidates where as_of_date = :d", d=d)
    assert candidates > 0
    assert _scalar(engine, "select count(*) from tracking.candidates") == candidates
    assert _scalar(engine, "select count(*) from tracking.candidates where status <> 'new'") == 0
    assert _scalar(engine, "select count(*) from tracking.candidates where current_tier = 'risk_warning'") == 0
    assert _scalar(engine, "select count(*) from tracking.candidates where last_qualified_date <> :d", d=d) == 0
    # Published terms are exactly the mart's, firm by firm.
    assert (
        _scalar(
            engine,
            """
        select count(*) from tracking.candidates t join marts.precredit_candidates c
          on c.uscc = t.uscc and c.as_of_date = :d
        where (t.suggested_limit, t.suggested_product, t.current_tier) is distinct from
              (c.suggested_limit, c.suggested_product, c.risk_tier)""",
            d=d,
        )
        == 0
    )
    # The summary a newcomer reads names the tiers and where the results are.
    assert "Firms and candidates per tier" in result.stdout and "Data Docs" in result.stdout

    if server != "embedded":
        # the re-run's rows depend on the pipeline, not the server: checked once, on the embedded one (the
        # second `sme-credit run` was half of the external run of this test)
        engine.dispose()
        return
    with engine.begin() as conn:  # the risk team starts working the list, then the day is re-run
        conn.execute(
            text(
                "update tracking.candidates set status = 'contacted' "
                "where uscc = (select min(uscc) from tracking.candidates)"
            )
        )
    rerun = _run_pipeline(tmp_path, warehouse_url, landing)
    assert rerun.returncode == 0, rerun.stdout[-4000:] + rerun.stderr[-4000:]
    assert _scalar(engine, "select count(*) from tracking.candidates") == candidates
    assert _scalar(engine, "select count(*) from tracking.candidates where status = 'contacted'") == 1
    assert _scalar(engine, "select count(*) from marts.precredit_candidates where as_of_date = :d", d=d) == candidates
    assert (
        _scalar(
            engine,
            "select count(*) - count(distinct (_load_id, _line_number)) from raw.settlement_transactions",
        )
        == 0
    )
    engine.dispose()


def _nothing_published(engine) -> bool:
    """No mart and no tracked candidate or event: the migrations set up `tracking` (and the lifecycle's statuses)
    before any load, but only a publication writes in it."""
    marts = _scalar(engine, "select count(*) from information_schema.tables where table_schema = 'marts'")
    tracked = _scalar(engine, "select count(*) from tracking.candidates")
    events = _scalar(engine, "select count(*) from tracking.candidate_events")
    return (marts, tracked, events) == (0, 0, 0)


def test_a_failed_gate_stops_everything_downstream(tmp_path, server_url, tiny_world, tiny_latest):
    landing = tmp_path / "landing"
    shutil.copytree(tiny_world, landing)
    # Break one delivery in a way only the raw gate catches: every value valid, so the loader takes the row, but
    # booked two days before the delivery date where the contract says the day before (T+1).
    settlement = sorted((landing / "settlement").rglob("*.csv"))[-1]
    lines = settlement.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    fields = lines[1].split(",")
    booked = dt.datetime.fromisoformat(fields[header.index("txn_ts")])
    fields[header.index("txn_ts")] = (booked - dt.timedelta(days=1)).isoformat(sep=" ")
    lines[1] = ",".join(fields)
    settlement.write_text("\n".join(lines) + "\n", encoding="utf-8")

    name, url = _fresh_database(server_url, "e2e_gate")
    try:
        result = _run_pipeline(tmp_path, url, landing)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "raw.settlement_transactions" in output and "unexpected_rows_expectation" in output
        engine = create_engine(settings.sqlalchemy_url(url))
        assert _nothing_published(engine)
        engine.dispose()
    finally:
        drop_database(server_url, name)


def test_a_faulty_delivery_day_follows_each_feeds_policy(tmp_path, server_url, faulty_world):
    """The fault catalogue through the real ingest DAG: the bank's own feeds fail their load, the outside
    providers' loads warn and their raw gates run, nothing is published, and every fault is on record."""
    from sme_credit_sample.faults import read_catalogue

    landing = tmp_path / "landing"
    shutil.copytree(faulty_world, landing)
    catalogue = read_catalogue(faulty_world)
    name, url = _fresh_database(server_url, "e2e_faults")
    try:
        result = _run_pipeline(tmp_path, url, landing)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "enterprise: the load policy fails the task: 2 file(s) rejected" in output
        assert "enterprise_master_20261103_extra_column.csv: rejected, line 1, column source_system" in output
        log = next((tmp_path / "state" / "logs").glob("run-*.log")).read_text(errors="replace")
        no_checks = "the contract has no delivery checks for its tables"
        assert f"raw_tax: {no_checks}" in log and f"raw_utilities: {no_checks}" in log, "the warned feeds' gates ran"

        engine = create_engine(settings.sqlalchemy_url(url))
        assert _scalar(engine, "select count(*) from audit.load_manifest where status = 'rejected'") == sum(
            entry["action"] == "reject" or entry["status"] == "rejected" for entry in catalogue
        )
        for status in ("future", "unexpected", "ignored"):  # misplaced files: recorded, never loaded
            assert _scalar(engine, "select count(*) from audit.load_manifest where status = :s", s=status) == sum(
                entry["status"] == status for entry in catalogue
            ), status
        assert _scalar(engine, "select count(*) from audit.load_manifest where status = 'duplicate'") == sum(
            entry["action"] == "skip" for entry in catalogue
        )
        assert _scalar(engine, "select count(*) from audit.quarantined_rows") == sum(
            entry["rows_quarantined"] for entry in catalogue
        )
        assert _scalar(engine, "select count(*) from raw.tax_filings") > 0
        assert _nothing_published(engine)
        engine.dispose()
    finally:
        drop_database(server_url, name)

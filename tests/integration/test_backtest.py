"""The backtest machinery on a real PostgreSQL and the real dbt project (tiny world: figures are not meaningful
at 150 firms; the demo-world figures come from `make backtest`)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from sme_credit import warehouse
from sme_credit.errors import TrainingError
from sme_credit_dev import backtest


def test_backtest_scores_the_firms_alive_a_year_before_the_end_in_a_database_of_its_own(
    fresh_db, server_url, tiny_world, restored_environment
):
    result = backtest.run_backtest(tiny_world, log=lambda message: None)
    try:
        assert result.as_of_date == dt.date(2025, 11, 3)
        truth = list(csv.DictReader((tiny_world.parent / "ground_truth" / "defaults.csv").open()))
        later = [r for r in truth if "2025-11-03" < r["default_date"] <= "2026-11-03"]
        assert result.defaults == len(later) > 0
        assert result.per_tier.firms.sum() == result.firms
        assert result.per_tier.defaults.sum() == result.defaults
        assert list(result.per_tier.index) == ["risk_warning", "steady", "high_potential"]
        assert 0 <= result.ks <= 1 and 0 <= result.auc <= 1
        assert "KS" in result.report() and ("PASSED" in result.report() or "FAILED" in result.report())
        # the warehouse the DAGs write was not touched
        engine = warehouse.engine_for(fresh_db)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("select to_regclass('marts.customer_risk_tiers')").scalar() is None
        engine.dispose()
    finally:
        warehouse.drop_database(server_url, "sme_backtest")


def test_a_backtest_of_an_empty_landing_area_says_so_instead_of_making_a_world(tmp_path):
    with pytest.raises(TrainingError, match="is empty: there is nothing to backtest"):
        backtest.run_backtest(tmp_path / "landing", log=lambda message: None)
    assert not (tmp_path / "landing").exists()

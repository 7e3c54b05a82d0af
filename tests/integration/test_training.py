"""Training as the bank would on a date, on a real PostgreSQL with the real dbt project: a tiny world with 40 months
of history, four monthly as-of dates (figures are not meaningful at 150 firms; `make
train-scorecard` gives the demo world's)."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pytest
from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.contract.feeds import RAW_TABLES
from sme_credit.errors import TrainingError
from sme_credit.model import registry, training
from sme_credit.model.scorecard import FitSettings, ks_and_auc
from sme_credit.model.tuning import TuningGrid
from sme_credit_sample import generate_world

AS_OF = dt.date(2025, 11, 3)


@pytest.fixture(scope="module")
def long_world(tmp_path_factory):
    landing = tmp_path_factory.mktemp("long_world") / "landing"
    generate_world(landing, scale="tiny", seed=5, months=40, progress=None)
    return landing


def test_training_uses_only_what_was_known_and_records_and_promotes_its_model(
    long_world, fresh_db, server_url, tmp_path, monkeypatch, restored_environment
):
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    try:
        # a tiny world has few defaults: few features keep the fit meaningful, and three folds each hold some
        grid = TuningGrid(max_features=(2, 4), max_bins=(4,), l2=(1.0, 100.0), folds=3, repeats=1)
        model = training.train(long_world, AS_OF, fit_settings=FitSettings(), grid=grid, log=lambda _: None)
        plan = model.plan
        # the settings fitted are those that cross-validated best on the development dates
        assert model.tuning is not None and len(model.tuning.trials) == 4
        best = model.tuning.best
        assert best.log_loss == min(trial.log_loss for trial in model.tuning.trials)
        assert (model.settings.max_features, model.settings.binning.max_bins, model.settings.l2) == (
            best.max_features,
            4,
            best.l2,
        )
        assert len(model.scorecard.features) <= best.max_features
        # a year of history after the first delivery (settlement of 2023-07-01, on 2023-07-02), windows delivered by
        # AS_OF: 2024-07-03 .. 2024-10-03, the latest held out
        assert plan.development == (dt.date(2024, 7, 3), dt.date(2024, 8, 3), dt.date(2024, 9, 3))
        assert plan.out_of_time == dt.date(2024, 10, 3)
        assert all(training.outcomes_known_on(day) <= AS_OF for day in plan.dates)
        assert int(model.sample.firms.sum()) == model.development.firms + model.out_of_time.firms
        assert model.development.defaults > 0 and model.out_of_time.defaults > 0

        # nothing delivered after the date reached the training database
        engine = warehouse.engine_for(warehouse.create_database(server_url, training.TRAINING_DATABASE))
        with engine.connect() as conn:
            for table in RAW_TABLES:
                latest = conn.execute(text(f"select max(_delivery_date) from {table.qualified_name}")).scalar()
                assert latest is None or latest <= AS_OF, table.name
            # the model to beat: the active model's scores of the out-of-time firms (the last date built there),
            # labelled here from the outcomes as delivered by AS_OF
            active = conn.execute(
                text(
                    "select tiers.score, exists (select from staging.stg_outcomes__credit_defaults as d "
                    "  where d.uscc = tiers.uscc and d.default_date > tiers.as_of_date "
                    "  and d.default_date <= tiers.as_of_date + interval '1 month' * :months) as bad "
                    "from marts_build.customer_risk_tiers as tiers where tiers.as_of_date = :day "
                    "and not exists (select from staging.stg_outcomes__credit_defaults as d "
                    "  where d.uscc = tiers.uscc and d.default_date <= tiers.as_of_date)"
                ),
                {"day": plan.out_of_time, "months": training.outcome_months()},
            ).all()
        engine.dispose()
        assert model.active_version == registry.active_version()
        assert model.active_out_of_time is not None
        assert (model.active_out_of_time.firms, model.active_out_of_time.defaults) == (
            len(active),
            sum(bad for _, bad in active),
        )
        assert (model.active_out_of_time.ks, model.active_out_of_time.auc) == pytest.approx(
            ks_and_auc(np.array([score for score, _ in active], float), np.array([bad for _, bad in active], int))
        )

        main = warehouse.engine_for(fresh_db)
        folder, passed = registry.save(model, main)
        rows = list(csv.DictReader((folder / f"{registry.POINTS_SEED}.csv").open()))
        assert {row["feature"] for row in rows} == set(model.scorecard.features)
        assert {row["model_version"] for row in rows} == {model.version}
        card_text = (folder / registry.CARD_FILE).read_text()
        assert "## Promotion checks (out of time)" in card_text
        assert f"### The active model {model.active_version} on the same out-of-time sample" in card_text
        assert "Chosen by cross-validation on the development sample" in card_text
        with main.connect() as conn:
            version = conn.execute(text("select model_version, status, trained_as_of from model.model_versions")).one()
            auc = conn.execute(
                text(
                    "select value from model.model_card where section = 'performance' and item = 'out_of_time' "
                    "and metric = 'auc'"
                )
            ).scalar()
            active_auc = conn.execute(
                text(
                    "select value, detail from model.model_card where section = 'performance' "
                    "and item = 'out_of_time_active_model' and metric = 'auc'"
                )
            ).one()
            chosen = conn.execute(
                text(
                    "select item, value from model.model_card where section = 'tuning' and metric = 'cv_log_loss' "
                    "and detail = 'chosen'"
                )
            ).all()
            trials = conn.execute(text("select count(*) from model.model_card where section = 'tuning'")).scalar()
        assert (
            chosen == [(f"max_features={best.max_features} max_bins=4 l2={best.l2:g}", pytest.approx(best.log_loss))]
            and trials == 4 * 4
        )
        assert version == (model.version, "trained", AS_OF)
        assert auc == pytest.approx(model.out_of_time.auc)
        assert active_auc == (pytest.approx(model.active_out_of_time.auc), model.active_version)

        # a failed check refuses the promotion, naming it; passed checks make it active
        seeds, card = tmp_path / "seeds", tmp_path / "model-card.md"
        seeds.mkdir()
        with pytest.raises(TrainingError, match="is not promoted: out of time it fails ks"):
            registry.promote(model, folder, {**passed, "ks": (False, "0.1 >= 0.35")}, main, seeds, card)
        assert not list(seeds.iterdir())
        all_passed = {name: (True, what) for name, (_, what) in passed.items()}
        registry.promote(model, folder, all_passed, main, seeds, card)
        points = f"{registry.POINTS_SEED}.csv"
        assert (seeds / points).read_text() == (folder / points).read_text()
        assert card.read_text().startswith(f"# Scorecard model card: {model.version}")
        with main.connect() as conn:
            assert conn.execute(text("select status from model.model_versions")).scalar() == "active"
        main.dispose()
    finally:
        warehouse.drop_database(server_url, training.TRAINING_DATABASE)


def test_training_without_enough_history_says_what_to_do(tiny_world):
    with pytest.raises(TrainingError, match="generate --months 48"):
        training.plan_training(tiny_world, AS_OF)

"""The scorecard fitter and the seed it writes: bins partition each feature, points are monotone where the
risk direction is known, the dbt macro scores the same features, and the fit separates bad from good."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from sme_credit import rules, settings
from sme_credit.model.scorecard import FEATURES, _monotone, fit, ks_and_auc, scored_values, write_seed


def _seed_rows() -> list[dict[str, str]]:
    return rules.seed_rows("scorecard_points")


def test_the_seed_scores_exactly_the_fitted_features_each_a_documented_customer_features_column():
    assert list(dict.fromkeys(row["feature"] for row in _seed_rows())) == [feature.name for feature in FEATURES]
    models = yaml.safe_load((settings.DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml").read_text())
    (features,) = (model for model in models["models"] if model["name"] == "customer_features")
    columns = {column["name"] for column in features["columns"]}
    assert {feature.name for feature in FEATURES} <= columns


def test_the_seed_has_a_missing_bin_and_the_fitted_bounds_for_every_feature():
    rows = _seed_rows()
    for feature in FEATURES:
        bins = [(r["lower_bound"], r["upper_bound"]) for r in rows if r["feature"] == feature.name]
        cuts = [str(c).removesuffix(".0") for c in feature.cut_points]
        assert bins[0] == ("", "")
        assert bins[1:] == list(zip(["", *cuts], [*cuts, ""])), feature.name


def test_points_are_monotone_in_the_declared_direction_and_reasons_mark_lost_points():
    rows = _seed_rows()
    for feature in FEATURES:
        points = [int(r["points"]) for r in rows if r["feature"] == feature.name][1:]
        ordered = points if feature.safer > 0 else points[::-1]
        assert ordered == sorted(ordered), feature.name
        for r in rows:
            if r["feature"] == feature.name and r["lower_bound"] + r["upper_bound"]:
                assert bool(r["reason_code"]) == (int(r["points"]) < max(points)), (feature.name, r)


def test_pool_adjacent_violators():
    assert _monotone(np.array([1.0, 3.0, 2.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])).tolist() == [1, 2.5, 2.5, 4]
    assert _monotone(np.array([3.0, 1.0]), np.array([3.0, 1.0])).tolist() == [2.5, 2.5]


def test_ks_and_auc_of_perfect_and_useless_scores():
    bad = np.array([True, True, False, False, False, False])
    assert ks_and_auc(np.array([1, 2, 3, 4, 5, 6]), bad) == (1.0, 1.0)
    ks, auc = ks_and_auc(np.array([1, 1, 1, 1, 1, 1]), bad)
    assert auc == 0.5


def test_ks_does_not_depend_on_the_order_of_firms_with_the_same_score():
    score = np.array([1, 1, 1, 1, 2, 2])
    bad_first = np.array([True, True, False, False, False, False])
    good_first = np.array([False, False, True, True, False, False])
    assert ks_and_auc(score, bad_first) == ks_and_auc(score, good_first)
    assert ks_and_auc(score, bad_first)[0] == 0.5  # at the cut-off 1: all bads, half the goods


def test_a_fit_on_synthetic_firms_separates_bad_from_good(tmp_path):
    rng = np.random.default_rng(3)
    n = 4_000
    health = rng.normal(size=n)
    features = pd.DataFrame(
        {
            "late_paid_bills_12m": rng.poisson(np.exp(0.5 - 0.8 * health)),
            "balance_to_monthly_inflow": np.exp(0.2 + 0.4 * health + rng.normal(0, 0.3, n)),
            "tax_rating_rank": np.where(health > 1.3, 4, np.where(health > -1.5, 3, 1)),
            "late_filings_12m": rng.poisson(np.exp(-1 - 0.6 * health)),
            "net_flow_3m_share": rng.normal(0.02 * health, 0.05, n),
            "unpaid_bills": rng.poisson(np.exp(-2 - health)),
            "inflow_to_declared_sales": rng.normal(1.15, 0.05, n),
            "industry_risk_coefficient": rng.choice([0.5, 1.0, 1.5], n),
            "firm_age_years": rng.uniform(0, 20, n),
            "open_defendant_cases": rng.poisson(0.05, n),
        }
    )
    bad = pd.Series(rng.random(n) < 1 / (1 + np.exp(3 + 1.2 * health)))
    card = fit(features, bad)
    ks, auc = ks_and_auc(card.score(scored_values(features)), bad.to_numpy())
    assert ks > 0.3 and auc > 0.7
    path = tmp_path / "points.csv"
    write_seed(card, path)
    assert path.read_text().startswith("feature,lower_bound,upper_bound,points,reason_code\n")

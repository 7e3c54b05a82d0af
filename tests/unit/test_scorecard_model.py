"""The scorecard fitter and the seed it writes: automatic bins are monotone in a learned direction, points follow
it in every fit, categories are binned, the seed's features are documented customer_features columns and
candidates, and the fit separates bad from good."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml

from sme_credit import rules, settings
from sme_credit.errors import TrainingError
from sme_credit.model import training
from sme_credit.model.binning import CATEGORICAL, NUMERIC, BinningSettings, bin_feature
from sme_credit.model.scorecard import (
    SEED_COLUMNS,
    CandidateFeature,
    FitSettings,
    candidate_features,
    fit,
    ks_and_auc,
    psi,
    write_seed,
)


def _seed_rows() -> list[dict[str, str]]:
    return rules.seed_rows("scorecard_points")


def test_the_seed_scores_candidates_that_are_documented_customer_features_columns():
    rows = _seed_rows()
    assert tuple(rows[0]) == SEED_COLUMNS
    assert len({row["model_version"] for row in rows}) == 1
    models = yaml.safe_load((settings.DBT_PROJECT_DIR / "models" / "marts" / "_marts__models.yml").read_text())
    (features,) = (model for model in models["models"] if model["name"] == "customer_features")
    columns = {column["name"] for column in features["columns"]}
    candidates = {candidate.name for candidate in candidate_features()}
    scored = {row["feature"] for row in rows}
    assert scored <= candidates <= columns


def test_the_seed_points_are_monotone_and_the_development_shares_add_up():
    rows = _seed_rows()
    for feature in dict.fromkeys(row["feature"] for row in rows):
        bins = [row for row in rows if row["feature"] == feature]
        assert bins[0]["lower_bound"] == bins[0]["upper_bound"] == bins[0]["categories"] == "", feature
        assert sum(float(row["development_share"]) for row in bins) == pytest.approx(1, abs=1e-4), feature
        points = [int(row["points"]) for row in bins[1:]]
        if not bins[1]["categories"]:
            assert points in (sorted(points), sorted(points, reverse=True)), feature
        best = max(points)
        for row in bins[1:]:
            assert bool(row["reason_code"]) == (int(row["points"]) < best), (feature, row)


def _health_world(seed: int, n: int = 4_000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    health = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "late_bills": rng.poisson(np.exp(0.5 - 0.8 * health)).astype(float),
            "buffer": np.exp(0.2 + 0.4 * health + rng.normal(0, 0.3, n)),
            "noise": rng.normal(size=n),
            "sector": rng.choice(list("ABCDE"), n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "buffer"] = np.nan
    frame["buffer_copy"] = frame.buffer * 1.01
    # sector C and D are riskier
    risk = 3 + 1.2 * health - 0.8 * frame.sector.isin(["C", "D"]).to_numpy()
    bad = (rng.random(n) < 1 / (1 + np.exp(risk))).astype(int)
    return frame, bad


CANDIDATES = (
    CandidateFeature("late_bills", NUMERIC, "LATE", "NO_BILLS"),
    CandidateFeature("buffer", NUMERIC, "THIN", "NO_BUFFER"),
    CandidateFeature("noise", NUMERIC, "NOISE", "NO_NOISE"),
    CandidateFeature("buffer_copy", NUMERIC, "THIN", "NO_BUFFER"),
    CandidateFeature("sector", CATEGORICAL, "RISKY_SECTOR", "NO_SECTOR"),
)


def test_binning_learns_the_direction_and_keeps_bad_rates_monotone():
    frame, bad = _health_world(1)
    late = bin_feature("late_bills", frame.late_bills, bad)
    buffer = bin_feature("buffer", frame.buffer, bad, settings=BinningSettings(max_bins=5))
    assert late.direction == -1 and buffer.direction == 1
    for bins in (late, buffer):
        rates = bins.bads[1:] / bins.counts[1:]
        ordered = rates if bins.direction < 0 else rates[::-1]
        assert list(ordered) == sorted(ordered), bins.name
        assert bins.counts[1:].min() >= 0.05 * bins.counts[1:].sum()
    assert len(buffer.cut_points) <= 4 and buffer.counts[0] > 0  # 5 bins at most, the missing bin has the NaNs


def test_categorical_binning_groups_categories_by_risk():
    frame, bad = _health_world(2)
    sector = bin_feature("sector", frame.sector, bad, CATEGORICAL)
    riskiest_two = {category for group in sector.categories[:2] for category in group}
    assert riskiest_two == {"C", "D"}  # categories in order of risk, riskiest first
    assert list(sector.woe[1:]) == sorted(sector.woe[1:])
    assert sector.index(pd.Series(["Z", None, "C"])).tolist()[:2] == [0, 0]  # unseen and missing: the missing bin


@pytest.mark.parametrize("seed", range(12))
def test_every_fit_keeps_points_monotone_in_the_learned_direction(seed):
    frame, bad = _health_world(seed, n=1_500)
    card = fit(frame, bad, CANDIDATES)
    assert not {"buffer", "buffer_copy"} <= set(card.features)  # correlated: only the stronger is kept
    for name, bins in card.bins.items():
        points = card.points[name][1:]
        rates = bins.bads[1:] / np.maximum(bins.counts[1:], 1)
        # more points where fewer go bad, in every fit
        assert np.all(np.diff(points) * np.diff(rates) <= 0), (name, points, rates)
    assert all(coefficient < 0 for name, coefficient in card.coefficients.items() if name != "intercept")


def test_a_fit_separates_bad_from_good_and_writes_the_seed(tmp_path):
    frame, bad = _health_world(3)
    card = fit(frame, bad, CANDIDATES, FitSettings(max_features=3))
    ks, auc = ks_and_auc(card.score(frame), bad)
    assert ks > 0.3 and auc > 0.7
    assert len(card.features) <= 3
    path = tmp_path / "points.csv"
    write_seed(card.seed_rows("sc-test"), path)
    rows = list(csv.DictReader(path.open()))
    assert {row["model_version"] for row in rows} == {"sc-test"}
    sector_bins = [row["categories"] for row in rows if row["feature"] == "sector"]
    assert sector_bins[0] == "" and sorted("|".join(sector_bins[1:]).split("|")) == list("ABCDE")


def test_a_feature_that_moves_with_the_calendar_is_left_out_however_informative():
    # twelve monthly development dates; "growth" tells bad from good within each date (it follows late_bills,
    # noisily), but its level swings with the season (a half-year growth across the Spring Festival)
    frame, bad = _health_world(4, n=6_000)
    frame["as_of_date"] = np.repeat([dt.date(2024, month, 3) for month in range(1, 13)], 500)
    season = np.where(pd.to_datetime(frame.as_of_date).dt.month.isin([3, 4, 5, 6, 7, 8]), -0.3, 0.2)
    health = -frame.late_bills.rank(pct=True) + np.random.default_rng(4).normal(0, 0.5, len(frame))
    frame["growth"] = season + 0.1 * health
    candidates = (*CANDIDATES, CandidateFeature("growth", NUMERIC, "FALLING", "NO_GROWTH"))

    card = fit(frame, bad, candidates, FitSettings(max_date_psi=0.25))
    chosen = {s.feature: s for s in card.selection}
    assert chosen["growth"].iv > 0.3 and chosen["growth"].date_psi > 0.25  # informative, and moving
    assert not chosen["growth"].selected and chosen["growth"].why.startswith("unstable: PSI ")
    assert chosen["late_bills"].selected and chosen["late_bills"].date_psi < 0.05
    # the same fit without the bound (or without dates to compare) keeps it
    assert "growth" in fit(frame, bad, candidates, FitSettings(max_date_psi=10)).features
    assert "growth" in fit(frame.drop(columns="as_of_date"), bad, candidates).features


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


def test_psi_is_zero_for_the_same_distribution_and_grows_with_the_shift():
    assert psi(np.array([10, 20, 30]), np.array([1, 2, 3])) == pytest.approx(0)
    small = psi(np.array([0.3, 0.4, 0.3]), np.array([0.25, 0.4, 0.35]))
    large = psi(np.array([0.3, 0.4, 0.3]), np.array([0.1, 0.3, 0.6]))
    assert 0 < small < 0.1 < 0.25 < large
    assert np.isfinite(psi(np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.4, 0.2])))  # an empty band


def test_a_training_plan_uses_only_windows_delivered_by_the_date(tmp_path):
    for month in range(1, 13 * 3 + 1):  # monthly deliveries 2022-02-03 .. 2025-02-03
        day = training.add_months(dt.date(2022, 1, 3), month)
        (tmp_path / "outcomes" / f"delivery_date={day}").mkdir(parents=True)
    plan = training.plan_training(tmp_path, dt.date(2025, 2, 3))
    # a year of history after 2022-02: from 2023-02-03; the 12-month window of 2024-01-03 ends 2025-01-03, its
    # month is delivered on 2025-02-03
    assert plan.development[0] == dt.date(2023, 2, 3)
    assert plan.out_of_time == dt.date(2024, 1, 3)
    assert all(training.outcomes_known_on(day) <= plan.as_of for day in plan.dates)
    with pytest.raises(TrainingError, match="--months 48"):
        training.plan_training(tmp_path, dt.date(2024, 3, 3))

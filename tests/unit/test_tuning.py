"""Choosing the fitter's settings by cross-validation grouped by firm: what fits the development sample best is
not what generalises, and the folds keep each firm's dates together."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sme_credit.errors import TrainingError
from sme_credit.model.binning import NUMERIC
from sme_credit.model.scorecard import CandidateFeature, FitSettings, fit, ks_and_auc
from sme_credit.model.tuning import TuningGrid, fold_of, grid_around, tune

NOISE = [f"noise_{i}" for i in range(10)]
CANDIDATES = tuple(CandidateFeature(name, NUMERIC, "LOW", "MISSING") for name in ["signal_a", "signal_b", *NOISE])


def _firms_over_dates(seed: int, firms: int = 500, dates: int = 4) -> pd.DataFrame:
    """Each firm on several as-of dates: two features that carry its risk, and ten of pure noise that, like a
    firm's industry or size, stay with the firm, so the firm's own dates make them look informative in sample."""
    rng = np.random.default_rng(seed)
    health = rng.normal(size=firms)
    per_firm = {
        "uscc": [f"91110000MA{index:08d}" for index in range(firms)],
        **{name: rng.normal(size=firms) for name in NOISE},
    }
    frame = pd.DataFrame(per_firm).loc[np.repeat(np.arange(firms), dates)].reset_index(drop=True)
    firm_health = np.repeat(health, dates)
    frame["signal_a"] = firm_health + rng.normal(0, 0.8, len(frame))
    frame["signal_b"] = firm_health + rng.normal(0, 0.8, len(frame))
    frame["bad"] = (rng.random(len(frame)) < 1 / (1 + np.exp(2.8 + 1.2 * firm_health))).astype(int)
    return frame


def test_the_settings_that_generalise_are_chosen_not_those_that_fit_the_sample_best():
    frame = _firms_over_dates(7)
    base = FitSettings(min_iv=0.0, max_correlation=1.0, max_date_psi=10)
    grid = TuningGrid(max_features=(2, 12), max_bins=(6,), l2=(1.0,), folds=5, repeats=1)

    tuning = tune(frame, frame.bad, CANDIDATES, base, grid, log=lambda _: None)

    # in sample, the firm-level noise looks like information: the 12-feature fit separates better ...
    in_sample = {
        count: ks_and_auc(
            fit(frame, frame.bad, CANDIDATES, FitSettings(**{**vars(base), "max_features": count})).score(frame),
            frame.bad.to_numpy(),
        )[1]
        for count in (2, 12)
    }
    assert in_sample[12] > in_sample[2] + 0.01, in_sample
    # ... but on firms it has not seen it does worse, and cross-validation by firm takes the two signals
    assert [trial.max_features for trial in tuning.trials] == [2, 12]
    assert tuning.trials[0].auc > tuning.trials[1].auc + 0.02
    assert tuning.trials[0].log_loss < tuning.trials[1].log_loss
    chosen = tuning.settings(base)
    assert chosen.max_features == 2 and chosen.min_iv == 0.0 and chosen.binning.max_bins == 6
    assert set(fit(frame, frame.bad, CANDIDATES, chosen).features) == {"signal_a", "signal_b"}


def test_a_penalty_that_keeps_the_ranking_but_flattens_the_probabilities_loses():
    # a ridge penalty far above the data's information shrinks every coefficient alike: the order of the firms
    # (AUC) barely moves, but the scores crowd around the average and the tiers' score bounds lose their meaning
    frame = _firms_over_dates(8)
    grid = TuningGrid(max_features=(2,), max_bins=(6,), l2=(1.0, 1_000.0), folds=5, repeats=1)
    tuning = tune(frame, frame.bad, CANDIDATES, FitSettings(), grid, log=lambda _: None)
    weak, strong = sorted(tuning.trials, key=lambda trial: trial.l2)
    assert abs(weak.auc - strong.auc) < 0.01
    assert strong.log_loss > weak.log_loss + 0.02
    assert tuning.best is weak
    spread = {l2: np.ptp(fit(frame, frame.bad, CANDIDATES, FitSettings(l2=l2)).score(frame)) for l2 in (1.0, 1_000.0)}
    assert spread[1_000.0] < 0.25 * spread[1.0]


def test_a_firm_stays_in_one_fold_and_repeats_redraw_the_folds():
    firms = [f"91110000MA{index:08d}" for index in range(1_000)]
    folds = [fold_of(uscc, 5) for uscc in firms]
    assert [fold_of(uscc, 5) for uscc in firms] == folds  # the same on every call and run
    assert min(np.bincount(folds)) > 150  # about a fifth each
    redrawn = [fold_of(uscc, 5, repeat=1) for uscc in firms]
    assert 0.7 < np.mean(np.array(redrawn) != np.array(folds)) < 0.9


def test_the_settings_given_are_held_and_the_rest_are_tried():
    grid = grid_around({"max_features": 4, "max_bins": None, "min_iv": 0.1}, folds=0)
    assert grid.max_features == (4,) and grid.max_bins == TuningGrid().max_bins and grid.l2 == TuningGrid().l2
    assert not grid.enabled
    assert grid_around({}).enabled and grid_around({}) == TuningGrid()


def test_too_few_defaults_to_cross_validate_says_what_to_do():
    frame = _firms_over_dates(9, firms=60)
    frame["bad"] = 0
    frame.loc[0, "bad"] = 1  # one default: every fold lacks one of the outcomes, in training or held out
    with pytest.raises(TrainingError, match="too few defaults to cross-validate; train with fewer --folds"):
        tune(frame, frame.bad, CANDIDATES, FitSettings(), TuningGrid(repeats=1), log=lambda _: None)

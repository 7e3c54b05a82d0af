"""Choosing the fitter's settings by cross-validation on the development sample, grouped by firm.

How many features to take, how many bins each may have and how hard the regression is penalised decide how
closely the scorecard follows its development sample. Which values generalise depends on the bank's data (on the
model world, the fitter's defaults backtest at AUC 0.728, the settings chosen here at 0.750), so they are learned
from it, never from the out-of-time sample:

- the development firms are split into `folds` groups by a hash of their USCC, so all of a firm's as-of dates fall
  in one fold (a firm seen in training would make its own dates look predictable) and the split is the same on
  every run and machine;
- every setting of the grid is fitted on all folds but one and scored on the one left out, in turn, the whole fit
  included (binning, selection, regression), so the choice pays for its own selection;
- the setting with the lowest mean log loss over the held-out folds wins (ties: the fewer features, bins and the
  stronger penalty), averaged over `repeats` re-drawn splits. Log loss, not AUC: the tiers are score bounds, so
  the probabilities must be right as well as the ranking. Judged by AUC, a strong penalty won that squeezed the
  demo world's scores into 546-604 and left `high_potential` 12 firms.

The settings the user fixed stay fixed: the grid only varies what was left to it (see `grid_around`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sme_credit.errors import TrainingError
from sme_credit.model.scorecard import (
    CandidateFeature,
    FitSettings,
    bin_candidates,
    fit_binned,
    ks_and_auc,
    log_loss,
)


@dataclass(frozen=True)
class TuningGrid:
    """The values tried for each tuned setting, and how the development sample is split."""

    max_features: tuple[int, ...] = (4, 6, 8, 10, 12)
    max_bins: tuple[int, ...] = (4, 6)
    l2: tuple[float, ...] = (1.0, 10.0, 100.0, 1000.0)
    folds: int = 5  # 0 or 1: no cross-validation, the settings are used as given
    repeats: int = 3  # re-drawn splits, averaged: one 5-fold split of a few hundred defaults is noisy

    @property
    def enabled(self) -> bool:
        return self.folds >= 2


def grid_around(fixed: dict[str, Any], folds: int | None = None, repeats: int | None = None) -> TuningGrid:
    """The default grid, with each setting given a value in `fixed` (max_features, max_bins, l2) held at it, and
    `folds` and `repeats` when given."""
    grid = TuningGrid()
    held = {name: (fixed[name],) for name in ("max_features", "max_bins", "l2") if fixed.get(name) is not None}
    split = {name: value for name, value in (("folds", folds), ("repeats", repeats)) if value is not None}
    return dataclasses.replace(grid, **held, **split)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Trial:
    max_features: int
    max_bins: int
    l2: float
    log_loss: float  # the criterion: mean over the held-out folds
    auc: float  # mean over the held-out folds
    auc_sd: float  # their standard deviation
    ks: float  # mean over the held-out folds

    def key(self) -> tuple:
        """Best first: the lowest log loss, then the simpler model."""
        return (round(self.log_loss, 6), self.max_features, self.max_bins, -self.l2)


@dataclass
class Tuning:
    grid: TuningGrid
    firms: int
    trials: list[Trial]  # best first

    @property
    def best(self) -> Trial:
        return self.trials[0]

    def settings(self, base: FitSettings) -> FitSettings:
        return with_tuned(base, self.best.max_features, self.best.max_bins, self.best.l2)


def with_tuned(base: FitSettings, max_features: int, max_bins: int, l2: float) -> FitSettings:
    """`base` with the three settings the grid varies."""
    return dataclasses.replace(
        base, max_features=max_features, l2=l2, binning=dataclasses.replace(base.binning, max_bins=max_bins)
    )


def fold_of(uscc: str, folds: int, repeat: int = 0) -> int:
    """A firm's fold: a hash of its USCC (and the repeat), the same on every run."""
    digest = hashlib.sha256(f"{repeat}:{uscc}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def tune(
    frame: pd.DataFrame,
    bad: pd.Series | np.ndarray,
    candidates: tuple[CandidateFeature, ...],
    base: FitSettings,
    grid: TuningGrid,
    log: Callable[[str], None] = print,
    groups: pd.Series | np.ndarray | None = None,
) -> Tuning:
    """Cross-validate every combination of `grid` on `frame`, the other settings as in `base`; the trials best
    first. `groups` names each row's firm, kept in one fold (default: the frame's uscc column)."""
    y = np.asarray(bad, dtype=int)
    combinations = list(itertools.product(grid.max_features, grid.l2))
    scores: dict[tuple[int, int, float], list[tuple[float, float, float]]] = {}
    splits = [(repeat, fold) for repeat in range(grid.repeats) for fold in range(grid.folds)]
    firms = np.asarray(frame.uscc if groups is None else groups, dtype=str)
    firm_count = len(set(firms))
    log(
        f"Cross-validating {len(grid.max_bins) * len(combinations)} settings on {len(splits)} folds of "
        f"{firm_count:,} firms ..."
    )
    fold_per_repeat = [
        np.array([fold_of(uscc, grid.folds, repeat) for uscc in firms]) for repeat in range(grid.repeats)
    ]
    for repeat, fold in splits:
        if fold == 0 and grid.repeats > 1:
            log(f"  split {repeat + 1} of {grid.repeats} ...")
        held_out = fold_per_repeat[repeat] == fold
        train, test = frame[~held_out].reset_index(drop=True), frame[held_out].reset_index(drop=True)
        if y[~held_out].sum() == 0 or y[held_out].sum() == 0 or y[held_out].sum() == held_out.sum():
            continue  # a fold with one outcome only says nothing about ranking
        for max_bins in grid.max_bins:
            # one binning serves every selection and penalty: they do not change it
            binning = dataclasses.replace(base.binning, max_bins=max_bins)
            binned = bin_candidates(train, y[~held_out], candidates, binning)
            for max_features, l2 in combinations:
                card = fit_binned(binned, candidates, with_tuned(base, max_features, max_bins, l2))
                score = card.score(test)
                ks, auc = ks_and_auc(score, y[held_out])
                scores.setdefault((max_features, max_bins, l2), []).append((log_loss(score, y[held_out]), ks, auc))
    if not scores:
        raise TrainingError(
            f"no fold of the {grid.folds} holds both outcomes: too few defaults to cross-validate; train with fewer "
            "--folds, or with --folds 0 and the settings given"
        )
    trials = []
    for (max_features, max_bins, l2), found in scores.items():
        losses, kss, aucs = (np.array(column) for column in zip(*found))
        trials.append(
            Trial(
                max_features,
                max_bins,
                l2,
                float(losses.mean()),
                float(aucs.mean()),
                float(aucs.std()),
                float(kss.mean()),
            )
        )
    return Tuning(grid, firm_count, sorted(trials, key=Trial.key))

"""Fitting the points scorecard: automatic monotone bins, feature selection, a sign-constrained logistic regression
on weights of evidence, and integer points per bin.

The scorecard the pipeline applies is the seed `dbt_project/seeds/scorecard_points.csv` (model version, feature,
bin, points, reason code, development share), applied in SQL (macros/scorecard.sql). `training.py` fits it on the
bank's own outcomes; this module knows nothing of warehouses: it takes a frame of candidate feature values (with
their as-of dates, when there are several, to judge each feature's stability across them), a 0/1 outcome, the
candidates and the settings, all as arguments.

Scaling (dbt vars, read through `rules.scorecard_scale`): score = base_score + pdo * log2(odds_good / base_odds),
so that probability_of_default = 1 / (1 + base_odds * 2 ^ ((score - base_score) / pdo)).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sme_credit import rules
from sme_credit.model.binning import CATEGORICAL, BinningSettings, FeatureBins, bin_feature

SEED_COLUMNS = (
    "model_version",
    "feature",
    "lower_bound",
    "upper_bound",
    "categories",
    "points",
    "reason_code",
    "development_share",
)
CATEGORY_SEPARATOR = "|"


@dataclass(frozen=True)
class CandidateFeature:
    """A customer_features column the fit may score (seed scorecard_features)."""

    name: str
    kind: str  # numeric or categorical
    reason_code: str  # given to the bins that score below the feature's best bin
    missing_reason: str  # given to the missing-value bin when it scores below the best bin


def candidate_features() -> tuple[CandidateFeature, ...]:
    """The candidates of seed scorecard_features, in file order."""
    return tuple(
        CandidateFeature(row["feature"], row["kind"], row["reason_code"], row["missing_reason"])
        for row in rules.seed_rows("scorecard_features")
    )


def _psi_alert() -> float:
    return float(rules.dbt_vars()["model_psi_alert"])


@dataclass(frozen=True)
class FitSettings:
    binning: BinningSettings = field(default_factory=BinningSettings)
    min_iv: float = 0.02  # candidates with less information are left out
    max_correlation: float = 0.7  # of weights of evidence: of two correlated candidates, the weaker is left out
    max_features: int = 12
    l2: float = 1.0  # ridge penalty of the logistic regression
    # The largest PSI a candidate's bins may show between one development date and the whole development sample
    # (default: var model_psi_alert). A feature that moves that much with the calendar (a 6-month growth across
    # the Spring Festival) would set off the daily monitoring's alert for the season, not for a shift.
    max_date_psi: float = field(default_factory=_psi_alert)


@dataclass
class Selection:
    feature: str
    kind: str
    iv: float
    direction: str  # "higher is safer", "higher is riskier" or "by category"
    selected: bool
    why: str
    date_psi: float | None = None  # the largest PSI of one development date against them all (None: one date)


@dataclass
class FittedScorecard:
    bins: dict[str, FeatureBins]  # the scored features, in selection order
    candidates: dict[str, CandidateFeature]
    points: dict[str, list[int]]  # per feature, per bin (the missing bin first)
    coefficients: dict[str, float]
    selection: list[Selection]

    @property
    def features(self) -> list[str]:
        return list(self.bins)

    def score(self, frame: pd.DataFrame) -> np.ndarray:
        total = np.zeros(len(frame))
        for name, bins in self.bins.items():
            total += np.asarray(self.points[name])[bins.index(frame[name])]
        return total

    def seed_rows(self, model_version: str) -> list[dict]:
        rows = []
        for name, bins in self.bins.items():
            points = self.points[name]
            candidate = self.candidates[name]
            best = max(points[1:]) if len(points) > 1 else points[0]
            shares = bins.counts / bins.counts.sum()
            groups = ((),) + bins.categories if bins.kind == CATEGORICAL else ((),) * bins.bins
            for index, ((lower, upper), group) in enumerate(zip(bins.bounds(), groups)):
                below_best = points[index] < best
                reason = (candidate.missing_reason if index == 0 else candidate.reason_code) if below_best else ""
                rows.append(
                    {
                        "model_version": model_version,
                        "feature": name,
                        "lower_bound": lower,
                        "upper_bound": upper,
                        "categories": CATEGORY_SEPARATOR.join(group),
                        "points": points[index],
                        "reason_code": reason,
                        "development_share": round(float(shares[index]), 6),
                    }
                )
        return rows


def _logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> np.ndarray:
    """Coefficients (intercept first) of a ridge-penalised logistic regression, by Newton's method."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (y - p) - penalty * beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def date_psi(bins: FeatureBins, values: pd.Series, dates: pd.Series) -> tuple[float, object] | None:
    """The largest PSI of the feature's bins between one date and all of them, and that date (None: one date)."""
    if dates.nunique() < 2:
        return None
    index = pd.Series(bins.index(values), index=values.index)
    pooled = np.bincount(index, minlength=bins.bins)
    found = [(psi(pooled, np.bincount(part, minlength=bins.bins)), day) for day, part in index.groupby(dates)]
    return max(found, key=lambda moved: moved[0])


def _select(
    binned: dict[str, FeatureBins],
    woe: dict[str, np.ndarray],
    excluded: dict[str, str],
    stability: dict[str, tuple[float, object] | None],
    settings: FitSettings,
) -> tuple[dict[str, FeatureBins], list[Selection]]:
    """Strongest first: a candidate is selected unless it is excluded, too weak, unstable across the development
    dates, flat, correlated with a selected one, or over the maximum."""
    chosen: dict[str, FeatureBins] = {}
    selection = []
    for name in sorted(binned, key=lambda n: -binned[n].iv):
        bins = binned[name]
        direction = (
            "by category"
            if bins.kind == CATEGORICAL
            else ("higher is safer" if bins.direction > 0 else "higher is riskier")
        )
        moved = stability.get(name)
        if name in excluded:
            why = excluded[name]
        elif bins.iv < settings.min_iv:
            why = f"IV {bins.iv:.3f} < {settings.min_iv}"
        elif moved and moved[0] > settings.max_date_psi:
            why = f"unstable: PSI {moved[0]:.3f} on {moved[1]} against all development dates > {settings.max_date_psi}"
        elif np.std(woe[name]) == 0:
            why = "one bin only"
        elif correlated := [
            other for other in chosen if abs(float(np.corrcoef(woe[name], woe[other])[0, 1])) > settings.max_correlation
        ]:
            why = f"correlated with {correlated[0]} (|r| > {settings.max_correlation})"
        elif len(chosen) >= settings.max_features:
            why = f"{settings.max_features} features already selected"
        else:
            chosen[name] = bins
            why = ""
        selection.append(Selection(name, bins.kind, bins.iv, direction, not why, why, moved[0] if moved else None))
    return chosen, selection


@dataclass
class BinnedCandidates:
    """Every candidate binned against the outcome of one sample: what the selection and the fit read. It depends
    on the binning settings only, so one binning serves every selection and penalty tried on the sample."""

    bins: dict[str, FeatureBins]
    woe: dict[str, np.ndarray]  # per candidate, each row's weight of evidence
    stability: dict[str, tuple[float, object] | None]  # per candidate, its date PSI (scorecard.date_psi)
    bad: np.ndarray


def bin_candidates(
    frame: pd.DataFrame,
    bad: pd.Series | np.ndarray,
    candidates: tuple[CandidateFeature, ...],
    binning: BinningSettings,
) -> BinnedCandidates:
    """Bin every candidate of `frame` against `bad`, with each bin's date PSI when `frame` has an as_of_date."""
    y = np.asarray(bad, dtype=float)
    binned = {c.name: bin_feature(c.name, frame[c.name], y, c.kind, binning) for c in candidates}
    woe = {name: bins.woe[bins.index(frame[name])] for name, bins in binned.items()}
    dates = frame["as_of_date"] if "as_of_date" in frame else pd.Series(0, index=frame.index)
    stability = {name: date_psi(bins, frame[name], dates) for name, bins in binned.items()}
    return BinnedCandidates(binned, woe, stability, y)


def fit(
    frame: pd.DataFrame,
    bad: pd.Series | np.ndarray,
    candidates: tuple[CandidateFeature, ...],
    settings: FitSettings | None = None,
) -> FittedScorecard:
    """Bin every candidate, select by information value, stability across the as-of dates (when `frame` has an
    as_of_date column) and correlation, fit a logistic regression of `bad` on the selected features' weights of
    evidence with every coefficient constrained to its sign (a feature whose coefficient comes out against its
    weight of evidence is dropped and the rest refitted, so points are monotone in each feature's learned
    direction), and turn each bin's contribution into integer points."""
    settings = settings or FitSettings()
    return fit_binned(bin_candidates(frame, bad, candidates, settings.binning), candidates, settings)


def fit_binned(
    binned: BinnedCandidates, candidates: tuple[CandidateFeature, ...], settings: FitSettings
) -> FittedScorecard:
    """`fit` on candidates already binned with `settings.binning`."""
    excluded: dict[str, str] = {}
    while True:
        chosen, selection = _select(binned.bins, binned.woe, excluded, binned.stability, settings)
        if not chosen:
            raise ValueError("no candidate feature carries information about the outcome: nothing to fit")
        beta = _logistic(np.column_stack([binned.woe[name] for name in chosen]), binned.bad, settings.l2)
        # woe > 0 is safer, so a coefficient on the log-odds of bad must be negative; a feature whose coefficient
        # is not is left out, and the selection is made again without it
        wrong = [name for name, coefficient in zip(chosen, beta[1:]) if coefficient >= 0]
        if not wrong:
            break
        excluded.update({name: "coefficient against its weight of evidence in the joint fit" for name in wrong})
    scale = rules.scorecard_scale()
    factor = scale.pdo / math.log(2)
    offset = scale.base_score - factor * math.log(scale.base_odds)
    share = (offset - factor * beta[0]) / len(chosen)  # log-odds of bad = b0 + sum(b_i * woe_i)
    points = {
        name: [int(round(share - factor * coefficient * w)) for w in bins.woe]
        for (name, bins), coefficient in zip(chosen.items(), beta[1:])
    }
    return FittedScorecard(
        chosen,
        {c.name: c for c in candidates},
        points,
        {"intercept": float(beta[0]), **{n: float(c) for n, c in zip(chosen, beta[1:])}},
        selection,
    )


def write_seed(rows: list[dict], path: Path) -> None:
    def text(value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return str(value)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        for row in rows:
            writer.writerow([text(row[column]) for column in SEED_COLUMNS])


def ks_and_auc(score: np.ndarray, bad: np.ndarray) -> tuple[float, float]:
    """KS and AUC of a score where higher means safer. KS is the largest gap between the bad and good shares at or
    below a cut-off, taken only where the score changes: firms with the same score are on the same side of any
    cut-off, so their order (the rows' order as read) must not move KS."""
    score = np.asarray(score, dtype=float)
    order = np.argsort(score, kind="mergesort")
    score_sorted, bad_sorted = score[order], np.asarray(bad, dtype=float)[order]
    cumulative_bad = np.cumsum(bad_sorted) / bad_sorted.sum()
    cumulative_good = np.cumsum(1 - bad_sorted) / (1 - bad_sorted).sum()
    last_of_its_score = np.append(score_sorted[1:] != score_sorted[:-1], True)
    ks = float(np.max(np.abs(cumulative_bad - cumulative_good)[last_of_its_score]))
    ranks = pd.Series(score).rank().to_numpy()
    bads = np.asarray(bad, dtype=bool)
    n_bad, n_good = bads.sum(), (~bads).sum()
    auc_bad_lower = 1 - (ranks[bads].sum() - n_bad * (n_bad + 1) / 2) / (n_bad * n_good)
    return ks, float(auc_bad_lower)


def probability_of_default(score: np.ndarray) -> np.ndarray:
    """The probability of default a score stands for (the scaling in the module's docstring)."""
    scale = rules.scorecard_scale()
    return 1 / (1 + scale.base_odds * np.power(2.0, (np.asarray(score, float) - scale.base_score) / scale.pdo))


def log_loss(score: np.ndarray, bad: np.ndarray) -> float:
    """The mean negative log-likelihood of the outcomes under the scores' probabilities of default: lower is
    better, and unlike KS and AUC it also counts how far the probabilities are from the default rates."""
    return probability_log_loss(probability_of_default(score), bad)


def probability_log_loss(probability: np.ndarray, bad: np.ndarray) -> float:
    """`log_loss` of probabilities of default given directly (any model's, not only a score's)."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-6, 1 - 1e-6)
    y = np.asarray(bad, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index between two distributions over the same bands (shares or counts); an empty band
    counts as var model_psi_empty_share_floor, as in SQL (macros/scorecard.sql, psi_term)."""
    floor = float(rules.dbt_vars()["model_psi_empty_share_floor"])
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e = np.maximum(e / e.sum(), floor)
    a = np.maximum(a / a.sum(), floor)
    return float(((a - e) * np.log(a / e)).sum())


def score_bands(score: np.ndarray, bands: int = 10) -> tuple[float, ...]:
    """Inner bounds of `bands` score bands of about equal size (the development sample's deciles)."""
    cuts = np.unique(np.quantile(np.asarray(score, dtype=float), np.linspace(0, 1, bands + 1)[1:-1]))
    return tuple(float(c) for c in cuts)


def band_counts(score: np.ndarray, cuts: tuple[float, ...]) -> np.ndarray:
    """Firms per band [-inf, c1), [c1, c2), ..., [ck, inf)."""
    index = np.searchsorted(np.asarray(cuts), np.asarray(score, dtype=float), side="right")
    return np.bincount(index, minlength=len(cuts) + 1)

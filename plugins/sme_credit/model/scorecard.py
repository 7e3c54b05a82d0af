"""Fitting the points scorecard: binning, weight of evidence, logistic regression, points per bin.

The scorecard the pipeline applies is the seed `dbt_project/seeds/scorecard_points.csv` (feature, bin bounds,
points, reason code), applied in SQL. This module produces that seed from point-in-time features with known
outcomes (`sme-credit train-scorecard`, on a training world that is not the one backtested). The risk team
may then edit the seed by hand; the pipeline never refits on its own.

Scaling (dbt vars, read through `rules.scorecard_scale`): score = base_score + pdo * log2(odds_good / base_odds),
so that probability_of_default = 1 / (1 + base_odds * 2 ^ ((score - base_score) / pdo)).
The scored values are customer_features columns of the features' names, computed there once; the fit reads them
as they are (`scored_values`), as the SQL scorecard does.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sme_credit import rules


@dataclass(frozen=True)
class ScoredFeature:
    name: str
    cut_points: tuple[float, ...]  # inner bin bounds, ascending; bins are [lower, upper)
    safer: int  # +1: a higher value is safer, -1: riskier (points are kept monotone that way)
    reason_code: str  # given to the bins that score below the feature's best bin
    missing_reason: str


# The scored features and their bins. Bounds are round numbers near the training quantiles, so the risk team
# can read and edit them; the fit decides only the points.
FEATURES: tuple[ScoredFeature, ...] = (
    ScoredFeature("late_paid_bills_12m", (1, 2, 4, 8), -1, "LATE_UTILITY_PAYMENTS", "NO_UTILITY_BILLS"),
    ScoredFeature("balance_to_monthly_inflow", (0.5, 1, 1.5, 2.5), 1, "THIN_CASH_BUFFER", "NO_SETTLEMENT_INFLOW"),
    ScoredFeature("tax_rating_rank", (1, 2, 3, 4), 1, "WEAK_TAX_RATING", "NO_TAX_RATING"),
    ScoredFeature("late_filings_12m", (1, 2, 4), -1, "LATE_TAX_FILINGS", "NO_TAX_FILINGS"),
    ScoredFeature("net_flow_3m_share", (-0.2, -0.05, 0, 0.05), 1, "CASH_DRAIN", "NO_SETTLEMENT_INFLOW"),
    ScoredFeature("unpaid_bills", (1, 2), -1, "UTILITY_ARREARS", "NO_UTILITY_BILLS"),
    ScoredFeature("inflow_to_declared_sales", (1.5, 2.5), -1, "INFLOW_EXCEEDS_SALES", "NO_TAX_FILINGS"),
    ScoredFeature("industry_risk_coefficient", (0.9, 1.1, 1.3), -1, "RISKY_INDUSTRY", "INDUSTRY_UNKNOWN"),
    ScoredFeature("firm_age_years", (2, 5, 10), 1, "SHORT_OPERATING_HISTORY", "FIRM_AGE_UNKNOWN"),
    ScoredFeature("open_defendant_cases", (1, 2), -1, "LAWSUITS_AS_DEFENDANT", "NO_COURT_DATA"),
)


def scored_values(features: pd.DataFrame) -> pd.DataFrame:
    """The scored features' values from customer_features rows: the columns of their names, as numbers."""
    return features[[feature.name for feature in FEATURES]].astype(float)


def _bin_index(values: pd.Series, cut_points: tuple[float, ...]) -> np.ndarray:
    """0 for missing, then 1..len(cut_points)+1 for the bins [-inf, c1), [c1, c2), ..., [ck, inf)."""
    index = np.searchsorted(np.asarray(cut_points), values.to_numpy(), side="right") + 1
    return np.where(values.isna().to_numpy(), 0, index)


PRIOR_OBSERVATIONS = 20
MAX_WOE = 1.5


def _monotone(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to `values` in weighted least squares (pool adjacent violators)."""
    blocks = [[float(v), float(w), 1] for v, w in zip(values, weights)]
    merged: list[list[float]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][0] > merged[-1][0]:
            (v2, w2, n2), (v1, w1, n1) = merged.pop(), merged.pop()
            merged.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([np.full(int(n), v) for v, _, n in merged])


def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50) -> np.ndarray:
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


@dataclass
class FittedScorecard:
    rows: list[dict]  # the seed rows
    coefficients: dict[str, float]

    def score(self, values: pd.DataFrame) -> np.ndarray:
        total = np.zeros(len(values))
        for feature in FEATURES:
            bins = _bin_index(values[feature.name], feature.cut_points)
            points = [r["points"] for r in self.rows if r["feature"] == feature.name]
            total += np.asarray(points)[bins]
        return total


def fit(features: pd.DataFrame, bad: pd.Series) -> FittedScorecard:
    """Bin every scored feature, replace bins by their weight of evidence, fit a logistic regression of `bad`
    on them and turn each bin's contribution into integer points on the scale of the dbt vars."""
    values = scored_values(features)
    y = bad.to_numpy(dtype=float)
    goods, bads = (1 - y).sum(), y.sum()
    woe_columns, woe_tables = [], {}
    bad_rate = bads / (goods + bads)
    for feature in FEATURES:
        bins = _bin_index(values[feature.name], feature.cut_points)
        count = len(feature.cut_points) + 2
        # shrunk towards the average bad rate: a thin bin (or an empty missing bin) stays near neutral
        bad_n = np.bincount(bins, weights=y, minlength=count) + PRIOR_OBSERVATIONS * bad_rate
        good_n = np.bincount(bins, weights=1 - y, minlength=count) + PRIOR_OBSERVATIONS * (1 - bad_rate)
        woe = np.log((good_n / goods) / (bad_n / bads))  # > 0: safer than average
        woe[1:] = _monotone(woe[1:] * feature.safer, good_n[1:] + bad_n[1:]) * feature.safer
        woe = woe.clip(-MAX_WOE, MAX_WOE)  # no single bin may decide a firm's tier on its own
        woe_tables[feature.name] = woe
        woe_columns.append(woe[bins])
    beta = _logistic(np.column_stack(woe_columns), y)
    scale = rules.scorecard_scale()
    factor = scale.pdo / math.log(2)
    offset = scale.base_score - factor * math.log(scale.base_odds)
    share = (offset - factor * beta[0]) / len(FEATURES)  # log-odds of bad = b0 + sum(b_i * woe_i)
    rows = []
    for feature, coefficient in zip(FEATURES, beta[1:]):
        woe = woe_tables[feature.name]
        points = [int(round(share - factor * coefficient * w)) for w in woe]
        best = max(points[1:])  # the best bin with a value; the missing bin gets a reason when below it
        bounds = [(None, None)] + list(zip((None, *feature.cut_points), (*feature.cut_points, None)))
        for (lower, upper), bin_points, index in zip(bounds, points, range(len(points))):
            # the best bin gives no reason; the missing-value bin (first) has its own
            reason = "" if bin_points >= best else feature.missing_reason if index == 0 else feature.reason_code
            rows.append(
                {
                    "feature": feature.name,
                    "lower_bound": lower,
                    "upper_bound": upper,
                    "points": bin_points,
                    "reason_code": reason,
                }
            )
    return FittedScorecard(rows, {"intercept": beta[0], **dict(zip((f.name for f in FEATURES), beta[1:]))})


def write_seed(scorecard: FittedScorecard, path: Path) -> None:
    def number(value):
        if value is None:
            return ""
        return str(int(value)) if float(value).is_integer() else str(value)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["feature", "lower_bound", "upper_bound", "points", "reason_code"])
        for row in scorecard.rows:
            writer.writerow(
                [
                    row["feature"],
                    number(row["lower_bound"]),
                    number(row["upper_bound"]),
                    row["points"],
                    row["reason_code"],
                ]
            )


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

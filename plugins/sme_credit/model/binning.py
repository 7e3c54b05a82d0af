"""Automatic monotone binning of one feature against a binary outcome, with weight of evidence and information value.

Numeric features start from quantile pre-bins whose bounds are rounded to two significant figures (so the risk
team can read and edit them). The feature's risk direction is learned: the bins are merged into the monotone
sequence of bad rates (pool adjacent violators) in each direction, and the direction that keeps the more
information wins. Categorical features order their categories by bad rate, which is monotone by construction.
Then bins thinner than `min_bin_share` and, while there are more than `max_bins`, the adjacent pair with the
closest bad rates are merged. Missing values always have their own bin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True)
class BinningSettings:
    prebins: int = 20  # quantile pre-bins of a numeric feature
    max_bins: int = 6  # bins with values (the missing bin comes on top)
    min_bin_share: float = 0.05  # of the rows with a value
    prior_observations: float = 20  # a bin's bad rate is shrunk towards the average by this many rows
    max_woe: float = 1.5  # no single bin may decide a firm's tier on its own


@dataclass
class FeatureBins:
    """The bins of one feature: for numeric features ascending half-open [lower, upper) bounds, for categorical
    ones the categories of each bin. Index 0 of the arrays below is the missing-value bin."""

    name: str
    kind: str
    cut_points: tuple[float, ...] = ()  # numeric: inner bounds, ascending
    categories: tuple[tuple[str, ...], ...] = ()  # categorical: the categories of each bin, safest last
    direction: int = 1  # numeric: +1 when a higher value is safer, -1 when riskier
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bads: np.ndarray = field(default_factory=lambda: np.zeros(0))
    woe: np.ndarray = field(default_factory=lambda: np.zeros(0))  # > 0: safer than average
    iv: float = 0.0

    @property
    def bins(self) -> int:
        return 1 + (len(self.cut_points) + 1 if self.kind == NUMERIC else len(self.categories))

    def index(self, values: pd.Series) -> np.ndarray:
        """The bin of each value: 0 when missing (or a category the binning never saw), then 1..bins-1."""
        if self.kind == NUMERIC:
            numbers = pd.to_numeric(values, errors="coerce")
            found = np.searchsorted(np.asarray(self.cut_points, dtype=float), numbers.to_numpy(dtype=float), "right")
            return np.where(numbers.isna().to_numpy(), 0, found + 1)
        lookup = {category: i + 1 for i, group in enumerate(self.categories) for category in group}
        return values.map(lambda v: lookup.get(str(v), 0) if pd.notna(v) else 0).to_numpy(dtype=int)

    def bounds(self) -> list[tuple[float | None, float | None]]:
        """(lower, upper) of every bin, the missing bin first with (None, None)."""
        if self.kind != NUMERIC:
            return [(None, None)] * self.bins
        return [(None, None), *zip((None, *self.cut_points), (*self.cut_points, None))]


def _round_bound(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    digits = 1 - int(math.floor(math.log10(abs(value))))
    return round(value, digits)


def _woe(bads: np.ndarray, counts: np.ndarray, total_bads: float, total: float, prior: float) -> np.ndarray:
    rate = total_bads / total
    bad_n = bads + prior * rate
    good_n = counts - bads + prior * (1 - rate)
    return np.log((good_n / (total - total_bads)) / (bad_n / total_bads))


def _iv(bads: np.ndarray, counts: np.ndarray, total_bads: float, total: float, prior: float) -> float:
    woe = _woe(bads, counts, total_bads, total, prior)
    rate = total_bads / total
    good_share = (counts - bads + prior * (1 - rate)) / (total - total_bads)
    bad_share = (bads + prior * rate) / total_bads
    return float(((good_share - bad_share) * woe).sum())


def _pooled(rates: np.ndarray, weights: np.ndarray) -> list[list[int]]:
    """Groups of adjacent indices whose pooled rates are non-decreasing (pool adjacent violators)."""
    blocks: list[tuple[float, float, list[int]]] = []
    for i, (rate, weight) in enumerate(zip(rates, weights)):
        blocks.append((float(rate), float(weight), [i]))
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (r2, w2, i2), (r1, w1, i1) = blocks.pop(), blocks.pop()
            total = w1 + w2
            blocks.append(((r1 * w1 + r2 * w2) / total if total else r1, total, i1 + i2))
    return [indices for _, _, indices in blocks]


def _monotone(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to `values` in weighted least squares."""
    fitted = np.empty(len(values))
    for group in _pooled(values, weights):
        total = weights[group].sum()
        fitted[group] = (values[group] * weights[group]).sum() / total if total else values[group].mean()
    return fitted


def _merge_groups(groups: list[list[int]], counts: np.ndarray, bads: np.ndarray, settings: BinningSettings):
    """Merge thin groups into a neighbour, then the closest neighbours while there are too many."""

    def stats(group):
        n = counts[group].sum()
        return n, (bads[group].sum() / n if n else 0.0)

    total = counts.sum()
    while len(groups) > 1:
        sizes = [stats(g)[0] for g in groups]
        thinnest = int(np.argmin(sizes))
        if sizes[thinnest] >= settings.min_bin_share * total and len(groups) <= settings.max_bins:
            break
        if sizes[thinnest] < settings.min_bin_share * total:
            i = thinnest
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(groups)]
            j = min(neighbours, key=lambda k: abs(stats(groups[k])[1] - stats(groups[i])[1]))
        else:
            gaps = [abs(stats(groups[k + 1])[1] - stats(groups[k])[1]) for k in range(len(groups) - 1)]
            i = int(np.argmin(gaps))
            j = i + 1
        low, high = min(i, j), max(i, j)
        groups[low : high + 1] = [groups[low] + groups[high]]
    return groups


def bin_feature(
    name: str, values: pd.Series, bad: np.ndarray, kind: str = NUMERIC, settings: BinningSettings | None = None
) -> FeatureBins:
    """Bin `values` against the 0/1 outcome `bad` (see the module's docstring)."""
    settings = settings or BinningSettings()
    bad = np.asarray(bad, dtype=float)
    total, total_bads = float(len(bad)), float(bad.sum())
    if total_bads == 0 or total_bads == total:
        raise ValueError(f"{name}: the outcome needs both goods and bads to bin on")
    present = values.notna().to_numpy()
    if kind == NUMERIC:
        bins = _numeric(name, pd.to_numeric(values[present], errors="coerce").to_numpy(float), bad[present], settings)
    elif kind == CATEGORICAL:
        bins = _categorical(name, values[present].astype(str), bad[present], settings, total_bads / total)
    else:
        raise ValueError(f"{name}: kind is {NUMERIC!r} or {CATEGORICAL!r}, not {kind!r}")
    index = bins.index(values)
    bins.counts = np.bincount(index, minlength=bins.bins).astype(float)
    bins.bads = np.bincount(index, weights=bad, minlength=bins.bins)
    woe = _woe(bins.bads, bins.counts, total_bads, total, settings.prior_observations)
    # shrinking towards the average moves thin bins more than thick ones, which can swap two bins with nearly the
    # same bad rate: pool them again, so the weight of evidence (and the points) follow the direction
    safer_up = 1 if bins.kind == CATEGORICAL else bins.direction  # categories run riskiest first
    woe[1:] = _monotone(woe[1:] * safer_up, bins.counts[1:]) * safer_up
    bins.woe = woe.clip(-settings.max_woe, settings.max_woe)
    bins.iv = _iv(bins.bads, bins.counts, total_bads, total, settings.prior_observations)
    return bins


def _numeric(name: str, values: np.ndarray, bad: np.ndarray, settings: BinningSettings) -> FeatureBins:
    distinct = np.unique(values)
    if len(distinct) <= settings.prebins:
        cuts = distinct[1:]
    else:
        quantiles = np.quantile(values, np.linspace(0, 1, settings.prebins + 1)[1:-1])
        cuts = np.unique([_round_bound(q) for q in quantiles])
        cuts = cuts[(cuts > distinct[0]) & (cuts <= distinct[-1])]
    if len(cuts) == 0:
        return FeatureBins(name, NUMERIC)
    pre = np.searchsorted(cuts, values, side="right")
    counts = np.bincount(pre, minlength=len(cuts) + 1).astype(float)
    bads = np.bincount(pre, weights=bad, minlength=len(cuts) + 1)
    rates = np.divide(bads, counts, out=np.zeros_like(bads), where=counts > 0)
    best: tuple[float, int, list[list[int]]] | None = None
    for direction in (1, -1):
        # a higher value is safer (+1) when the bad rate falls as the value rises
        groups = _pooled(-direction * rates, counts)
        groups = _merge_groups(groups, counts, bads, settings)
        group_counts = np.array([counts[g].sum() for g in groups])
        group_bads = np.array([bads[g].sum() for g in groups])
        information = _iv(group_bads, group_counts, bad.sum(), len(bad), settings.prior_observations)
        if best is None or information > best[0]:
            best = (information, direction, groups)
    assert best is not None
    _, direction, groups = best
    inner = tuple(float(cuts[g[0] - 1]) for g in groups[1:])
    return FeatureBins(name, NUMERIC, cut_points=inner, direction=direction)


def _categorical(
    name: str, values: pd.Series, bad: np.ndarray, settings: BinningSettings, average: float
) -> FeatureBins:
    frame = pd.DataFrame({"category": values.to_numpy(), "bad": bad})
    stats = frame.groupby("category").bad.agg(["size", "sum"])
    stats["rate"] = (stats["sum"] + settings.prior_observations * average) / (
        stats["size"] + settings.prior_observations
    )
    stats = stats.sort_values("rate", ascending=False, kind="mergesort")  # riskiest first, safest last
    groups = _merge_groups(
        [[i] for i in range(len(stats))],
        stats["size"].to_numpy(dtype=float),
        stats["sum"].to_numpy(dtype=float),
        settings,
    )
    names = stats.index.to_numpy()
    return FeatureBins(name, CATEGORICAL, categories=tuple(tuple(sorted(names[g].tolist())) for g in groups))

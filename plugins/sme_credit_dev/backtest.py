"""Backtest of the risk tiers, and the training of the scorecard they come from.

    make backtest          # sme-credit backtest: the demo world, tiers as of 12 months before the end of its data
    make train-scorecard   # sme-credit train-scorecard: refit dbt_project/seeds/scorecard_points.csv

Both load a sample world into a database of their own on the warehouse's server (`sme_backtest`,
`sme_scorecard_training`), so the warehouse the DAGs write is never touched, then build the point-in-time marts
with the real dbt project for past as-of dates and join them to the world's ground truth: the firms that
defaulted in the 12 months after each date. The pipeline itself never reads the ground truth.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

from sme_credit import rules, settings, warehouse
from sme_credit.contract.feeds import FEEDS
from sme_credit.ingest import loader
from sme_credit.model.scorecard import fit, ks_and_auc, scored_values, write_seed
from sme_credit.publish.marts import publish_marts
from sme_credit.transform import dbt_runner
from sme_credit_dev import local_warehouse
from sme_credit_sample import generate_world
from sme_credit_sample.landing import ground_truth_path
from sme_credit_sample.world import read_world_spec

REQUIRED_KS = 0.35
OUTCOME_MONTHS = 12
TRAINING_SEED = 7  # the scorecard is fitted on another world than the demo world (seed 42) it is tested on
TRAINING_DATES_BEFORE_END = (18, 15, 12)  # months before the end of the training world's data


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, day.day)


def load_world(landing: Path, database: str, log=print) -> str:
    """A fresh database on the warehouse's server holding every delivery of the world in `landing`."""
    end = dt.date.fromisoformat(read_world_spec(landing).end_date)
    url = warehouse.create_database(local_warehouse.resolve_url(), database, drop_first=True)
    engine = warehouse.engine_for(url)
    log(f"Loading {landing} (deliveries up to {end}) into database {database} ...")
    loader.ensure_schemas(engine, log=log)
    for feed in FEEDS:
        result = loader.load_feed(engine, landing, feed, end, log=lambda message: None)
        log(f"  {feed}: {result.rows_loaded:,} rows from {len(result.files)} files")
    engine.dispose()
    return url


def build_marts(url: str, as_of_dates: list[dt.date], log=print) -> None:
    """Seeds once, then staging to marts for each as-of date, with the real dbt project, against `url`;
    each date's slices are published to `marts` (this warehouse is the backtest's own)."""
    os.environ.update(settings.libpq_env(url))
    dbt_runner.run_dbt("seed", "--quiet")
    engine = warehouse.engine_for(url)
    for day in as_of_dates:
        log(f"Building the marts as of {day} (dbt run) ...")
        dbt_runner.run_dbt("run", "--quiet", "--select", "+marts", "--vars", f"{{as_of_date: '{day.isoformat()}'}}")
        publish_marts(engine, day, log=lambda message: None)
    engine.dispose()


def outcomes(url: str, table: str, as_of_dates: list[dt.date], ground_truth: Path) -> pd.DataFrame:
    """Rows of marts.`table` for the dates, without firms already in default, with `defaulted` = a default in the
    OUTCOME_MONTHS after the as-of date."""
    engine = warehouse.engine_for(url)
    with engine.connect() as conn:
        frame = pd.read_sql(
            text(f"select * from marts.{table} where as_of_date = any(:dates)"), conn, params={"dates": as_of_dates}
        )
    engine.dispose()
    truth = pd.read_csv(ground_truth, parse_dates=["default_date"])
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    frame = frame.merge(truth, on="uscc", how="left")
    frame = frame[~(frame.default_date <= frame.as_of_date)].reset_index(drop=True)
    horizon = frame.as_of_date + pd.DateOffset(months=OUTCOME_MONTHS)
    frame["defaulted"] = (frame.default_date > frame.as_of_date) & (frame.default_date <= horizon)
    return frame


@dataclass
class BacktestResult:
    as_of_date: dt.date
    firms: int
    defaults: int
    ks: float
    auc: float
    per_tier: pd.DataFrame  # tier -> firms, defaults, default_rate (worst tier first)

    @property
    def monotone(self) -> bool:
        rates = self.per_tier.default_rate.tolist()
        return all(worse > better for worse, better in zip(rates, rates[1:]))

    @property
    def passed(self) -> bool:
        return self.ks >= REQUIRED_KS and self.monotone

    def report(self) -> str:
        lines = [
            f"Backtest: tiers as of {self.as_of_date}, defaults in the following {OUTCOME_MONTHS} months",
            f"  firms scored (not in default on the date): {self.firms:,}; defaults: {self.defaults:,} "
            f"({self.defaults / self.firms:.2%})",
            f"  KS  {self.ks:.3f}   (required >= {REQUIRED_KS})",
            f"  AUC {self.auc:.3f}",
            "  default rate per tier:",
        ]
        for tier, row in self.per_tier.iterrows():
            lines.append(
                f"    {tier:<15} {int(row.firms):>6,} firms {int(row.defaults):>5,} defaults {row.default_rate:>8.2%}"
            )
        lines.append(f"  falls strictly from {' to '.join(self.per_tier.index)}: {'yes' if self.monotone else 'NO'}")
        lines.append(f"Result: {'PASSED' if self.passed else 'FAILED'}")
        return "\n".join(lines)


def run_backtest(landing: Path | None = None, log=print) -> BacktestResult:
    landing = landing or settings.landing_dir()
    end = dt.date.fromisoformat(read_world_spec(landing).end_date)
    as_of = _months_before(end, OUTCOME_MONTHS)
    url = load_world(landing, "sme_backtest", log)
    build_marts(url, [as_of], log)
    tiers = outcomes(url, "customer_risk_tiers", [as_of], ground_truth_path(landing))
    ks, auc = ks_and_auc(tiers.score.to_numpy(dtype=float), tiers.defaulted.to_numpy())
    grouped = (
        tiers.groupby("risk_tier").defaulted.agg(["size", "sum"]).rename(columns={"size": "firms", "sum": "defaults"})
    )
    grouped = grouped.reindex(rules.risk_tiers()).fillna(0)
    grouped["default_rate"] = grouped.defaults / grouped.firms.replace(0, np.nan)
    return BacktestResult(as_of, len(tiers), int(tiers.defaulted.sum()), ks, auc, grouped)


def train_scorecard(seed_path: Path, log=print) -> dict:
    """Generate the training world, build its features on several past dates, fit, write the points seed."""
    with tempfile.TemporaryDirectory(prefix="scorecard-training-") as folder:
        landing = Path(folder) / "landing"
        summary = generate_world(landing, scale="demo", seed=TRAINING_SEED, progress=None)
        end = max(summary.delivery_dates)
        dates = [_months_before(end, months) for months in TRAINING_DATES_BEFORE_END]
        log(f"Training world: demo scale, seed {TRAINING_SEED}; as-of dates {', '.join(map(str, dates))}")
        url = load_world(landing, "sme_scorecard_training", log)
        build_marts(url, dates, log)
        rows = outcomes(url, "customer_features", dates, ground_truth_path(landing))
    card = fit(rows, rows.defaulted)
    write_seed(card, seed_path)
    ks, auc = ks_and_auc(card.score(scored_values(rows)), rows.defaulted.to_numpy())
    log(
        f"Fitted on {len(rows):,} firm-dates with {int(rows.defaulted.sum())} defaults: in-sample KS {ks:.3f}, "
        f"AUC {auc:.3f}; wrote {seed_path}"
    )
    return {"rows": len(rows), "defaults": int(rows.defaulted.sum()), "ks": ks, "auc": auc}

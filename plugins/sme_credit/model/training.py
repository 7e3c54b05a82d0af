"""Training the scorecard as the bank would on a date D: only what was known on D, validated out of time.

    sme-credit train --as-of D [--promote]      (or the manual DAG sme_model_training)

1. The landing area's deliveries up to D are loaded into a database of their own on the warehouse's server
   (`sme_training`), so nothing the daily pipeline reads is touched and nothing delivered after D is seen.
2. The real dbt project builds point-in-time customer features for monthly as-of dates (the 3rd, when the monthly
   feeds arrive) that have a year of history behind them and whose outcome window (var model_outcome_window_months)
   ended, with its defaults delivered, by D.
3. Labels are the defaults of the outcomes feed as delivered by D: a firm not in default on the as-of date is bad
   when it defaulted within the window after it.
4. The latest usable date is held out; the scorecard is fitted on the earlier ones (`scorecard.fit`, with the
   settings that `tuning.tune` chose by cross-validation on them, grouped by firm) and judged on the held-out date.
   The model card (`model_card.py`) says what was used and how it did; `registry.py` stores it and promotes the
   model when it passes the thresholds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text

from sme_credit import rules, settings, warehouse
from sme_credit.contract.feeds import DELIVERY_DAY, FEEDS, delivery_dates
from sme_credit.errors import TrainingError
from sme_credit.model.scorecard import (
    CandidateFeature,
    FitSettings,
    FittedScorecard,
    band_counts,
    candidate_features,
    fit,
    ks_and_auc,
    probability_of_default,
    psi,
    score_bands,
)
from sme_credit.model.tuning import Tuning, TuningGrid, tune

TRAINING_DATABASE = "sme_training"
DEFAULT_GRID = TuningGrid()
HISTORY_MONTHS = 12  # customer_features' longest window: an as-of date needs this much history delivered before it
MIN_DEVELOPMENT_DATES = 2


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def outcome_months() -> int:
    return int(rules.dbt_vars()["model_outcome_window_months"])


def outcomes_known_on(as_of: dt.date) -> dt.date:
    """The delivery that completes the outcome window after `as_of`: the window's last month is delivered on the
    3rd of the month after it."""
    window_end = add_months(as_of, outcome_months())
    return add_months(window_end.replace(day=1), 1).replace(day=DELIVERY_DAY)


@dataclass(frozen=True)
class TrainingPlan:
    as_of: dt.date
    development: tuple[dt.date, ...]  # the as-of dates fitted on
    out_of_time: dt.date  # the latest usable as-of date, held out

    @property
    def dates(self) -> tuple[dt.date, ...]:
        return (*self.development, self.out_of_time)


def plan_training(landing: Path, as_of: dt.date) -> TrainingPlan:
    known = [day for day in delivery_dates(landing) if day <= as_of]
    if not known:
        raise TrainingError(f"the landing area {landing} holds no delivery on or before {as_of}")
    first = add_months(known[0].replace(day=1), HISTORY_MONTHS).replace(day=DELIVERY_DAY)
    candidates = []
    day = first
    while day <= as_of:
        candidates.append(day)
        day = add_months(day, 1)
    usable = [day for day in candidates if outcomes_known_on(day) <= as_of]
    if len(usable) < MIN_DEVELOPMENT_DATES + 1:
        raise TrainingError(
            f"only {len(usable)} monthly as-of date(s) between {first} (a year after the first delivery, "
            f"{known[0]}) and {as_of} have their {outcome_months()}-month outcome window delivered by {as_of}; "
            f"training needs {MIN_DEVELOPMENT_DATES + 1} ({MIN_DEVELOPMENT_DATES} to fit on, the latest to test "
            "out of time). Use a later --as-of, or a world with more history (sme-credit generate --months 48)."
        )
    return TrainingPlan(as_of, tuple(usable[:-1]), usable[-1])


@contextmanager
def dbt_against(url: str) -> Iterator[None]:
    """dbt reads its connection from the PG* variables (profiles.yml): point them at `url` for the block."""
    wanted = settings.libpq_env(url)
    saved = {name: os.environ.get(name) for name in [*wanted, "PGPASSWORD"]}
    os.environ.pop("PGPASSWORD", None)
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_known(landing: Path, as_of: dt.date, database: str, log: Callable[[str], None] = print) -> str:
    """A fresh database on the warehouse's server holding every delivery of `landing` up to `as_of`."""
    from sme_credit.ingest import loader

    url = warehouse.create_database(settings.warehouse_url(), database, drop_first=True)
    engine = warehouse.engine_for(url)
    log(f"Loading the deliveries of {landing} up to {as_of} into database {database} ...")
    try:
        loader.ensure_schemas(engine, log=lambda message: None)
        for feed in FEEDS:
            result = loader.load_feed(engine, landing, feed, as_of, log=lambda message: None)
            log(f"  {feed}: {result.rows_loaded:,} rows from {len(result.files)} files")
    finally:
        engine.dispose()
    return url


def build_as_of(
    url: str, dates: tuple[dt.date, ...], select: str, query: str, label: str, log: Callable[[str], None] = print
) -> pd.DataFrame:
    """The rows of `query` after the real dbt project built `select` as of each date (the seeds first), together;
    `label` names what is built in the progress lines."""
    from sme_credit.transform import dbt_runner

    frames = []
    engine = warehouse.engine_for(url)
    try:
        with dbt_against(url):
            dbt_runner.run_dbt("seed", "--quiet")
            for number, day in enumerate(dates, 1):
                log(f"  [{number}/{len(dates)}] {label} as of {day} (dbt run) ...")
                dbt_runner.run_dbt("run", "--quiet", "--select", select, "--vars", f"{{as_of_date: '{day}'}}")
                with engine.connect() as conn:
                    frames.append(pd.read_sql(text(query), conn))
    finally:
        engine.dispose()
    return pd.concat(frames, ignore_index=True)


def build_point_in_time(url: str, dates: tuple[dt.date, ...], log: Callable[[str], None] = print) -> pd.DataFrame:
    """customer_features with the tiers' knock-out flag, built by the real dbt project as of each date, and the
    score the active model (the project's seeds) gives each firm (active_score, active_model_version)."""
    frame = build_as_of(
        url,
        dates,
        "+customer_risk_tiers",
        "select features.*, tiers.knock_out, tiers.score as active_score, tiers.model_version as active_model_version "
        "from marts_build.customer_features as features "
        "join marts_build.customer_risk_tiers as tiers using (uscc, as_of_date)",
        "features",
        log,
    )
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).dt.date
    return frame


def defaults_known_on(url: str, as_of: dt.date) -> pd.DataFrame:
    """The outcomes feed as delivered by `as_of` (its staging model built as of that date)."""
    from sme_credit.transform import dbt_runner

    with dbt_against(url):
        dbt_runner.run_dbt(
            "run", "--quiet", "--select", "stg_outcomes__credit_defaults", "--vars", f"{{as_of_date: '{as_of}'}}"
        )
    engine = warehouse.engine_for(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(text("select uscc, default_date from staging.stg_outcomes__credit_defaults"), conn)
    finally:
        engine.dispose()


def label(features: pd.DataFrame, defaults: pd.DataFrame, months: int) -> pd.DataFrame:
    """Rows of firms not in default on their as-of date, with `bad` = a default in the `months` after it."""
    first_default = defaults.groupby("uscc").default_date.min().rename("first_default")
    frame = features.merge(first_default, left_on="uscc", right_index=True, how="left")
    as_of = pd.to_datetime(frame.as_of_date)
    defaulted = pd.to_datetime(frame.first_default)
    frame = frame[~(defaulted <= as_of)].copy()
    as_of, defaulted = as_of[frame.index], defaulted[frame.index]
    frame["bad"] = ((defaulted > as_of) & (defaulted <= as_of + pd.DateOffset(months=months))).astype(int)
    return frame.reset_index(drop=True)


@dataclass
class Evaluation:
    firms: int
    defaults: int
    ks: float
    auc: float
    calibration: Any  # DataFrame per score decile: firms, defaults, observed and predicted default rate
    tiers: Any  # DataFrame per tier, worst first: firms, defaults, default_rate

    @property
    def gini(self) -> float:
        return 2 * self.auc - 1

    @property
    def tiers_fall(self) -> bool:
        rates = self.tiers.default_rate.dropna().tolist()
        return len(rates) == len(self.tiers) and all(worse > better for worse, better in zip(rates, rates[1:]))


def tiers_of(score: np.ndarray, knock_out: np.ndarray) -> np.ndarray:
    """The tier each score reaches in seed tier_policy; a knocked-out firm is in the lowest (as in SQL)."""
    policy = sorted(rules.seed_rows("tier_policy"), key=lambda row: float(row["min_score"]))
    minimums = np.array([float(row["min_score"]) for row in policy])
    names = np.array([row["risk_tier"] for row in policy])
    index = np.clip(np.searchsorted(minimums, np.asarray(score, float), side="right") - 1, 0, None)
    return np.where(np.asarray(knock_out, bool), names[0], names[index])


def evaluate(score: np.ndarray, bad: Any, knock_out: Any) -> Evaluation:
    bad = np.asarray(bad, dtype=int)
    ks, auc = ks_and_auc(score, bad)
    frame = pd.DataFrame({"score": score, "bad": bad, "pd": probability_of_default(score)})
    frame["decile"] = pd.qcut(frame.score.rank(method="first"), 10, labels=range(1, 11))
    calibration = frame.groupby("decile", observed=True).agg(
        min_score=("score", "min"),
        max_score=("score", "max"),
        firms=("bad", "size"),
        defaults=("bad", "sum"),
        observed=("bad", "mean"),
        predicted=("pd", "mean"),
    )
    frame["tier"] = tiers_of(score, knock_out)
    tiers = frame.groupby("tier").bad.agg(firms="size", defaults="sum").reindex(rules.risk_tiers()).fillna(0)
    tiers["default_rate"] = tiers.defaults / tiers.firms.replace(0, np.nan)
    return Evaluation(len(frame), int(bad.sum()), ks, auc, calibration, tiers)


@dataclass
class TrainedModel:
    version: str
    plan: TrainingPlan
    scorecard: FittedScorecard
    settings: FitSettings
    development: Evaluation
    out_of_time: Evaluation
    score_cuts: tuple[float, ...]  # the development sample's score deciles
    development_bands: np.ndarray  # firms of the development sample per band
    out_of_time_bands: np.ndarray
    sample: Any  # DataFrame: firms and defaults per as-of date
    # the active model when it was trained (its version), on the same out-of-time sample: the model to beat
    active_version: str = ""
    active_out_of_time: Evaluation | None = None
    tuning: Tuning | None = None  # how `settings` were chosen (None: used as given)

    @property
    def psi_out_of_time(self) -> float:
        return psi(self.development_bands, self.out_of_time_bands)

    def points_rows(self) -> list[dict]:
        return self.scorecard.seed_rows(self.version)

    def band_rows(self) -> list[dict]:
        shares = self.development_bands / self.development_bands.sum()
        bounds = list(zip((None, *self.score_cuts), (*self.score_cuts, None)))
        return [
            {
                "model_version": self.version,
                "band": index + 1,
                "lower_bound": lower,
                "upper_bound": upper,
                "development_share": round(float(share), 6),
            }
            for index, ((lower, upper), share) in enumerate(zip(bounds, shares))
        ]


def _version(as_of: dt.date, scorecard: FittedScorecard) -> str:
    digest = hashlib.sha256(repr(scorecard.seed_rows("")).encode()).hexdigest()
    return f"sc-{as_of:%Y%m%d}-{digest[:8]}"


def fit_and_validate(
    labelled: pd.DataFrame,
    plan: TrainingPlan,
    candidates: tuple[CandidateFeature, ...],
    fit_settings: FitSettings,
    grid: TuningGrid | None = None,
    log: Callable[[str], None] = print,
) -> TrainedModel:
    """Fit on the development dates (with the settings of `grid` that cross-validate best on them, when it is
    enabled; `fit_settings` for the rest) and evaluate on the out-of-time date."""
    development = labelled[labelled.as_of_date.isin(plan.development)].reset_index(drop=True)
    out_of_time = labelled[labelled.as_of_date == plan.out_of_time].reset_index(drop=True)
    for name, part in (("development", development), ("out-of-time", out_of_time)):
        if part.bad.sum() == 0:
            raise TrainingError(f"the {name} sample has no default in the outcomes delivered by {plan.as_of}")
    tuning = None
    if grid is not None and grid.enabled:
        tuning = tune(development, development.bad, candidates, fit_settings, grid, log)
        fit_settings = tuning.settings(fit_settings)
        best = tuning.best
        log(
            f"  chosen: max_features {best.max_features}, max_bins {best.max_bins}, l2 {best.l2:g} "
            f"(held out: log loss {best.log_loss:.4f}, AUC {best.auc:.3f} ± {best.auc_sd:.3f})"
        )
    scorecard = fit(development, development.bad, candidates, fit_settings)
    development_score = scorecard.score(development)
    oot_score = scorecard.score(out_of_time)
    cuts = score_bands(development_score)
    sample = labelled.groupby("as_of_date").bad.agg(firms="size", defaults="sum")
    # the model to beat: the active one (the project's seeds), scored on the same out-of-time firms
    active_version, active_out_of_time = "", None
    if "active_score" in out_of_time:
        active_version = str(out_of_time.active_model_version.iloc[0])
        active_out_of_time = evaluate(
            out_of_time.active_score.to_numpy(dtype=float), out_of_time.bad, out_of_time.knock_out
        )
    return TrainedModel(
        version=_version(plan.as_of, scorecard),
        plan=plan,
        scorecard=scorecard,
        settings=fit_settings,
        development=evaluate(development_score, development.bad, development.knock_out),
        out_of_time=evaluate(oot_score, out_of_time.bad, out_of_time.knock_out),
        score_cuts=cuts,
        development_bands=band_counts(development_score, cuts),
        out_of_time_bands=band_counts(oot_score, cuts),
        sample=sample,
        active_version=active_version,
        active_out_of_time=active_out_of_time,
        tuning=tuning,
    )


def training_sample(
    landing: Path, as_of: dt.date, database: str = TRAINING_DATABASE, log: Callable[[str], None] = print
) -> tuple[TrainingPlan, str, pd.DataFrame]:
    """What a training on `as_of` learns from: its plan, the URL of the database holding what was delivered by
    then (steps 1-3 of the module's docstring), and the labelled point-in-time features of the plan's dates."""
    plan = plan_training(landing, as_of)
    log(
        f"Training as of {as_of}: {len(plan.development)} development dates {plan.development[0]} .. "
        f"{plan.development[-1]}, out of time {plan.out_of_time}, outcomes over {outcome_months()} months"
    )
    url = load_known(landing, as_of, database, log)
    log("Building the point-in-time features with the dbt project ...")
    features = build_point_in_time(url, plan.dates, log)
    return plan, url, label(features, defaults_known_on(url, as_of), outcome_months())


def train(
    landing: Path,
    as_of: dt.date,
    *,
    candidates: tuple[CandidateFeature, ...] | None = None,
    fit_settings: FitSettings | None = None,
    grid: TuningGrid | None = DEFAULT_GRID,
    database: str = TRAINING_DATABASE,
    log: Callable[[str], None] = print,
) -> TrainedModel:
    """Train on what was known on `as_of` (see the module's docstring); nothing is written or promoted here.
    `grid` (None: no cross-validation) varies some of `fit_settings`; the rest are used as given."""
    plan, _, labelled = training_sample(landing, as_of, database, log)
    model = fit_and_validate(
        labelled, plan, candidates or candidate_features(), fit_settings or FitSettings(), grid, log
    )
    log(
        f"Model {model.version}: {len(model.scorecard.features)} features; development KS "
        f"{model.development.ks:.3f} AUC {model.development.auc:.3f}; out of time ({plan.out_of_time}) KS "
        f"{model.out_of_time.ks:.3f} AUC {model.out_of_time.auc:.3f}, PSI {model.psi_out_of_time:.3f}"
    )
    if model.active_out_of_time is not None:
        log(
            f"  the active model {model.active_version} on the same out-of-time sample: KS "
            f"{model.active_out_of_time.ks:.3f} AUC {model.active_out_of_time.auc:.3f}"
        )
    return model

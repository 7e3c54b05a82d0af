"""The model card of a trained scorecard: the data used, the features with their information value and points,
KS, AUC, Gini, calibration by decile, default rate per tier and PSI against the development sample, as Markdown
(for people) and as rows (for `model.model_card`, which BI can read)."""

from __future__ import annotations

from sme_credit.model.training import Evaluation, TrainedModel


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _psi(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _bin_label(row: dict) -> str:
    if row["categories"]:
        return "{" + row["categories"].replace("|", ", ") + "}"
    lower, upper = row["lower_bound"], row["upper_bound"]
    if lower is None and upper is None:
        return "missing"
    return f"[{_number(lower) if lower is not None else '-inf'}, {_number(upper) if upper is not None else 'inf'})"


def checks(model: TrainedModel, thresholds: dict[str, float]) -> dict[str, tuple[bool, str]]:
    """The promotion checks on the out-of-time sample: name -> (passed, what was measured against what)."""
    oot = model.out_of_time
    return {
        "ks": (
            oot.ks >= thresholds["model_promotion_min_ks"],
            f"{oot.ks:.3f} >= {thresholds['model_promotion_min_ks']}",
        ),
        "auc": (
            oot.auc >= thresholds["model_promotion_min_auc"],
            f"{oot.auc:.3f} >= {thresholds['model_promotion_min_auc']}",
        ),
        "psi": (
            model.psi_out_of_time < thresholds["model_psi_alert"],
            f"{model.psi_out_of_time:.3f} < {thresholds['model_psi_alert']}",
        ),
        "tiers_fall": (oot.tiers_fall, "default rate falls strictly from the worst tier to the best"),
    }


def _evaluation_lines(title: str, evaluation: Evaluation) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"{evaluation.firms:,} firms, {evaluation.defaults:,} defaults ({evaluation.defaults / evaluation.firms:.2%}); "
        f"KS {evaluation.ks:.3f}, AUC {evaluation.auc:.3f}, Gini {evaluation.gini:.3f}",
        "",
        "| tier | firms | defaults | default rate |",
        "|---|---:|---:|---:|",
    ]
    for tier, row in evaluation.tiers.iterrows():
        rate = "" if row.default_rate != row.default_rate else f"{row.default_rate:.2%}"
        lines.append(f"| {tier} | {int(row.firms):,} | {int(row.defaults):,} | {rate} |")
    return [*lines, ""]


def _active_model_lines(model: TrainedModel) -> list[str]:
    """The model to beat: the active one when this one was trained, scored on the same out-of-time firms."""
    if model.active_out_of_time is None:
        return []
    return [
        *_evaluation_lines(
            f"The active model {model.active_version} on the same out-of-time sample", model.active_out_of_time
        ),
        "(A model trained on a later date than this one may have learned from these outcomes.)",
        "",
    ]


TUNING_ROWS_SHOWN = 10  # of the cross-validation's trials in the Markdown card (model.model_card has them all)


def _tuning_lines(model: TrainedModel) -> list[str]:
    """How the settings were chosen: the best trials of the cross-validation on the development sample."""
    tuning = model.tuning
    if tuning is None:
        return ["The settings were used as given (no cross-validation).", ""]
    grid = tuning.grid
    repeats = f", {grid.repeats} times over" if grid.repeats > 1 else ""
    lines = [
        f"Chosen by cross-validation on the development sample: its {tuning.firms:,} firms in {grid.folds} folds "
        f"(by a hash of the USCC, so a firm's dates stay together){repeats}; "
        "each setting fitted without one fold and scored on it, binning and selection included, and judged by "
        "the log loss of its probabilities of default (lower is better: it counts the ranking and the "
        "calibration the tiers' score bounds rely on). Tried: "
        f"max_features {list(grid.max_features)}, max_bins {list(grid.max_bins)}, l2 {[f'{v:g}' for v in grid.l2]}. "
        f"The {min(TUNING_ROWS_SHOWN, len(tuning.trials))} best of {len(tuning.trials)}:",
        "",
        "| max_features | max_bins | l2 | held-out log loss | AUC | ± sd | KS | chosen |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for trial in tuning.trials[:TUNING_ROWS_SHOWN]:
        lines.append(
            f"| {trial.max_features} | {trial.max_bins} | {trial.l2:g} | {trial.log_loss:.4f} | {trial.auc:.3f} | "
            f"{trial.auc_sd:.3f} | {trial.ks:.3f} | {'yes' if trial is tuning.best else ''} |"
        )
    return [*lines, ""]


def markdown(model: TrainedModel, passed: dict[str, tuple[bool, str]]) -> str:
    plan, card = model.plan, model.scorecard
    lines = [
        f"# Scorecard model card: {model.version}",
        "",
        "## Data used",
        "",
        f"- Trained as of **{plan.as_of}** on what was delivered by then (`sme-credit train --as-of {plan.as_of}`).",
        f"- Development sample: {len(plan.development)} monthly as-of dates, {plan.development[0]} .. "
        f"{plan.development[-1]}; out-of-time sample: {plan.out_of_time} (held out, not fitted on).",
        "- Label: a default (outcomes feed, 90+ days past due) within the outcome window after the as-of date; firms "
        "already in default on the date are left out.",
        "",
        "| as-of date | firms | defaults |",
        "|---|---:|---:|",
        *(f"| {day} | {int(row.firms):,} | {int(row.defaults):,} |" for day, row in model.sample.iterrows()),
        "",
        "## Features",
        "",
        f"Fitter settings: {model.settings}",
        "",
        *_tuning_lines(model),
        "The date PSI is the largest PSI of the feature's bins between one development date and all of them: "
        "a feature that moves with the calendar is left out (`max_date_psi`), as it would set off the daily "
        "monitoring's alert for the season.",
        "",
        "| feature | kind | IV | date PSI | direction | selected | why not |",
        "|---|---|---:|---:|---|---|---|",
        *(
            f"| {s.feature} | {s.kind} | {s.iv:.3f} | {_psi(s.date_psi)} | {s.direction} | "
            f"{'yes' if s.selected else 'no'} | {s.why} |"
            for s in card.selection
        ),
        "",
        "## Points",
        "",
        "| feature | bin | points | reason code | development share |",
        "|---|---|---:|---|---:|",
        *(
            f"| {row['feature']} | {_bin_label(row)} | {row['points']} | {row['reason_code']} | "
            f"{row['development_share']:.1%} |"
            for row in model.points_rows()
        ),
        "",
        "## Performance",
        "",
        *_evaluation_lines("Development sample (in time)", model.development),
        *_evaluation_lines(f"Out of time ({plan.out_of_time})", model.out_of_time),
        *_active_model_lines(model),
        "### Calibration by score decile, out of time",
        "",
        "| decile | scores | firms | defaults | observed | predicted |",
        "|---:|---|---:|---:|---:|---:|",
        *(
            f"| {decile} | {int(row.min_score)} .. {int(row.max_score)} | {int(row.firms):,} | {int(row.defaults):,} "
            f"| {row.observed:.2%} | {row.predicted:.2%} |"
            for decile, row in model.out_of_time.calibration.iterrows()
        ),
        "",
        "### Population stability",
        "",
        f"PSI of the out-of-time scores against the development sample's score deciles: {model.psi_out_of_time:.4f}",
        "",
        "## Promotion checks (out of time)",
        "",
        *(f"- {name}: {'pass' if ok else 'FAIL'} ({what})" for name, (ok, what) in passed.items()),
        "",
    ]
    return "\n".join(lines)


def rows(model: TrainedModel, passed: dict[str, tuple[bool, str]]) -> list[dict]:
    """The card as (section, item, metric, value, detail) rows."""
    out: list[dict] = []

    def add(section: str, item: str, metric: str, value: float | None, detail: str = "") -> None:
        out.append(
            {
                "model_version": model.version,
                "section": section,
                "item": item,
                "metric": metric,
                "value": None if value is None else float(value),
                "detail": detail,
            }
        )

    for day, row in model.sample.iterrows():
        sample = "out_of_time" if day == model.plan.out_of_time else "development"
        add("data", str(day), "firms", row.firms, sample)
        add("data", str(day), "defaults", row.defaults, sample)
    for s in model.scorecard.selection:
        add("feature", s.feature, "iv", s.iv, f"{s.kind}; {s.direction}; " + ("selected" if s.selected else s.why))
        add("feature", s.feature, "date_psi", s.date_psi)
    trials, best = (model.tuning.trials, model.tuning.best) if model.tuning else ([], None)
    for trial in trials:
        item = f"max_features={trial.max_features} max_bins={trial.max_bins} l2={trial.l2:g}"
        chosen = "chosen" if trial is best else ""
        for metric, value in (
            ("cv_log_loss", trial.log_loss),
            ("cv_auc", trial.auc),
            ("cv_auc_sd", trial.auc_sd),
            ("cv_ks", trial.ks),
        ):
            add("tuning", item, metric, value, chosen)
    for point in model.points_rows():
        add("points", point["feature"], _bin_label(point), point["points"], point["reason_code"])
    evaluations = [("development", model.development), ("out_of_time", model.out_of_time)]
    if model.active_out_of_time is not None:
        evaluations.append(("out_of_time_active_model", model.active_out_of_time))
    for sample, evaluation in evaluations:
        detail = model.active_version if sample == "out_of_time_active_model" else ""
        for metric in ("ks", "auc", "gini"):
            add("performance", sample, metric, getattr(evaluation, metric), detail)
        for tier, row in evaluation.tiers.iterrows():
            add("tiers", f"{sample}:{tier}", "firms", row.firms)
            add(
                "tiers",
                f"{sample}:{tier}",
                "default_rate",
                None if row.default_rate != row.default_rate else row.default_rate,
            )
    for decile, row in model.out_of_time.calibration.iterrows():
        add(
            "calibration",
            f"decile {decile}",
            "observed",
            row.observed,
            f"scores {int(row.min_score)}..{int(row.max_score)}",
        )
        add("calibration", f"decile {decile}", "predicted", row.predicted)
    add("stability", "score", "psi_out_of_time_vs_development", model.psi_out_of_time)
    for name, (ok, what) in passed.items():
        add("promotion", name, "passed", 1.0 if ok else 0.0, what)
    return out

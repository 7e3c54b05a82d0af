"""How well could any scorecard rank a sample world's firms? The generator's own latent risk, as a ceiling.

    .venv/bin/python tests/benchmarks/scorecard_ceiling.py [--landing data/model_world/landing] [--as-of D]

The generator draws each firm's default from a latent log-odds (health, industry, youth, fake trade; the field
`default_risk` of sme_credit_sample.firms) and lets it deteriorate visibly only over the 4-9 months before the
default. This script rebuilds the world from its spec (ground_truth/world.json) and prints, for the backtest's
population (customers on the as-of date, not in default) and outcome window (12 months), the KS and AUC of:

- the latent risk itself: what a perfect model of the firm's standing could reach; no model of observable
  data can be expected above it, except through the distress already visible on the as-of date;
- the latent risk with every firm already deteriorating on the as-of date put first: an upper bound no model
  reaches, since the first months of distress barely show;

side by side with the targets of issue 14. It reads the hidden truth and is for judging targets only: nothing
here reaches a model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from sme_credit.model.scorecard import ks_and_auc  # noqa: E402
from sme_credit.model.training import add_months, outcome_months  # noqa: E402
from sme_credit_dev.backtest import default_as_of  # noqa: E402
from sme_credit_sample.firms import build_world  # noqa: E402
from sme_credit_sample.world import SCALES, read_world_spec  # noqa: E402

TARGET_KS, TARGET_AUC = 0.45, 0.80


def ceiling(landing: Path, as_of: dt.date) -> tuple[str, list[tuple[str, float, float]]]:
    """The backtest's population and outcome as of `as_of` (one line), and (name, KS, AUC) of the latent risk
    and of its upper bound with every deteriorating firm first."""
    spec = read_world_spec(landing)
    firms = build_world(spec.seed, SCALES[spec.scale].firms, spec.window, spec.risk_story).firms

    day = np.datetime64(as_of)
    horizon = np.datetime64(add_months(as_of, outcome_months()))
    defaults = ~np.isnat(firms.default_date)
    population = (firms.customer_since < day) & ~(defaults & (firms.default_date < day))
    bad = (defaults & (firms.default_date >= day) & (firms.default_date < horizon))[population]
    as_of_month = day.astype("datetime64[M]").astype(np.int64)
    deteriorating = (defaults & (firms.default_month - firms.distress_lead <= as_of_month))[population]
    latent = firms.default_risk[population]

    described = (
        f"{spec.scale} world ({spec.risk_story}), seed {spec.seed}, as of {as_of}: {population.sum():,} firms, "
        f"{bad.sum()} default within {outcome_months()} months ({bad.mean():.2%})"
    )
    rows = []
    for name, risk in (
        ("latent risk (a perfect model of standing)", latent),
        ("latent risk, visibly deteriorating firms first", latent + 100 * deteriorating),
    ):
        ks, auc = ks_and_auc(-risk, bad)  # ks_and_auc wants higher = safer
        rows.append((name, ks, auc))
    return described, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=Path("data/model_world/landing"))
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="default: 12 months before the last delivery")
    args = parser.parse_args()
    described, rows = ceiling(args.landing, args.as_of or default_as_of(args.landing))
    print(described)
    print(f"{'score':<52} {'KS':>6} {'AUC':>6}")
    for name, ks, auc in rows:
        print(f"{name:<52} {ks:6.3f} {auc:6.3f}")
    print(f"{'target (issue 14)':<52} {TARGET_KS:6.2f} {TARGET_AUC:6.2f}")


if __name__ == "__main__":
    main()

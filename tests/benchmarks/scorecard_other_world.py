"""Does the scorecard only work on our own generator's world? The same firms under another story of default.

    make scorecard-other-world      (the world: data/shocks_world/landing, made on the first call)

The "shocks" world (`sme-credit generate --risk-story shocks`, see sme_credit_sample.firms.RISK_STORIES) has the
model world's firms, 48 months of them, but another road to default: health matters less, two regions go
through a downturn that quadruples their firms' default hazard for six months, almost half the defaults come
without warning, and most firms' sales and settlement hide their distress while their bills, taxes and court
records still show it. A bank's own data differs from our generator's at least as much.

As of 12 months before the world's last delivery, and backtested on the 12 months after it (ground truth),
printed side by side:
1. the active model, trained on the model world: what the shipped points would do at such a bank;
2. a model trained on this world's own deliveries and outcomes up to that date, as `sme-credit train` does it
   (saved in the registry, not promoted);
3. the world's latent risk (scorecard_ceiling.py): what a perfect model of each firm's standing would reach.
   The downturns are not in it, so a model that sees one coming can pass it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from scorecard_ceiling import ceiling  # noqa: E402

from sme_credit import warehouse  # noqa: E402
from sme_credit.model import registry, training  # noqa: E402
from sme_credit_dev import backtest, local_warehouse  # noqa: E402
from sme_credit_sample import generate_world  # noqa: E402
from sme_credit_sample.world import world_spec_path  # noqa: E402

RISK_STORY = "shocks"
MONTHS = 48


def _row(name: str, result: backtest.BacktestResult) -> str:
    rates = " / ".join(f"{rate:6.2%}" for rate in result.per_tier.default_rate)
    return (
        f"  {name:<52} {result.ks:6.3f} {result.auc:6.3f}   {rates}   {result.risk_ratio:5.1f}x   "
        f"{result.candidate_rate:6.2%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, default=Path("data/shocks_world/landing"))
    parser.add_argument("--seed", type=int, default=42, help="of the world, when it is made (default 42)")
    args = parser.parse_args()

    if not world_spec_path(args.landing).exists():
        generate_world(args.landing, scale="demo", seed=args.seed, months=MONTHS, risk_story=RISK_STORY)
    os.environ["WAREHOUSE_URL"] = local_warehouse.resolve_url()  # the server the databases are made on
    as_of = backtest.default_as_of(args.landing)

    print(f"\n[1/3] the active model on {args.landing}, as of {as_of} ...", flush=True)
    shipped = backtest.run_backtest(args.landing, as_of=as_of)
    print("\n[2/3] training on the same world's deliveries and outcomes up to that date ...", flush=True)
    model = training.train(args.landing, as_of)
    engine = warehouse.engine()
    folder, _ = registry.save(model, engine)
    engine.dispose()
    print(f"  model card: {folder / registry.CARD_FILE}", flush=True)
    print(f"\n[3/3] backtest of {model.version} ...", flush=True)
    learned = backtest.run_backtest(args.landing, as_of=as_of, model=model.version)
    described, latent = ceiling(args.landing, as_of)

    tiers = " / ".join(shipped.per_tier.index)
    print(f"\nOut of time: {described}")
    print(f"  {'model':<52} {'KS':>6} {'AUC':>6}   default rate {tiers}   worst/best   candidates")
    print(_row(f"active {shipped.model_version} (trained on our world)", shipped))
    print(_row(f"{learned.model_version} (trained on this world)", learned))
    for name, ks, auc in latent:
        print(f"  {name:<52} {ks:6.3f} {auc:6.3f}")
    print(f"  portfolio default rate {learned.default_rate:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

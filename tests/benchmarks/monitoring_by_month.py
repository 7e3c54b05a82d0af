"""On which as-of dates of a year does the daily model monitoring alert, and for which feature?

    make monitoring-by-month [LANDING=data/...] [MONTHS=12]

Loads the landing area (default: LANDING_DIR, the demo world of `make run`) into a database of its own on the
warehouse's server (`sme_monitoring`), then builds `model_monitoring` with the real dbt project as of the 3rd of
each of the last MONTHS months up to the last delivery, with the active model (the seeds), and prints per date
the score's PSI against the development sample and every feature at or above var model_psi_watch, then how many
dates reached var model_psi_alert. A feature that moves with the calendar alerts on most dates: that is what
the fit's `max_date_psi` keeps out of the model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from sme_credit import rules, settings  # noqa: E402
from sme_credit.contract.feeds import DELIVERY_DAY, delivery_dates  # noqa: E402
from sme_credit.model import training  # noqa: E402
from sme_credit_dev import local_warehouse  # noqa: E402

DATABASE = "sme_monitoring"


def monthly_dates(last_delivery: dt.date, months: int) -> list[dt.date]:
    """The monthly delivery day (the 3rd) of the last `months` months up to the last delivery, oldest first."""
    newest = last_delivery.replace(day=DELIVERY_DAY)
    if newest > last_delivery:
        newest = training.add_months(newest, -1)
    return [training.add_months(newest, -back) for back in range(months - 1, -1, -1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, default=settings.landing_dir(), help="default: LANDING_DIR")
    parser.add_argument("--months", type=int, default=12, help="monthly as-of dates (default 12)")
    args = parser.parse_args()

    delivered = delivery_dates(args.landing)
    if not delivered:
        raise SystemExit(f"the landing area {args.landing} is empty: generate a world first (make data)")
    last = delivered[-1]
    dates = monthly_dates(last, args.months)
    watch, alert = (float(rules.dbt_vars()[name]) for name in ("model_psi_watch", "model_psi_alert"))
    os.environ["WAREHOUSE_URL"] = local_warehouse.resolve_url()  # the server the database is made on
    url = training.load_known(args.landing, last, DATABASE)
    found = training.build_as_of(
        url, dates, "+model_monitoring", "select * from marts_build.model_monitoring", "model_monitoring"
    )
    found = found[found.baseline == "development_sample"]
    print(f"\nModel monitoring of {args.landing} (last delivery {last}), model {found.model_version.iloc[0]}:")
    print(f"  {'as-of date':<12} {'score PSI':>9}  features at or above {watch} (alert from {alert})")
    alerting = 0
    for day, part in found.groupby("as_of_date"):
        score = float(part[part.metric == "score_psi"].psi.iloc[0])
        shifted = part[(part.metric == "feature_psi") & (part.psi.astype(float) >= watch)]
        listed = ", ".join(f"{row.subject} {float(row.psi):.3f} {row.status}" for row in shifted.itertuples())
        alerting += bool((part.status == "alert").any())
        print(f"  {day!s:<12} {score:>9.3f}  {listed or '-'}")
    print(f"Dates with an alert: {alerting} of {len(dates)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

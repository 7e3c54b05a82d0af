"""Tax bureau feed: monthly VAT / income-tax filings and the yearly tax credit rating.

Timing (point in time): a filing for period P is made in month P+1, by the 15th when on time, and the delivery
covering month M carries the filings *made* in M. So a delivery mostly carries the previous month's period; a late
filing arrives in the delivery of the month it was made. Ratings for year Y are published in April Y+1; a firm's
first delivery also carries its last three published ratings (the history banks get with the firm's consent).
"""

from __future__ import annotations

import numpy as np

from sme_credit_sample import landing
from sme_credit_sample.calendar import (
    calendar_month_of,
    month_start,
    months_of,
    rating_published_date,
    tax_deadline,
    year_of,
)
from sme_credit_sample.economy import activity, distress_of, is_customer
from sme_credit_sample.firms import World
from sme_credit_sample.frames import Backlog, Frame, concat, take
from sme_credit_sample.randomness import stream, to_cents

SMALL_TAXPAYER_VAT_RATE = 0.01  # small-scale taxpayers, 2023-2027 policy
SMALL_TAXPAYER_VAT_FREE_MONTHLY_SALES = 100_000  # monthly sales up to this are VAT-exempt for small-scale taxpayers
SMALL_PROFIT_INCOME_TAX_RATE = 0.05  # effective rate for small low-profit enterprises
RATING_HISTORY_YEARS = 3


class TaxBureau:
    def __init__(self, world: World) -> None:
        self.world = world
        self.late_filings = Backlog()

    def filings_made_in(self, month: int) -> Frame:
        """Filings made in `month`: the previous period's on-time and late ones, plus older late ones."""
        filings = self._filings_for_period(month - 1)
        filed_in = months_of(filings["filing_date"])
        self.late_filings.add(take(filings, filed_in > month), filed_in[filed_in > month])
        made = concat([self.late_filings.due(month), take(filings, filed_in == month)])
        order = np.lexsort((made["firm"], made["filing_date"]))
        return take(made, order)

    def filing_columns(self, filings: Frame) -> landing.Columns:
        return {
            "uscc": self.world.firms.uscc[filings["firm"]],
            "tax_period": landing.months(filings["period"]),
            "declared_sales": landing.money(filings["declared"]),
            "vat_paid": landing.money(filings["vat"]),
            "income_tax_paid": landing.money(filings["income_tax"]),
            "filing_date": landing.days(filings["filing_date"]),
            "is_late": landing.flags(filings["filing_date"] > filings["deadline"]),
            "is_zero_declaration": landing.flags(filings["declared"] == 0),
        }

    def _filings_for_period(self, period: int) -> Frame:
        world, firms = self.world, self.world.firms
        rng = stream(world.seed, "tax", period)
        now = activity(world, period)
        # The bank sees a firm's filings from the period before it became a customer.
        firm = np.flatnonzero(is_customer(world, period + 1) & now.operating)
        distress, since_default = now.distress[firm], now.months_since_default[firm]
        defaulted = since_default >= 0

        stops_filing = np.where(defaulted, np.minimum(0.4 + 0.05 * since_default, 0.9), 0.003)
        files = rng.random(len(firm)) >= stops_filing
        zero = (now.sales[firm] < 1_000) | (rng.random(len(firm)) < 0.01 + 0.2 * distress**2 + 0.6 * defaulted)
        declared = np.where(zero, 0.0, now.sales[firm] * firms.declare_ratio[firm])

        small_taxpayer_vat = np.where(
            declared > SMALL_TAXPAYER_VAT_FREE_MONTHLY_SALES, declared * SMALL_TAXPAYER_VAT_RATE, 0.0
        )
        vat = np.where(firms.general_taxpayer[firm], declared * firms.vat_rate[firm], small_taxpayer_vat)
        income_tax = np.where(zero, 0.0, self._quarterly_income_tax(period, firm, distress))

        late = rng.random(len(firm)) < firms.late_tax[firm] + 0.45 * distress + 0.4 * defaulted
        deadline = tax_deadline(period)
        on_time_day = month_start(period + 1) + np.floor(15 * rng.beta(2.5, 1.0, len(firm))).astype("timedelta64[D]")
        late_day = deadline + (1 + np.floor(rng.exponential(20, len(firm)))).astype("timedelta64[D]")
        frame = {
            "firm": firm,
            "period": np.full(len(firm), period),
            "declared": to_cents(declared),
            "vat": to_cents(vat),
            "income_tax": to_cents(income_tax),
            "filing_date": np.where(late, late_day, on_time_day),
            "deadline": np.full(len(firm), deadline),
        }
        return take(frame, files)

    def _quarterly_income_tax(self, period: int, firm: np.ndarray, distress: np.ndarray) -> np.ndarray:
        """Income tax is prepaid quarterly: it appears on the March, June, September and December filings."""
        if calendar_month_of(period) % 3:
            return np.zeros(len(firm))
        firms = self.world.firms
        quarter_sales = sum(activity(self.world, m).sales[firm] for m in range(period - 2, period + 1))
        margin = np.maximum(firms.margin[firm] - 0.15 * distress, 0)
        return quarter_sales * firms.declare_ratio[firm] * margin * SMALL_PROFIT_INCOME_TAX_RATE

    # --- ratings ------------------------------------------------------------------------------------------

    def ratings_delivered_for(self, month: int) -> landing.Columns | None:
        """Ratings known by the end of `month` that the bank receives now; None when there are none."""
        world, firms = self.world, self.world.firms
        latest_year = year_of(month) - (1 if calendar_month_of(month) >= 4 else 2)
        customer = is_customer(world, month)
        newcomer = firms.join_month == month if month != world.window.first else customer
        parts = []
        for year in range(latest_year - RATING_HISTORY_YEARS + 1, latest_year + 1):
            published_now = calendar_month_of(month) == 4 and year == latest_year
            wanted = np.flatnonzero(newcomer | (customer & published_now))
            parts.append(self._ratings(year, wanted))
        ratings = concat(parts)
        if not len(ratings["firm"]):
            return None
        order = np.lexsort((ratings["year"], ratings["firm"]))
        ratings = take(ratings, order)
        return {
            "uscc": firms.uscc[ratings["firm"]],
            "rating_year": ratings["year"].astype(str),
            "credit_rating": ratings["rating"],
            "published_date": np.array([rating_published_date(y).isoformat() for y in ratings["year"].tolist()]),
        }

    def _ratings(self, year: int, firm: np.ndarray) -> Frame:
        """A/B/M/C/D from a points score: A >= 90, B 70-90, C 40-70, D < 40 or after a default; M for new firms.

        The noise is drawn per year for every firm, so a firm's rating for a year does not depend on when it is
        delivered.
        """
        world, firms = self.world, self.world.firms
        december = (year - 1970) * 12 + 11
        noise = stream(world.seed, "rating", year).normal(0, 2.5, len(firms))
        distress, since_default = distress_of(world, december)
        score = 80.4 + 6.4 * firms.health + noise - 30 * distress
        rating = np.select([score >= 90, score >= 70, score >= 40], ["A", "B", "C"], "D").astype(object)
        founded_year = firms.established.astype("datetime64[Y]").astype(int) + 1970
        small = activity(world, december).expected_sales < 10_000
        rating[(founded_year == year) | (small & (score >= 70))] = "M"
        rating[since_default >= 0] = "D"
        rated = founded_year <= year
        firm = firm[rated[firm]]
        return {"firm": firm, "year": np.full(len(firm), year), "rating": rating[firm]}

"""Power and water companies' feed: one bill per meter and month.

Timing (point in time): the bill for billing month P is issued in the first days of P+1 and falls due around the
20th of P+1; the delivery covering month P+1 carries it with the payment known by then (paid_date null if still
unpaid). A bill paid in a later month is delivered again, same bill_id, with its paid_date, in the delivery of
the month it was paid. Bills never paid stay null.
"""

from __future__ import annotations

import numpy as np

from sme_credit_sample import landing
from sme_credit_sample.calendar import calendar_month_of, month_start, months_of
from sme_credit_sample.economy import activity, is_customer
from sme_credit_sample.firms import World
from sme_credit_sample.frames import Backlog, Frame, concat, take
from sme_credit_sample.randomness import replace_all, stream, to_cents

SUMMER_POWER_FACTOR = 1.15  # air conditioning in July and August


class UtilityCompanies:
    def __init__(self, world: World) -> None:
        self.world = world
        self.paid_late = Backlog()

    def bills_delivered_in(self, month: int) -> Frame:
        """The bills for the previous month plus earlier bills paid during `month` (re-delivered)."""
        bills = self._bills_for(month - 1, month)
        paid_in = months_of(bills["paid_date"])
        paid_later = ~np.isnat(bills["paid_date"]) & (paid_in > month)
        self.paid_late.add(take(bills, paid_later), paid_in[paid_later])
        as_issued = dict(bills, paid_date=np.where(paid_later, np.datetime64("NaT"), bills["paid_date"]))
        return concat([as_issued, self.paid_late.due(month)])

    def bill_columns(self, bills: Frame) -> landing.Columns:
        meters, firms = self.world.meters, self.world.firms
        meter = bills["meter"]
        power = meters.is_power[meter]
        return {
            "bill_id": np.strings.add(
                np.strings.add(meters.meter_id[meter].astype(str), "-"),
                replace_all(landing.months(bills["billing_month"]), "-", ""),
            ),
            "uscc": firms.uscc[meters.firm[meter]],
            "meter_id": meters.meter_id[meter],
            "utility_type": np.where(power, "electricity", "water"),
            "billing_month": landing.months(bills["billing_month"]),
            "consumption": bills["consumption"].astype(str),
            "unit": np.where(power, "kWh", "m3"),
            "amount": landing.money(bills["amount"]),
            "due_date": landing.days(bills["due_date"]),
            "paid_date": landing.days(bills["paid_date"]),
        }

    @staticmethod
    def payments_in(bills: Frame, month: int) -> Frame:
        """Bills paid during `month` (what the settlement accounts pay out to the utilities)."""
        paid = ~np.isnat(bills["paid_date"]) & (months_of(bills["paid_date"]) == month)
        return take(bills, paid)

    def _bills_for(self, billing_month: int, issue_month: int) -> Frame:
        world, firms, meters = self.world, self.world.firms, self.world.meters
        rng = stream(world.seed, "utilities", billing_month)
        now = activity(world, billing_month)
        meter = np.flatnonzero((is_customer(world, issue_month) & now.operating)[meters.firm])
        firm = meters.firm[meter]
        power = meters.is_power[meter]
        sales = now.sales[firm]
        defaulted = now.months_since_default[firm] >= 0
        distress = now.distress[firm]

        # Power and water follow real sales (not settlement inflows: fake trade shows up here as a gap).
        summer = SUMMER_POWER_FACTOR if calendar_month_of(billing_month) in (7, 8) else 1.0
        base_load = np.where(defaulted, 0.5, 1.0)
        kwh = (firms.base_kwh[firm] * base_load + firms.kwh_per_yuan[firm] * sales) * summer
        m3 = firms.base_m3[firm] * base_load + firms.m3_per_yuan[firm] * sales
        use = np.where(power, kwh, m3) * meters.share[meter] * rng.lognormal(0, 0.08, len(meter))
        consumption = np.maximum(np.round(use), 1).astype(np.int64)

        issued = month_start(issue_month) + rng.integers(0, 4, len(meter)).astype("timedelta64[D]")
        due = month_start(issue_month) + (meters.due_day[meter] - 1).astype("timedelta64[D]")
        never_paid = rng.random(len(meter)) < 0.002 + 0.3 * distress**2 + 0.6 * defaulted
        late = rng.random(len(meter)) < firms.late_bill[firm] + 0.3 * distress + 0.2 * defaulted
        on_time = issued + (rng.random(len(meter)) * ((due - issued).astype(np.int64) + 1)).astype("timedelta64[D]")
        late_day = due + (1 + np.floor(rng.exponential(15, len(meter)))).astype("timedelta64[D]")
        paid = np.where(late, late_day, on_time)
        return {
            "meter": meter,
            "firm": firm,
            "billing_month": np.full(len(meter), billing_month),
            "consumption": consumption,
            "amount": to_cents(consumption * meters.price[meter]),
            "due_date": due,
            "paid_date": np.where(never_paid, np.datetime64("NaT"), paid),
        }

"""Monthly activity of every firm: the one place where sales, seasonality and the road to default are decided.

`activity(world, month)` is a pure function of the world and the month (its noise has its own seeded stream), so
any feed can ask for any month (the tax feed asks for the previous quarter) and always gets the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sme_credit_sample import vocab
from sme_credit_sample.calendar import days_in_month, spring_festival_share
from sme_credit_sample.firms import World
from sme_credit_sample.randomness import stream

AVERAGE_MONTH_DAYS = 30.44


@dataclass(frozen=True)
class Activity:
    month: int
    operating: np.ndarray  # established by the end of the month
    expected_sales: np.ndarray  # trend sales without season, noise or distress: what wages and cash plans follow
    sales: np.ndarray  # real sales in yuan (0 when not operating)
    distress: np.ndarray  # 0 = normal .. 1 = at default; ramps up over the firm's distress lead
    cash_distress: np.ndarray  # the part of it that sales and settlement show (all of it in the gradual story)
    months_since_default: np.ndarray  # -1 before default (or never), 0 in the default month, then 1, 2, ...

    @property
    def defaulted(self) -> np.ndarray:
        return self.months_since_default >= 0


def activity(world: World, month: int) -> Activity:
    firms = world.firms
    age = month - firms.established_month
    operating = age >= 0
    ramp_up = np.clip((age + 1) / 12, 0.2, 1.0) ** 0.7  # new firms take about a year to reach their size
    expected = firms.base_sales * np.exp(firms.growth * (month - world.window.first)) * ramp_up * operating

    distress, months_since_default = distress_of(world, month)
    cash_distress = distress * firms.cash_distress_share
    # On the way to default sales fall; after it the business dwindles.
    condition = np.where(
        months_since_default >= 0, 0.25 * 0.7 ** np.maximum(months_since_default, 0), 1 - 0.6 * cash_distress**1.5
    )
    noise = np.exp(stream(world.seed, "sales", month).normal(0, 0.12, len(firms)))
    sales = expected * season(world, month) * condition * noise
    return Activity(month, operating, expected, sales, distress, cash_distress, months_since_default)


def distress_of(world: World, month: int) -> tuple[np.ndarray, np.ndarray]:
    firms = world.firms
    starts = firms.default_month - firms.distress_lead
    distress = np.clip((month - starts + 1) / (firms.distress_lead + 1), 0.0, 1.0)
    months_since_default = np.where(month >= firms.default_month, month - firms.default_month, -1)
    return distress, months_since_default


def season(world: World, month: int) -> np.ndarray:
    """Month length and the Spring Festival shutdown, deeper for factories and building sites than for restaurants."""
    dip = _festival_dip(world)
    return (1 - dip * spring_festival_share(month)) * days_in_month(month) / AVERAGE_MONTH_DAYS


def _festival_dip(world: World) -> np.ndarray:
    sections = world.firms.section.tolist()
    return np.array([vocab.SECTION_FESTIVAL_DIP.get(s, vocab.DEFAULT_FESTIVAL_DIP) for s in sections])


def is_customer(world: World, month: int) -> np.ndarray:
    """Firms whose settlement account is open by the end of `month` (so the bank has their master row)."""
    return world.firms.join_month <= month

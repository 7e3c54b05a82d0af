"""Months, delivery dates and the Chinese business calendar of the simulated world.

A month is an int: numpy's month count since 1970-01 (`np.datetime64("2025-01", "M").astype(int)`), so month
arithmetic is plain integer arithmetic and converting to dates is one numpy cast.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import numpy as np

from sme_credit.contract.feeds import DELIVERY_DAY

# Lunar New Year's day; the generator supports windows inside these years.
SPRING_FESTIVAL = {
    2015: "2015-02-19",
    2016: "2016-02-08",
    2017: "2017-01-28",
    2018: "2018-02-16",
    2019: "2019-02-05",
    2020: "2020-01-25",
    2021: "2021-02-12",
    2022: "2022-02-01",
    2023: "2023-01-22",
    2024: "2024-02-10",
    2025: "2025-01-29",
    2026: "2026-02-17",
    2027: "2027-02-06",
    2028: "2028-01-26",
    2029: "2029-02-13",
    2030: "2030-02-03",
}
# Factories and building sites stop about a week before the festival and restart after the Lantern Festival.
SPRING_FESTIVAL_DAYS_BEFORE = 7
SPRING_FESTIVAL_DAYS_AFTER = 15

TAX_FILING_DEADLINE_DAY = 15  # filings for a period are due by the 15th of the following month

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> int:
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return int(np.datetime64(text, "M").astype(int))


def month_label(month: int) -> str:
    return str(np.datetime64(month, "M"))


def year_of(month: int) -> int:
    return 1970 + month // 12


def calendar_month_of(month: int) -> int:
    """1..12"""
    return month % 12 + 1


def month_start(month: int) -> np.datetime64:
    return np.datetime64(month, "M").astype("datetime64[D]")


def month_end(month: int) -> np.datetime64:
    """The last day of the month."""
    return month_start(month + 1) - np.timedelta64(1, "D")


def days_in_month(month: int) -> int:
    return int((month_start(month + 1) - month_start(month)).astype(int))


def months_of(days: np.ndarray) -> np.ndarray:
    """Month numbers of an array of datetime64 days (NaT gives a huge negative number: test with np.isnat)."""
    return days.astype("datetime64[M]").astype(np.int64)


def delivery_date(month: int) -> dt.date:
    """The delivery that carries what happened in `month`: the 3rd of the following month."""
    return (month_start(month + 1) + np.timedelta64(DELIVERY_DAY - 1, "D")).astype(dt.date)


def tax_deadline(period: int) -> np.datetime64:
    return month_start(period + 1) + np.timedelta64(TAX_FILING_DEADLINE_DAY - 1, "D")


@functools.cache
def rating_published_date(year: int) -> dt.date:
    """Tax credit ratings for `year` are published in April of the next year (here: the first weekday from the 20th)."""
    day = dt.date(year + 1, 4, 20)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# How far past its window a world can be extended by daily increments: firms default and cases close up to here.
HORIZON_MONTHS = 12


@dataclass(frozen=True)
class Window:
    """The world's calendar months, first..last inclusive: the firms are drawn for this window.

    Deliveries usually end a few days after `last`; daily increments may simulate on up to `horizon`.
    """

    first: int
    last: int

    @classmethod
    def ending(cls, end_month: str, months: int) -> Window:
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        last = parse_month(end_month)
        window = cls(last - months + 1, last)
        for year in range(year_of(window.first) - 1, year_of(window.horizon) + 2):
            if year not in SPRING_FESTIVAL:
                raise ValueError(
                    f"the generator knows the Spring Festival only for {min(SPRING_FESTIVAL)}-"
                    f"{max(SPRING_FESTIVAL)}; {end_month} with {months} months needs {year}"
                )
        return window

    @property
    def horizon(self) -> int:
        return self.last + HORIZON_MONTHS

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    def __len__(self) -> int:
        return self.last - self.first + 1


def _spring_festival_days(month: int) -> np.ndarray:
    """Boolean per day of `month`: inside the Spring Festival shutdown."""
    days = month_start(month) + np.arange(days_in_month(month))
    inside = np.zeros(len(days), dtype=bool)
    for year in (year_of(month) - 1, year_of(month)):
        festival = np.datetime64(SPRING_FESTIVAL[year], "D")
        inside |= (days >= festival - SPRING_FESTIVAL_DAYS_BEFORE) & (days <= festival + SPRING_FESTIVAL_DAYS_AFTER)
    return inside


def spring_festival_share(month: int) -> float:
    """Share of the month's days that fall into the Spring Festival shutdown (0 outside January-March)."""
    return float(_spring_festival_days(month).mean())


def day_weights(month: int) -> np.ndarray:
    """Relative business activity per day of the month: weekends and holidays are quiet. Sums to 1."""
    days = month_start(month) + np.arange(days_in_month(month))
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weights = np.where(weekday >= 5, 0.3, 1.0)
    weights[_spring_festival_days(month)] = 0.12
    if calendar_month_of(month) == 10:
        weights[:7] = 0.3  # National Day golden week
    return weights / weights.sum()

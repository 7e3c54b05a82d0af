"""Enterprise master: a row when a firm becomes a customer, and again when its registry data changes."""

from __future__ import annotations

import numpy as np

from sme_credit_sample import landing, vocab
from sme_credit_sample.calendar import days_in_month, month_start
from sme_credit_sample.firms import World, person_names, phone_numbers, resident_ids
from sme_credit_sample.randomness import stream

MONTHLY_CHANGE_RATE = 0.003  # share of existing customers whose master data changes in a month
CHANGE_KINDS = ("phone", "capital", "legal_rep")
CHANGE_WEIGHTS = (0.5, 0.3, 0.2)


def master_rows(world: World, month: int) -> landing.Columns:
    rng = stream(world.seed, "enterprise", month)
    firms = world.firms
    first_delivery = month == world.window.first
    joined = firms.join_month == month if not first_delivery else firms.join_month <= month
    new = np.flatnonzero(joined)
    new_updated_at = _time_on(rng, firms.customer_since[new])

    changed = np.flatnonzero(~joined & (firms.join_month < month) & (rng.random(len(firms)) < MONTHLY_CHANGE_RATE))
    _apply_changes(world, rng, changed)
    changed_day = month_start(month) + rng.integers(0, days_in_month(month), len(changed)).astype("timedelta64[D]")

    rows = np.concatenate([new, changed])
    updated_at = np.concatenate([new_updated_at, _time_on(rng, changed_day)])
    return {
        "uscc": firms.uscc[rows],
        "enterprise_name": firms.name[rows],
        "industry_code": firms.industry_code[rows],
        "region_code": np.array([vocab.REGIONS[r].code for r in firms.region[rows].tolist()], dtype=object),
        "established_date": landing.days(firms.established[rows]),
        "registered_capital": landing.money(firms.registered_capital[rows]),
        "legal_rep_name": firms.rep_name[rows],
        "legal_rep_id_number": firms.rep_id[rows],
        "legal_rep_phone": firms.rep_phone[rows],
        "customer_since": landing.days(firms.customer_since[rows]),
        "updated_at": landing.timestamps(updated_at),
    }


def _apply_changes(world: World, rng: np.random.Generator, firms_changed: np.ndarray) -> None:
    """Change the registry in place, so every later delivery carries the new values."""
    firms = world.firms
    kind = rng.choice(len(CHANGE_KINDS), size=len(firms_changed), p=CHANGE_WEIGHTS)
    phone = firms_changed[kind == 0]
    firms.rep_phone[phone] = phone_numbers(rng, len(phone))
    capital = firms_changed[kind == 1]
    firms.registered_capital[capital] *= rng.choice([2, 3, 5], size=len(capital))
    new_rep = firms_changed[kind == 2]
    firms.rep_name[new_rep] = person_names(rng, len(new_rep))
    firms.rep_id[new_rep] = resident_ids(rng, firms.established[new_rep])
    firms.rep_phone[new_rep] = phone_numbers(rng, len(new_rep))


def _time_on(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """A time during office hours on each day."""
    seconds = rng.integers(9 * 3600, 18 * 3600, len(day)).astype("timedelta64[s]")
    return day.astype("datetime64[s]") + seconds

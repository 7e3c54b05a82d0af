"""The outcomes feed: the bank learns of each default (90+ days past due) in the month after it happened.

The world's hidden truth decides who defaults and when (`firms.py`); this delivers it the way a bank's loan book
and credit bureau would: the month's defaults of firms that were customers by then, on the 3rd of the next month.
`ground_truth/defaults.csv` keeps the same facts for checks that must not go through the pipeline.
"""

from __future__ import annotations

import numpy as np

from sme_credit_sample import landing
from sme_credit_sample.calendar import month_start
from sme_credit_sample.firms import World


def credit_default_rows(world: World, month: int) -> landing.Columns:
    firms = world.firms
    in_month = (
        firms.defaults
        & (firms.default_date >= month_start(month))
        & (firms.default_date < month_start(month + 1))
        & (firms.join_month <= month)
    )
    rows = np.flatnonzero(in_month)
    rows = rows[np.lexsort((firms.uscc[rows].astype(str), firms.default_date[rows]))]
    return {"uscc": firms.uscc[rows], "default_date": landing.days(firms.default_date[rows])}

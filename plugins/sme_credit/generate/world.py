"""The month loop: simulate each month, write that month's delivery, keep only running state in memory."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sme_credit.feeds import RAW_TABLES, table_by_name
from sme_credit.generate import landing
from sme_credit.generate.calendar import Window, delivery_date, month_label
from sme_credit.generate.court import Courts
from sme_credit.generate.economy import activity
from sme_credit.generate.enterprise import master_rows
from sme_credit.generate.firms import World, build_world
from sme_credit.generate.settlement import Bank
from sme_credit.generate.tax import TaxBureau
from sme_credit.generate.utilities import UtilityCompanies


@dataclass(frozen=True)
class Scale:
    firms: int
    description: str


SCALES: dict[str, Scale] = {
    "tiny": Scale(150, "unit tests: a few seconds"),
    "demo": Scale(3_000, "the local demo: well under a minute, about a million settlement rows"),
    "large": Scale(100_000, "volume tests: streamed month by month"),
}


@dataclass
class GenerationSummary:
    landing: Path
    scale: str
    seed: int
    firms: int
    months: int
    delivery_dates: list[dt.date]
    rows: dict[str, int]  # per raw table, over all deliveries
    files: int  # landing files written
    defaults: int  # firms that default inside the window (rows of the ground truth)
    elapsed: float  # seconds
    ground_truth: Path = field(default=Path())


def generate_world(
    landing_dir: Path,
    *,
    scale: str = "demo",
    seed: int = 42,
    end_month: str = "2026-10",
    months: int = 24,
    progress: Callable[[str], None] | None = print,
    replace: bool = False,
) -> GenerationSummary:
    """Write a synthetic SME world into `landing_dir`, one delivery per month, and its defaults as ground truth.

    The delivery on the 3rd of month M+1 carries what happened in month M (see the feed modules for what that
    means per feed). Same seed and arguments, same bytes.
    """
    started = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    landing_dir = Path(landing_dir)
    window = Window.ending(end_month, months)
    landing.prepare(landing_dir, replace=replace)
    report = progress or (lambda message: None)

    world = build_world(seed, SCALES[scale].firms, window)
    report(f"Generating {len(world.firms):,} firms ({scale}, seed {seed}), "
           f"{month_label(window.first)} .. {month_label(window.last)}")
    tax, utilities, courts, bank = TaxBureau(world), UtilityCompanies(world), Courts(world), Bank(world)
    rows = {table.name: 0 for table in RAW_TABLES}
    files = 0
    for month in window.months:
        delivery = delivery_date(month)
        now = activity(world, month)
        filings = tax.filings_made_in(month)
        bills = utilities.bills_delivered_in(month)
        tables = {
            "enterprise_master": master_rows(world, month),
            "tax_filings": tax.filing_columns(filings),
            "tax_credit_ratings": tax.ratings_delivered_for(month),
            "utility_bills": utilities.bill_columns(bills),
            "court_records": courts.records_delivered_in(month, now),
            "settlement_transactions": bank.transactions_in(month, now, filings, utilities.payments_in(bills, month)),
        }
        for name, columns in tables.items():
            if columns is None:  # ratings only when some are delivered
                continue
            rows[name] += landing.write_table(landing_dir, table_by_name(name), delivery, columns)
            files += 1
        report(f"  {month_label(month)} -> delivery {delivery}: "
               + ", ".join(f"{name} {landing.row_count(c):,}" for name, c in tables.items() if c is not None))

    truth = _write_ground_truth(world, landing_dir)
    summary = GenerationSummary(
        landing=landing_dir, scale=scale, seed=seed, firms=len(world.firms), months=len(window),
        delivery_dates=[delivery_date(m) for m in window.months], rows=rows, files=files,
        defaults=int(world.firms.defaults.sum()), elapsed=time.perf_counter() - started, ground_truth=truth,
    )
    report(f"Done in {summary.elapsed:.1f}s: {files} files, {sum(rows.values()):,} rows, "
           f"{summary.defaults} defaults in the ground truth")
    return summary


def _write_ground_truth(world: World, landing_dir: Path) -> Path:
    """One row per firm that defaults inside the window; the pipeline never reads this, backtests do."""
    path = landing.ground_truth_path(landing_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    firms = world.firms
    defaulted = np.flatnonzero(firms.defaults)
    defaulted = defaulted[np.lexsort((firms.uscc[defaulted].astype(str), firms.default_date[defaulted]))]
    landing.write_csv(path, ("uscc", "default_date"),
                      zip(firms.uscc[defaulted].tolist(), landing.days(firms.default_date[defaulted]).tolist()))
    return path

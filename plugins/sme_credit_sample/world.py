"""The month loop: simulate each month, write the deliveries it produces, keep only running state in memory.

A world is fixed by its scale, seed and window (the months its firms are drawn for). Its deliveries run up to
an end date: monthly feeds on the 3rd for the month before, settlement every day for the day before. A daily
increment (`extend_world`) simulates the same world again, one day further, and writes only the new deliveries,
so the files already delivered never change. What a world is made of is recorded in
`<landing>/../ground_truth/world.json`, beside the defaults the pipeline never reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from sme_credit.contract.feeds import CONTRACT_VERSION, RAW_TABLES, table_by_name
from sme_credit_sample import landing
from sme_credit_sample.calendar import Window, delivery_date, month_label, month_start, parse_month
from sme_credit_sample.court import Courts
from sme_credit_sample.economy import activity
from sme_credit_sample.enterprise import master_rows
from sme_credit_sample.faults import catalogue_path, write_faults
from sme_credit_sample.firms import RISK_STORIES, World, build_world
from sme_credit_sample.outcomes import credit_default_rows
from sme_credit_sample.settlement import Bank
from sme_credit_sample.tax import TaxBureau
from sme_credit_sample.utilities import UtilityCompanies

DEFAULT_END_DATE = dt.date(2026, 11, 3)
DEFAULT_MONTHS = 24
SETTLEMENT = table_by_name("settlement_transactions")


@dataclass(frozen=True)
class Scale:
    firms: int
    description: str


SCALES: dict[str, Scale] = {
    "tiny": Scale(150, "unit tests: a few seconds"),
    "demo": Scale(3_000, "the local demo: seconds, about a million settlement rows"),
    "large": Scale(100_000, "volume tests: about 27 million settlement rows, streamed month by month"),
}


@dataclass(frozen=True)
class WorldSpec:
    """What a world is made of; saved as world.json so that increments continue the same world."""

    scale: str
    seed: int
    window_first: str  # YYYY-MM
    window_last: str  # YYYY-MM
    end_date: str  # the last delivery date written, YYYY-MM-DD
    contract_version: str = CONTRACT_VERSION
    risk_story: str = "gradual"  # how firms come to default (firms.RISK_STORIES)

    @property
    def window(self) -> Window:
        return Window(parse_month(self.window_first), parse_month(self.window_last))


@dataclass
class GenerationSummary:
    landing: Path
    scale: str
    seed: int
    firms: int
    months: int
    delivery_dates: list[dt.date]  # written by this call
    rows: dict[str, int]  # per raw table, written by this call
    files: int  # landing files written by this call
    defaults: int  # firms that defaulted before the end date (rows of the ground truth)
    elapsed: float  # seconds
    ground_truth: Path = field(default=Path())


def world_spec_path(landing_dir: Path) -> Path:
    return landing.ground_truth_path(landing_dir).with_name("world.json")


def read_world_spec(landing_dir: Path) -> WorldSpec:
    path = world_spec_path(landing_dir)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: {landing_dir} was not made by `sme-credit generate`")
    return WorldSpec(**json.loads(path.read_text(encoding="utf-8")))


def generate_world(
    landing_dir: Path,
    *,
    scale: str = "demo",
    seed: int = 42,
    end_date: dt.date = DEFAULT_END_DATE,
    months: int = DEFAULT_MONTHS,
    progress: Callable[[str], None] | None = print,
    replace: bool = False,
    faults: bool = False,
    risk_story: str = "gradual",
) -> GenerationSummary:
    """Write a synthetic SME world into `landing_dir`: every delivery up to `end_date`, plus its ground truth.

    The window is the `months` whole months before `end_date`'s month. With `faults`, the fault catalogue is
    added to the latest deliveries (see `faults.py`). `risk_story` says how its firms come to default (see
    firms.RISK_STORIES). Same arguments, same bytes.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if risk_story not in RISK_STORIES:
        raise ValueError(f"unknown risk story {risk_story!r}; choose one of {', '.join(RISK_STORIES)}")
    landing_dir = Path(landing_dir)
    last = int(np.datetime64(end_date, "M").astype(int)) - 1
    window = Window.ending(month_label(last), months)
    landing.prepare(landing_dir, replace=replace)
    spec = WorldSpec(
        scale, seed, month_label(window.first), month_label(window.last), end_date.isoformat(), risk_story=risk_story
    )
    summary = _simulate(landing_dir, spec, write_after=None, progress=progress)
    if faults:
        entries = write_faults(landing_dir, seed)
        summary.files += len(entries)
        (progress or (lambda message: None))(
            f"Added {len(entries)} faulty files to the latest deliveries; catalogue: {catalogue_path(landing_dir)}"
        )
    return summary


def extend_world(
    landing_dir: Path,
    *,
    days: int = 1,
    progress: Callable[[str], None] | None = print,
) -> GenerationSummary:
    """Add the next `days` delivery dates to the world in `landing_dir` (a daily increment)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    landing_dir = Path(landing_dir)
    spec = read_world_spec(landing_dir)
    if spec.contract_version != CONTRACT_VERSION:
        raise ValueError(
            f"{landing_dir} follows contract {spec.contract_version}, this code writes "
            f"{CONTRACT_VERSION}: regenerate it (make data) instead of extending it"
        )
    old_end = dt.date.fromisoformat(spec.end_date)
    new_end = old_end + dt.timedelta(days=days)
    horizon_end = month_start(spec.window.horizon + 1).astype(dt.date)
    if new_end > horizon_end:
        raise ValueError(
            f"this world can be extended up to {horizon_end} (its window ends "
            f"{spec.window_last}); generate a new one with a later end date"
        )
    spec = dataclasses.replace(spec, end_date=new_end.isoformat())
    return _simulate(landing_dir, spec, write_after=old_end, progress=progress)


def _simulate(
    landing_dir: Path, spec: WorldSpec, *, write_after: dt.date | None, progress: Callable[[str], None] | None
) -> GenerationSummary:
    """Run the world from its first month to the end date; write deliveries dated after `write_after`."""
    started = time.perf_counter()
    report = progress or (lambda message: None)
    end = dt.date.fromisoformat(spec.end_date)

    def wanted(delivery: dt.date) -> bool:
        return (write_after is None or delivery > write_after) and delivery <= end

    world = build_world(spec.seed, SCALES[spec.scale].firms, spec.window, spec.risk_story)
    window = world.window
    # Settlement for the day before `end` needs that day's month simulated.
    last_month = int(np.datetime64(end - dt.timedelta(days=1), "M").astype(int))
    if write_after is None:
        report(
            f"Generating {len(world.firms):,} firms ({spec.scale}, seed {spec.seed}"
            + ("" if spec.risk_story == "gradual" else f", risk story {spec.risk_story}")
            + "), window "
            f"{month_label(window.first)} .. {month_label(window.last)}, deliveries up to {end}"
        )
    else:
        report(
            f"Extending the {spec.scale} world (seed {spec.seed}) from {write_after} to {end}: "
            f"simulating {last_month - window.first + 1} months again, writing only the new deliveries"
        )

    tax, utilities, courts, bank = TaxBureau(world), UtilityCompanies(world), Courts(world), Bank(world)
    rows = {table.name: 0 for table in RAW_TABLES}
    written: set[dt.date] = set()
    files = 0
    for month in range(window.first, last_month + 1):
        now = activity(world, month)
        filings = tax.filings_made_in(month)
        bills = utilities.bills_delivered_in(month)
        monthly = {
            "enterprise_master": master_rows(world, month),
            "tax_filings": tax.filing_columns(filings),
            "tax_credit_ratings": tax.ratings_delivered_for(month),
            "utility_bills": utilities.bill_columns(bills),
            "court_records": courts.records_delivered_in(month, now),
            "credit_defaults": credit_default_rows(world, month),
        }
        transactions = bank.transactions_in(month, now, filings, utilities.payments_in(bills, month))
        counts: dict[str, int] = {}

        delivery = delivery_date(month)
        if wanted(delivery):
            for name, columns in monthly.items():
                if columns is None:  # ratings only in the months some are published or a firm joins
                    continue
                counts[name] = landing.write_table(landing_dir, table_by_name(name), delivery, columns)
                files += 1
            written.add(delivery)
        for day, day_rows in _by_booking_day(transactions, month):
            delivery = day + dt.timedelta(days=1)  # T+1: yesterday's bookings
            if wanted(delivery):
                counts[SETTLEMENT.name] = counts.get(SETTLEMENT.name, 0) + landing.write_table(
                    landing_dir, SETTLEMENT, delivery, day_rows
                )
                files += 1
                written.add(delivery)
        for name, count in counts.items():
            rows[name] += count
        if counts:
            report(f"  {month_label(month)}: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))

    truth = _write_ground_truth(world, landing_dir, end)
    world_spec_path(landing_dir).write_text(json.dumps(asdict(spec), indent=2) + "\n", encoding="utf-8")
    summary = GenerationSummary(
        landing=landing_dir,
        scale=spec.scale,
        seed=spec.seed,
        firms=len(world.firms),
        months=len(window),
        delivery_dates=sorted(written),
        rows=rows,
        files=files,
        defaults=truth[1],
        elapsed=time.perf_counter() - started,
        ground_truth=truth[0],
    )
    report(
        f"Done in {summary.elapsed:.1f}s: {files} files, {sum(rows.values()):,} rows, "
        f"{summary.defaults} defaults in the ground truth"
    )
    return summary


def _by_booking_day(transactions: landing.Formatted, month: int):
    """(day, that day's transactions) for every day of the month, empty days included (their file has no rows)."""
    first = month_start(month)
    days = first + np.arange((month_start(month + 1) - first).astype(int))
    booked = transactions.frame["ts"].astype("datetime64[D]") if len(transactions) else np.array([], "datetime64[D]")
    bounds = np.searchsorted(booked, np.append(days, days[-1] + 1))  # booked is in time order
    for index, day in enumerate(days):
        yield day.astype(dt.date), transactions.rows(slice(bounds[index], bounds[index + 1]))


def _write_ground_truth(world: World, landing_dir: Path, end: dt.date) -> tuple[Path, int]:
    """One row per firm that defaulted before the end date; the pipeline never reads this, backtests do."""
    path = landing.ground_truth_path(landing_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    firms = world.firms
    defaulted = np.flatnonzero(firms.defaults & (firms.default_date < np.datetime64(end)))
    defaulted = defaulted[np.lexsort((firms.uscc[defaulted].astype(str), firms.default_date[defaulted]))]
    landing.write_csv(
        path,
        ("uscc", "default_date"),
        zip(firms.uscc[defaulted].tolist(), landing.days(firms.default_date[defaulted]).tolist()),
    )
    return path, len(defaulted)

"""Benchmark of the daily run: what the first full run costs, what the next day costs, and the floor under both.

    make bench-daily                                  # the `large` world (generated once, then reused)
    make bench-daily BENCH_ARGS="--scale demo"        # a quicker run

In one run, printed side by side, on fresh databases of the same server:
1. the first full run for day D: ingest every delivery up to D (load + raw gate per feed), then the build for D
   (`dbt build`, the staging and marts gates, publishing the marts, the tier history, the candidates);
2. the next day's increment, D+1: the same steps, which now meet only D+1's settlement file;
3. the floor: a bare `COPY` of that day's file into an unlogged table, plus one sequential aggregate scan of all
   settlement rows (`group by uscc, month`): what reading the day and touching the history once costs;
4. the same full run and increment on a landing area holding the last 12 months of every event feed (the
   customer master whole: the same firms, half the history).
D is the last delivery date before the world's last monthly delivery, so D+1 brings settlement only, as on 27
days of every month. Between the two runs the warehouse is settled as a day would settle it: one VACUUM (ANALYZE)
does what autovacuum does with the first run's rows (not counted in either run). The steps are the functions the
DAG tasks call, without Airflow around them (the DAG's own overhead: `make bench-orchestration`, docs/performance.md).

Targets (issue 10): the increment costs at most 10 % of the full run; the increment with 24 months of history
at most 1.2x the one with 12 months; the full plain `dbt build` at most 5x the floor's aggregate scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# the benchmarks share one generated world per scale and seed (this script's folder is on sys.path)
from bench_ingest import _landing_for
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.contract.feeds import FEEDS, delivery_dates, landed_files, table_by_name
from sme_credit.orchestration import pipeline
from sme_credit.transform import dbt_runner
from sme_credit_dev import local_warehouse

INCREMENT_SHARE = 0.10
HISTORY_RATIO = 1.2
DBT_BUILD_FLOOR_RATIO = 5.0
MASTER_FEED = "enterprise"  # the set of firms, not history: a shorter history keeps all of it


# the one persisted copy of the settlement history: its first build alone bounds the full build from below
HISTORY_STORE = "int_settlement_transactions_aggregated_to_account_days"


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)
    slowest: str = ""
    history_store: float = 0.0  # seconds of HISTORY_STORE's node in the dbt build

    def time(self, name: str, function, *args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - started
        return result

    def total(self, *names: str) -> float:
        return sum(self.steps.get(name, 0.0) for name in names)

    @property
    def ingest(self) -> float:
        return self.total("load", "raw gate")

    @property
    def build(self) -> float:
        return self.total("dbt build", "gates", "publish")


def _link_subset(landing: Path, target: Path, first: dt.date, last: dt.date) -> Path:
    """A landing area holding the deliveries first..last of every event feed, and every delivery up to `last` of
    the customer master (hard links): the same firms, with the history from `first` on."""
    for feed in FEEDS:
        for landed in landed_files(landing, feed, up_to=last):
            if landed.delivery_date >= first or feed == MASTER_FEED:
                destination = target / landed.path.relative_to(landing)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.hardlink_to(landed.path)
    return target


def _quiet(_message: str) -> None:
    pass


def _run_results() -> list[dict]:
    path = dbt_runner.target_dir() / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8"))["results"]


def _node_seconds(name: str) -> float:
    """Seconds of one model's node in the last dbt invocation (its statement, indexes and hooks)."""
    return sum(r["execution_time"] for r in _run_results() if r["unique_id"].split(".")[-1] == name)


def _slowest_dbt_nodes(count: int = 8) -> str:
    """The slowest nodes of the last dbt invocation (target/run_results.json), tests summed into one line."""
    results = _run_results()
    models = [
        (r["execution_time"], r["unique_id"].split(".")[-1]) for r in results if r["unique_id"].startswith("model.")
    ]
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("test.", "unit_test.")))
    slowest = sorted(models, reverse=True)[:count]
    return ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest) + f"; all tests {tests:.1f} s"


def settle(engine) -> float:
    """What a day between the runs does to the warehouse: autovacuum vacuums and analyses what the first run
    wrote (26.7 M raw settlement rows and 20 M account-days on `large`). Measured right after the first run, the
    increment shared the 2 cores with that work; here it is done first, in one VACUUM (ANALYZE)."""
    started = time.perf_counter()
    # VACUUM cannot run inside a transaction; the pool resets the connection's isolation level when it is returned
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum (analyze)"))
    return time.perf_counter() - started


def floor(engine, landing: Path, day: dt.date) -> tuple[float, float]:
    """Seconds for a bare COPY of the day's settlement file, and for one aggregate scan of all settlement."""
    table = table_by_name("settlement_transactions")
    files = [f for f in landed_files(landing, "settlement", up_to=day) if f.delivery_date == day]
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        columns = ", ".join(f'"{c}" text' for c in table.column_names)
        cursor.execute(f"create unlogged table bench_floor_copy ({columns})")
        started = time.perf_counter()
        for landed in files:
            with landed.path.open("rb") as handle:
                cursor.copy_expert("copy bench_floor_copy from stdin with (format csv, header true)", handle)
        connection.commit()
        copy_seconds = time.perf_counter() - started
        cursor.execute("drop table bench_floor_copy")
        connection.commit()
        started = time.perf_counter()
        cursor.execute(
            "select uscc, left(txn_ts, 7), sum(amount::numeric) from raw.settlement_transactions group by 1, 2"
        )
        cursor.fetchall()
        scan_seconds = time.perf_counter() - started
        return copy_seconds, scan_seconds
    finally:
        connection.close()


def run_world(server: str, landing: Path, full_day: dt.date, next_day: dt.date, label: str) -> dict:
    database = f"bench_daily_{uuid.uuid4().hex[:8]}"
    url = warehouse.create_database(server, database)
    state = settings.state_dir() / "bench" / f"state-{database}"
    previous = {name: os.environ.get(name) for name in ("WAREHOUSE_URL", "SME_STATE_DIR")}
    os.environ.update({"WAREHOUSE_URL": url, "SME_STATE_DIR": str(state)})
    os.environ.update(settings.libpq_env(url))
    try:
        full, increment = Timings(), Timings()
        print(f"[{label}] first full run for {full_day} ...", flush=True)
        pipeline.run_day(full_day, landing, step=full.time, log=_quiet)
        print(_row(f"[{label}] first full run", full), flush=True)
        full.slowest = _slowest_dbt_nodes()
        full.history_store = _node_seconds(HISTORY_STORE)
        print(f"  slowest in its dbt build: {full.slowest}", flush=True)
        settle_seconds = settle(warehouse.engine())
        print(f"  settled: VACUUM (ANALYZE) of the warehouse in {settle_seconds:.1f} s (not counted)", flush=True)
        print(f"[{label}] next day's increment for {next_day} ...", flush=True)
        pipeline.run_day(next_day, landing, step=increment.time, log=_quiet)
        print(_row(f"[{label}] increment", increment), flush=True)
        increment.slowest = _slowest_dbt_nodes()
        print(f"  slowest in its dbt build: {increment.slowest}", flush=True)
        engine = warehouse.engine()
        with engine.connect() as conn:
            rows = conn.execute(text("select count(*) from raw.settlement_transactions")).scalar()
        copy_seconds, scan_seconds = floor(engine, landing, next_day)
        return {"full": full, "increment": increment, "copy": copy_seconds, "scan": scan_seconds, "rows": rows}
    finally:
        warehouse.engine_for.cache_clear()
        warehouse.drop_database(server, database)
        shutil.rmtree(state, ignore_errors=True)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _row(label: str, timings: Timings) -> str:
    return (
        f"  {label:<34} ingest {timings.ingest:7.1f} s   build {timings.build:7.1f} s   "
        f"total {timings.ingest + timings.build:7.1f} s   (dbt build {timings.total('dbt build'):6.1f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="large", choices=["tiny", "demo", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--server", help="PostgreSQL server URL to run on (default: the embedded one)")
    parser.add_argument(
        "--histories",
        nargs="+",
        default=["all", "12"],
        choices=["all", "12"],
        help="which worlds to run: all history and/or 12 months of it (the targets need both)",
    )
    args = parser.parse_args()

    landing = _landing_for(args.scale, args.seed)
    settlement_days = delivery_dates(landing, "settlement")
    monthly_days = set(delivery_dates(landing, "tax"))
    # the last settlement-only day and the day before it
    next_day = max(
        day for day in settlement_days if day not in monthly_days and day - dt.timedelta(days=1) in settlement_days
    )
    full_day = next_day - dt.timedelta(days=1)
    half_first = dt.date(full_day.year - 1, full_day.month, 1)
    server = args.server or local_warehouse.ensure_embedded()
    dbt_runner.ensure_manifest()

    work = landing.parent / f"bench-daily-{uuid.uuid4().hex[:6]}"
    try:
        whole = _link_subset(landing, work / "whole" / "landing", settlement_days[0], next_day)
        half = _link_subset(landing, work / "half" / "landing", half_first, next_day)
        # (the 12-month world keeps the whole customer master: the same firms, half the history)
        history = (
            run_world(server, whole, full_day, next_day, f"{args.scale}, all history")
            if "all" in args.histories
            else None
        )
        recent = (
            run_world(server, half, full_day, next_day, f"{args.scale}, 12 months") if "12" in args.histories else None
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if history is None or recent is None:
        print("\nOne world only: the targets compare both (run without --histories for them).")
        return 0

    full, increment, increment_12 = history["full"], history["increment"], recent["increment"]
    full_total = full.ingest + full.build
    increment_total = increment.ingest + increment.build
    increment_12_total = increment_12.ingest + increment_12.build
    print(
        f"\nDaily run benchmark, {args.scale} world (seed {args.seed}), {history['rows']:,} settlement rows; "
        f"full run {full_day}, increment {next_day}"
    )
    print(_row(f"first full run ({full_day})", full))
    print(_row(f"next day's increment ({next_day})", increment))
    print(
        f"  {'floor':<34} COPY of the day's file {history['copy']:5.2f} s + aggregate scan of all "
        f"settlement {history['scan']:5.1f} s = {history['copy'] + history['scan']:5.1f} s"
    )
    print(_row("increment, 12 months of history", increment_12))
    print(_row("(full run, 12 months of history)", recent["full"]))
    print("  steps of the increment: " + ", ".join(f"{k} {v:.1f} s" for k, v in increment.steps.items()))
    print(f"  slowest in the full run's dbt build: {full.slowest}")
    print(
        f"  of the full dbt build, {HISTORY_STORE} alone (on the critical path, sharing the cores): "
        f"{full.history_store:.1f} s = {full.history_store / history['scan']:.2f}x the floor scan"
    )
    print(f"  slowest in the increment's dbt build: {increment.slowest}")

    # (name, value, limit, how both are shown)
    checks = [
        ("increment / full run", increment_total / full_total, INCREMENT_SHARE, "{:.1%}"),
        ("increment 24 months / 12 months", increment_total / increment_12_total, HISTORY_RATIO, "{:.2f}x"),
        ("full dbt build / floor scan", full.total("dbt build") / history["scan"], DBT_BUILD_FLOOR_RATIO, "{:.2f}x"),
    ]
    failed = 0
    for name, value, limit, shown in checks:
        verdict = "meets" if value <= limit else "MISSES"
        failed += value > limit
        print(f"  {name:<34} {shown.format(value):>8}   target <= {shown.format(limit):<6} {verdict}")
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

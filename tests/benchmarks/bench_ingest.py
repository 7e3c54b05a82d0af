"""Benchmark of the settlement load: the real loader against a bare COPY of the same files, in the same run.

    make bench-ingest                        # the `large` settlement feed (generated once, then reused)
    make bench-ingest BENCH_ARGS="--scale demo"
    make bench-ingest BENCH_ARGS="--days 60" # only the last 60 daily files

Both load every settlement file of the landing area into a fresh database on the same server:
- bare COPY: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of each file into one UNLOGGED table of text columns,
  nothing else (no checks, no manifest, no line numbers, no WAL);
- the loader: `sme_credit.ingest.loader.load_feed`, i.e. COPY into the unlogged raw table with its provenance columns
  and indexes, every column rule of the contract (Arrow, alongside), duplicates and conflicts with earlier
  versions of a key, quarantine, the manifest, one transaction per file.
With `--logged`, the loader runs a second time into a database whose raw table is LOGGED (durable through a
crash, at the cost of writing everything to the WAL): the figure behind keeping raw unlogged
(docs/ingestion.md, "Speed").
The files are read once beforehand so that both find them in the page cache. Target (issue 5): the loader
reaches at least 50 % of the bare COPY's rows per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.contract.feeds import delivery_dates, landed_files, table_by_name
from sme_credit.ingest import loader
from sme_credit_dev import local_warehouse

TARGET_SHARE = 0.50
FEED = "settlement"


def _landing_for(scale: str, seed: int) -> Path:
    landing = settings.state_dir() / "bench" / f"{scale}-{seed}" / "landing"
    if not (landing / FEED).is_dir():
        from sme_credit_sample import generate_world

        print(f"generating the {scale} world into {landing} (once; later runs reuse it) ...", flush=True)
        generate_world(landing, scale=scale, seed=seed, progress=lambda line: print(f"  {line}", flush=True))
    return landing


def _bare_copy(engine, files) -> tuple[int, float]:
    table = table_by_name("settlement_transactions")
    columns = ", ".join(f'"{c}" text' for c in table.column_names)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"create unlogged table bare_copy ({columns})")
        connection.commit()
        rows, started = 0, time.perf_counter()
        for landed in files:
            with landed.path.open("rb") as handle:
                cursor.copy_expert("copy bare_copy from stdin with (format csv, header true, encoding 'UTF8')", handle)
            rows += cursor.rowcount
            connection.commit()
        return rows, time.perf_counter() - started
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="large", choices=["tiny", "demo", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--landing", type=Path, help="use this landing area instead of a generated one")
    parser.add_argument("--days", type=int, help="only the last N delivery days")
    parser.add_argument("--server", help="PostgreSQL server URL to run on (default: the embedded one)")
    parser.add_argument("--logged", action="store_true", help="also load into a logged raw table, and compare")
    args = parser.parse_args()

    landing = args.landing or _landing_for(args.scale, args.seed)
    days = delivery_dates(landing, FEED)
    first = days[-args.days] if args.days else days[0]
    files = [f for f in landed_files(landing, FEED) if f.delivery_date >= first and not f.is_part]
    size = sum(f.path.stat().st_size for f in files)
    for landed in files:  # into the page cache, so that neither contender pays for the disk
        landed.path.read_bytes()
    print(f"{len(files)} settlement files, {size / 1e6:,.0f} MB, deliveries {first} .. {days[-1]}", flush=True)

    # load_feed takes a landing area: for --days, one holding only the chosen files (hard links, removed after).
    subset = (
        _link_subset(files, landing, landing.parent / f"bench-subset-{uuid.uuid4().hex[:6]}") if args.days else landing
    )
    server = args.server or local_warehouse.ensure_embedded()
    database = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    url = warehouse.create_database(server, database)
    try:
        engine = warehouse.engine_for(url)
        loader.ensure_schemas(engine, log=lambda _: None)
        bare_rows, bare_seconds = _bare_copy(engine, files)
        print(
            f"bare COPY into an unlogged table: {bare_rows:,} rows in {bare_seconds:.1f} s "
            f"= {bare_rows / bare_seconds:,.0f} rows/s",
            flush=True,
        )

        up_to = dt.date.fromisoformat(str(days[-1]))
        loader_rows, loader_seconds = _run_loader(engine, subset, up_to, "sme_credit loader:               ")
        if args.logged:
            logged_url = warehouse.create_database(server, f"{database}_logged")
            try:
                logged = warehouse.engine_for(logged_url)
                loader.ensure_schemas(logged, log=lambda _: None)
                with logged.begin() as conn:
                    conn.execute(text("alter table raw.settlement_transactions set logged"))
                _, logged_seconds = _run_loader(logged, subset, up_to, "the loader into a LOGGED raw table:")
                print(f"a logged raw table takes {logged_seconds / loader_seconds:.2f}x the unlogged load's time")
            finally:
                warehouse.drop_database(server, f"{database}_logged")
        if loader_rows != bare_rows:
            print(f"ERROR: the loader read {loader_rows:,} rows, bare COPY {bare_rows:,}", file=sys.stderr)
            return 1
        share = bare_seconds / loader_seconds
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "meets" if share >= TARGET_SHARE else "MISSES"
        print(
            f"loader speed = {share:.0%} of bare COPY ({verdict} the {TARGET_SHARE:.0%} target); "
            f"peak memory of this process {peak_mb:,.0f} MB"
        )
        return 0 if share >= TARGET_SHARE else 2
    finally:
        warehouse.engine_for.cache_clear()
        warehouse.drop_database(server, database)
        if args.days:
            shutil.rmtree(subset, ignore_errors=True)


def _run_loader(engine, landing: Path, up_to: dt.date, label: str) -> tuple[int, float]:
    started = time.perf_counter()
    summary = loader.load_feed(engine, landing, FEED, up_to, log=lambda _: None).summary()
    seconds = time.perf_counter() - started
    rows = summary["rows_read"]
    print(
        f"{label} {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
        f"({summary['rows_loaded']:,} loaded, {summary['rows_quarantined']:,} quarantined)",
        flush=True,
    )
    return rows, seconds


def _link_subset(files, landing: Path, target: Path) -> Path:
    """A landing area holding only the chosen files (hard links), so that load_feed sees just those."""
    for landed in files:
        destination = target / landed.path.relative_to(landing)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.hardlink_to(landed.path)
    return target


if __name__ == "__main__":
    sys.exit(main())

"""What running dbt inside Airflow costs: the build DAG in each Cosmos mode against a plain `dbt build`.

    make bench-orchestration                    # on the warehouse `make run` filled (the demo world)

On the same warehouse and as-of date (the latest delivery loaded), one after the other, printed side by side:
1. a plain `dbt build` of the DAG's selection (seeds, staging, intermediate, marts) in one process;
2. `sme_credit_build` through `airflow dags test` with SME_DBT_EXECUTION_MODE=watcher (one `dbt build` of the
   same selection, then a sensor per model; the default);
3. the same with SME_DBT_EXECUTION_MODE=local (an Airflow task per model, then one test task).
For the DAG runs it reports the wall time of the run and the time of its dbt tasks (from Airflow's metadata),
the rest being the GX gates, publishing and Airflow itself. The plain build and the watcher run alternate for
--repeat rounds (5). One run of either can take half as long again as the run before it on a 2-core machine
(a plain build 16.1-26.1 s in one bench), so each round's watcher run is compared with the plain build just
before it, the median of those ratios is the verdict, and the medians and best runs of each side are printed
beside it to show how far the noise goes.
Target (issue 10): the DAG's dbt tasks within 1.2x the plain `dbt build`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from sme_credit import settings, warehouse
from sme_credit.ingest import loader
from sme_credit.transform import dbt_runner
from sme_credit_dev import local_warehouse

TARGET_RATIO = 1.2
SME_CREDIT = str(Path(sys.executable).with_name("sme-credit"))


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"`{' '.join(command)}` failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def _dbt_task_seconds(metadata_url: str) -> tuple[float, float, int, float]:
    """Seconds of the newest sme_credit_build run: dbt tasks, all tasks, the number of tasks, and the seconds
    of the watcher's producer (its one `dbt build`; the rest of the dbt tasks are the model sensors)."""
    engine = create_engine(metadata_url)
    try:
        with engine.connect() as db:
            run = db.execute(
                text("select run_id from dag_run where dag_id = 'sme_credit_build' order by id desc limit 1")
            ).scalar_one()
            rows = db.execute(
                text("select task_id, duration from task_instance where dag_id = 'sme_credit_build' and run_id = :r"),
                {"r": run},
            ).all()
    finally:
        engine.dispose()
    dbt_seconds = sum(d or 0 for task, d in rows if task.startswith(f"{dbt_runner.BUILD_GROUP}."))
    # Cosmos's PRODUCER_WATCHER_TASK_ID ("dbt_producer_watcher"); cosmos.constants imports only after Airflow
    producer_seconds = sum(d or 0 for task, d in rows if task.endswith("dbt_producer_watcher"))
    return dbt_seconds, sum(d or 0 for _, d in rows), len(rows), producer_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--date", help="as-of date (default: the latest delivery loaded)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds of the plain build and the watcher DAG (default 5)"
    )
    args = parser.parse_args()

    url = local_warehouse.resolve_url()
    env = {**os.environ, **settings.airflow_env(url), "SME_TASK_RETRIES": "0"}
    as_of = args.date or loader.latest_loaded_delivery(warehouse.engine_for(url)).isoformat()
    print(f"as-of date {as_of}, warehouse {local_warehouse.describe(url)}", flush=True)

    build = [
        SME_CREDIT,
        "dbt",
        "build",
        "--quiet",
        "--vars",
        f"{{as_of_date: '{as_of}'}}",
        "--select",
        *dbt_runner.BUILD_SELECTION,
    ]
    # alternated, so that a slow spell of the machine falls on both sides of a round
    plains, runs, ratios = [], {"watcher": [], "local": []}, []
    for round_ in range(1, args.repeat + 1):
        plains.append(_timed(build, env))
        print(f"  round {round_}: plain dbt build {plains[-1]:.1f} s", flush=True)
        for mode in ("watcher", "local") if round_ == 1 else ("watcher",):
            wall = _timed(
                [SME_CREDIT, "airflow", "dags", "test", "sme_credit_build", as_of],
                {**env, "SME_DBT_EXECUTION_MODE": mode},
            )
            runs[mode].append((wall, *_dbt_task_seconds(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])))
            dbt_seconds = runs[mode][-1][1]
            if mode == "watcher":
                ratios.append(dbt_seconds / plains[-1])
            print(
                f"  round {round_}: sme_credit_build, {mode}: {wall:.1f} s, dbt tasks {dbt_seconds:.1f} s "
                f"({dbt_seconds / plains[-1]:.2f}x the plain build before it)",
                flush=True,
            )
    plain = statistics.median(plains)
    # the run whose dbt tasks took the median time (local runs once: it is not the mode in use)
    results = {mode: sorted(timings, key=lambda t: t[1])[len(timings) // 2] for mode, timings in runs.items()}

    print(f"\nsme_credit_build against a plain dbt build, as of {as_of}:")
    print(f"  {'plain dbt build':<28} {plain:7.1f} s (median of {len(plains)}; best {min(plains):.1f} s)")
    for mode, (wall, dbt_seconds, all_seconds, tasks, producer_seconds) in results.items():
        timings = runs[mode]
        of_runs = f" (the median of {len(timings)} runs; best {min(t[1] for t in timings):.1f} s)"
        print(
            f"  {'DAG, ' + mode:<28} {wall:7.1f} s wall; dbt tasks {dbt_seconds:6.1f} s = "
            f"{dbt_seconds / plain:4.2f}x the plain build's median; all {tasks} tasks {all_seconds:6.1f} s"
            + (of_runs if len(timings) > 1 else "")
        )
        if producer_seconds:
            print(
                f"  {'':<28} of the dbt tasks: the build {producer_seconds:.1f} s, the model sensors "
                f"{dbt_seconds - producer_seconds:.1f} s"
            )
    ratio = statistics.median(ratios)
    best_ratio = min(t[1] for t in runs["watcher"]) / min(plains)
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(
        f"  watcher dbt tasks / plain dbt build: {ratio:.2f}, the median of the {len(ratios)} rounds' ratios "
        f"({', '.join(f'{r:.2f}' for r in ratios)}; best against best {best_ratio:.2f}): "
        f"{verdict} the {TARGET_RATIO}x target"
    )
    return 0 if ratio <= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())

"""`sme-credit`: run the pipeline locally and operate its pieces. `make run` calls `sme-credit run`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from sme_credit import locking, settings, warehouse
from sme_credit.contract.feeds import delivery_dates
from sme_credit.errors import TrainingError
from sme_credit.ingest import landing_survey
from sme_credit_dev import local_warehouse

DAG_IDS = ("sme_ingest", "sme_credit_build")
# what the dbt templater logs, and exits 0, when a file does not compile (a query at compile time failed)
SQLFLUFF_SKIPPED = "Skipped file"


def _environment() -> dict[str, str]:
    """The resolved warehouse plus local Airflow settings, applied to this process and its children."""
    url = local_warehouse.resolve_url()
    env = settings.airflow_env(url)
    os.environ.update(env)
    return env


def _airflow(*args: str, log: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("airflow")), *args]
    if log is None:
        return subprocess.run(command, check=check)
    with log.open("a") as handle:
        handle.write(f"\n$ {' '.join(command)}\n")
        handle.flush()
        result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT)
    if check and result.returncode:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed (exit {result.returncode}); see {log}")
    return result


def ensure_airflow_db(metadata_url: str, log: Path) -> None:
    """Create and migrate the local Airflow's metadata database (settings.airflow_metadata_url: PostgreSQL, on
    the warehouse's server) when it is new or was made by another Airflow version, and import the project's pools
    (a task of a pool the DB lacks is never scheduled). A stamp in AIRFLOW_HOME names what was last prepared."""
    import hashlib

    import airflow
    import sqlalchemy.exc
    from sqlalchemy import make_url

    from sme_credit.orchestration.dag_support import POOLS_FILE

    home = settings.airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    metadata = make_url(metadata_url)
    name = metadata.database
    if not name:
        raise RuntimeError(f"Airflow's metadata URL {metadata.render_as_string(hide_password=True)} names no database")
    stamp = home / ".migrated-version"
    version = (
        f"{airflow.__version__} pools {hashlib.sha256(POOLS_FILE.read_bytes()).hexdigest()[:12]} "
        f"{metadata.render_as_string(hide_password=True)}"
    )
    if stamp.exists() and stamp.read_text() == version and warehouse.database_exists(metadata_url, name):
        return
    print(f"Preparing Airflow's metadata database {name} ...", flush=True)
    try:
        warehouse.create_database(metadata_url, name)
    except sqlalchemy.exc.DBAPIError as error:  # a warehouse user without CREATEDB, typically
        raise RuntimeError(
            f"cannot create the local Airflow's metadata database {name} on "
            f"{metadata.render_as_string(hide_password=True)}: {error.orig}. Have it created for this user "
            f'(create database "{name}" owner "{metadata.username}"), then run this again.'
        ) from error
    _airflow("db", "migrate", log=log)
    _airflow("pools", "import", str(POOLS_FILE), log=log)
    stamp.write_text(version)


def _prepare_local_airflow(env: dict[str, str], log_name: str) -> Path:
    """What any local use of Airflow needs first: its metadata database and the dbt manifest Cosmos renders the
    build DAG from. Returns the log its preparation writes to, in the local logs folder."""
    from sme_credit.transform import dbt_runner

    logs = settings.state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    ensure_airflow_db(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], logs / log_name)
    dbt_runner.ensure_manifest()
    return logs / log_name


def _dag_run_state(dag_id: str) -> str | None:
    """State of the newest run of `dag_id`, read from Airflow's metadata DB."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "dags", "list-runs", dag_id, "-o", "json"],
        capture_output=True,
        text=True,
    )
    # Warnings may precede the JSON on stdout; the JSON list is the last line.
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    try:
        runs = json.loads(lines[-1]) if lines else []
    except ValueError:
        return None
    return runs[0]["state"] if runs else None


def run_dag(dag_id: str, as_of: dt.date, log: Path, conf: dict | None = None) -> float:
    """Run one DAG for real with `airflow dags test`; raise if the run did not succeed."""
    started = time.monotonic()
    print(f"  running DAG {dag_id} for {as_of} ...", flush=True)
    args = ["dags", "test", dag_id, as_of.isoformat()]
    if conf:
        args += ["--conf", json.dumps(conf)]
    result = _airflow(*args, log=log, check=False)
    state = _dag_run_state(dag_id)
    elapsed = time.monotonic() - started
    if result.returncode or state != "success":
        failed = _failed_task_messages(log)
        raise RuntimeError(
            f"DAG {dag_id} did not succeed (state {state}, exit {result.returncode}) after {elapsed:.0f}s.\n"
            f"{failed}\nFull log: {log}"
        )
    print(f"  DAG {dag_id}: success in {elapsed:.0f}s", flush=True)
    return elapsed


def _failed_task_messages(log: Path) -> str:
    """Why each failed task failed, from the whole run log, so the reason shows without opening it.

    Bad data fails a task with AirflowFailException carrying the full message (file, line and column; or each
    failing expectation, one per line); other failures end with a `SomethingError: ...` line."""
    lines = log.read_text(errors="replace").splitlines()
    messages: list[str] = []
    for fail_fast in (True, False):
        for number, line in enumerate(lines):
            exception = re.match(r"^[\w.]*(AirflowFailException|Error): (.*)", line)
            if not exception or (exception.group(1) == "AirflowFailException") != fail_fast:
                continue
            message = [exception.group(2)]
            for continuation in lines[number + 1 :]:  # a multi-line message (GX lists its failures)
                if not continuation.startswith(("  ", "Data Docs:")):
                    break
                message.append(continuation)
            text = "\n".join(message)
            if text not in messages:
                messages.append(text)
        if messages:
            break
    return "\n".join(f"  {message}" for message in messages[-10:])


def command_run(args: argparse.Namespace) -> int:
    # two runs on one state directory would share Airflow's metadata database and the dbt target
    lock = settings.state_dir() / "run.lock"
    try:
        with locking.held_or_refused(lock, f"a local run on {settings.state_dir()}"):
            return _run(args)
    except locking.Busy as busy:
        print(f"Refused: {busy}.", file=sys.stderr, flush=True)
        return 3


def _run(args: argparse.Namespace) -> int:
    from sme_credit.publish import report

    started = time.monotonic()
    print("== SME pre-credit pipeline: local run ==", flush=True)
    env = _environment()
    print(f"Warehouse: {local_warehouse.describe(env['WAREHOUSE_URL'])}", flush=True)

    landing = settings.landing_dir()
    if not _ensure_sample_world(landing, scale=args.scale, seed=args.seed):
        print(f"Processing the files already in {landing}", flush=True)
    as_of = dt.date.fromisoformat(args.date) if args.date else landing_survey.latest_delivery_date(landing)
    if as_of is None:
        print(f"No file of the contract is delivered under {landing} on or before today: nothing to run", flush=True)
        return 1
    if as_of > landing_survey.today():
        print(f"--date {as_of} is after today ({landing_survey.today()}): a run cannot describe a day to come")
        return 2

    log = _prepare_local_airflow(env, f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.log")

    print(f"Running the pipeline for delivery date {as_of} (log: {log})", flush=True)
    run_dag("sme_ingest", as_of, log)
    run_dag("sme_credit_build", as_of, log, conf={"as_of_date": as_of.isoformat()})

    report.print_summary(warehouse.engine(), as_of, elapsed=time.monotonic() - started, log=log)
    return 0


def _ensure_sample_world(landing: Path, *, scale: str, seed: int) -> bool:
    """Generate a sample world when the landing area holds no delivery; True when it did."""
    if delivery_dates(landing):
        return False
    print(f"The landing area {landing} is empty: generating the '{scale}' sample world ...", flush=True)
    _generate(landing, scale=scale, seed=seed, replace=False)
    return True


def _generate(
    landing: Path,
    *,
    scale: str,
    seed: int,
    replace: bool,
    end_date: str | None = None,
    faults: bool = False,
    months: int | None = None,
    risk_story: str = "gradual",
) -> None:
    from sme_credit_sample import generate_world
    from sme_credit_sample.world import DEFAULT_END_DATE, DEFAULT_MONTHS

    summary = generate_world(
        landing,
        scale=scale,
        seed=seed,
        replace=replace,
        faults=faults,
        end_date=dt.date.fromisoformat(end_date) if end_date else DEFAULT_END_DATE,
        months=months or DEFAULT_MONTHS,
        risk_story=risk_story,
    )
    print(
        f"Generated {summary.firms:,} firms, a {summary.months}-month window: "
        f"{sum(summary.rows.values()):,} rows in {summary.files} files under {landing} ({summary.elapsed:.1f}s); "
        f"ground truth in {summary.ground_truth.parent}",
        flush=True,
    )


def command_generate(args: argparse.Namespace) -> int:
    _generate(
        settings.landing_dir(),
        scale=args.scale,
        seed=args.seed,
        replace=args.replace,
        end_date=args.end_date,
        faults=args.faults,
        months=args.months,
        risk_story=args.risk_story,
    )
    return 0


def command_extend(args: argparse.Namespace) -> int:
    from sme_credit_sample import extend_world

    summary = extend_world(settings.landing_dir(), days=args.days)
    dates = summary.delivery_dates
    print(
        f"Added {len(dates)} delivery date(s), {dates[0]} .. {dates[-1]}: "
        f"{sum(summary.rows.values()):,} rows in {summary.files} files ({summary.elapsed:.1f}s)",
        flush=True,
    )
    return 0


def command_backtest(args: argparse.Namespace) -> int:
    from sme_credit_dev import backtest

    _environment()
    landing = args.landing or settings.landing_dir()
    started = time.monotonic()
    result = backtest.run_backtest(landing, as_of=args.as_of, model=args.model)
    print(result.report())
    print(f"Elapsed: {time.monotonic() - started:.0f}s")
    return 0 if result.passed else 1


def command_train(args: argparse.Namespace) -> int:
    from sme_credit.model import registry, training
    from sme_credit.model.binning import BinningSettings
    from sme_credit.model.scorecard import FitSettings, candidate_features
    from sme_credit.model.tuning import grid_around

    _environment()
    landing = args.landing or settings.landing_dir()
    as_of = args.as_of or training.add_months(_latest_delivery(landing), -args.months_before_end)
    candidates = candidate_features()
    if args.features:
        wanted = [name.strip() for name in args.features.split(",") if name.strip()]
        known = {c.name: c for c in candidates}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            print(f"unknown feature(s) {', '.join(unknown)}: the candidates are the rows of seed scorecard_features")
            return 2
        candidates = tuple(known[name] for name in wanted)
    # the fitter's own defaults (scorecard.FitSettings, binning.BinningSettings) unless given
    given = {name: getattr(args, name) for name in ("min_iv", "max_correlation", "max_features", "max_date_psi", "l2")}
    binning = {name: getattr(args, name) for name in ("max_bins", "min_bin_share")}
    fit_settings = FitSettings(
        binning=BinningSettings(**{k: v for k, v in binning.items() if v is not None}),
        **{k: v for k, v in given.items() if v is not None},
    )
    # cross-validation varies max_features, max_bins and l2, except those given here
    grid = grid_around({**given, **binning}, folds=args.folds, repeats=args.repeats)
    started = time.monotonic()
    model = training.train(landing, as_of, candidates=candidates, fit_settings=fit_settings, grid=grid)
    engine = warehouse.engine()
    folder, passed = registry.save(model, engine)
    print(f"Model card: {folder / registry.CARD_FILE}; registry: model.model_versions, model.model_card")
    for name, (ok, what) in passed.items():
        print(f"  {name}: {'pass' if ok else 'FAIL'} ({what})")
    status = 0
    if args.promote:
        try:
            registry.promote(model, folder, passed, engine)
            print(
                f"Promoted {model.version}: dbt_project/seeds/{registry.POINTS_SEED}.csv and "
                f"{registry.BANDS_SEED}.csv replaced (review with git diff); the next build applies it"
            )
        except TrainingError as error:
            print(error)
            status = 1
    engine.dispose()
    print(f"Elapsed: {time.monotonic() - started:.0f}s")
    return status


def _latest_delivery(landing: Path) -> dt.date:
    dates = delivery_dates(landing)
    if not dates:
        raise TrainingError(f"the landing area {landing} is empty: generate a world first (make data)")
    return dates[-1]


def command_world_stats(args: argparse.Namespace) -> int:
    from sme_credit_sample.statistics import measure, report

    landing = settings.landing_dir()
    print(f"Statistics of the sample world in {landing} (read from its files and ground truth):", flush=True)
    print(report(measure(landing)))
    return 0


def command_contracts(args: argparse.Namespace) -> int:
    from sme_credit_dev import contract_doc, raw_suites

    path = settings.PROJECT_DIR / "docs" / "data-contracts.md"
    changed = [path] if contract_doc.update(path, write=not args.check) else []
    changed += raw_suites.update(write=not args.check)
    if args.check and changed:
        stale = ", ".join(str(p.relative_to(settings.PROJECT_DIR)) for p in changed)
        print(f"out of date with sme_credit/contract/feeds.py: {stale}; run `sme-credit contracts`", file=sys.stderr)
        return 1
    for rendered in changed:
        print(f"{rendered.relative_to(settings.PROJECT_DIR)}: {'updated' if rendered.exists() else 'removed'}")
    print("the contract document and the raw suites are up to date" if not changed else "done")
    return 0


def command_warehouse(args: argparse.Namespace) -> int:
    if args.action == "prepare":
        from sme_credit.ingest import loader
        from sme_credit.orchestration import pipeline

        url = local_warehouse.resolve_url()
        _environment()
        pipeline.prepare_warehouse()
        print(
            f"raw and audit schemas (layout {loader.LAYOUT_VERSION}), the PII key, tracking and the reader roles "
            f"ready in {local_warehouse.describe(url)}"
        )
    elif args.action == "stop":
        stopped = local_warehouse.stop_embedded()
        print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    elif args.action == "url":
        print(local_warehouse.resolve_url())
    return 0


def command_dev_fixture(args: argparse.Namespace) -> int:
    from sme_credit_dev.dev_fixture import load_dev_fixture

    counts = load_dev_fixture(local_warehouse.resolve_url(), args.database)
    print(f"database {args.database}: " + ", ".join(f"raw.{table} {rows:,}" for table, rows in counts.items()))
    print(f"build on it with: WAREHOUSE_URL=<its URL> sme-credit dbt build (or PGDATABASE={args.database})")
    return 0


def command_dbt(args: argparse.Namespace) -> int:
    from sme_credit.transform import dbt_runner

    _environment()
    dbt_runner.run_dbt(*args.dbt_args)
    return 0


def command_airflow(args: argparse.Namespace) -> int:
    _prepare_local_airflow(_environment(), "airflow.log")
    return _airflow(*args.airflow_args, check=False).returncode


def _start_local_airflow(what: str, log_name: str) -> Path:
    """What every local Airflow needs before its components start: settings, metadata DB, dbt manifest, and the
    venv's bin on PATH (each component starts `airflow`); says where it will answer. Returns the logs folder."""
    env = _environment()
    logs = _prepare_local_airflow(env, log_name).parent
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    port = settings.airflow_api_port()
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    print(
        f"Starting Airflow{what} on http://127.0.0.1:{port} (Ctrl-C stops it); the admin password is in {passwords}",
        flush=True,
    )
    return logs


def command_airflow_ui(args: argparse.Namespace) -> int:
    """Scheduler, DAG processor, triggerer and UI in one process tree (`airflow standalone`)."""
    _start_local_airflow("", "airflow-ui.log")
    return _airflow("standalone", check=False).returncode


def command_airflow_services(args: argparse.Namespace) -> int:
    """Airflow's components as separate processes, with Celery workers on the local Redis by default."""
    from sme_credit_dev import airflow_services

    workers = f", {args.workers} Celery worker(s) on queue {args.queue!r}" if args.executor == "celery" else ""
    logs = _start_local_airflow(f" ({args.executor} executor{workers})", "airflow-services.log")
    return airflow_services.run(args.executor, args.workers, args.concurrency, args.queue, logs / "services")


def command_backfill(args: argparse.Namespace) -> int:
    """Both DAGs' backfills over a date range, through the running local Airflow (see `backfill`)."""
    from sme_credit_dev import backfill
    from sme_credit_dev.airflow_api import AirflowApi

    if not args.cancel and (args.start is None or args.end is None):
        raise backfill.BackfillError("give the dates with --from and --to (or --cancel to cancel running backfills)")
    env = _environment()
    api = AirflowApi.local(Path(env["AIRFLOW_HOME"]), settings.airflow_api_port())
    dag_ids = DAG_IDS if args.dag == "both" else (args.dag,)
    if args.cancel:
        backfill.cancel(api, dag_ids)
        return 0
    started = time.monotonic()
    done = backfill.backfill(api, args.start, args.end, dag_ids, args.reprocess)
    runs = ", ".join(f"{len(result.states)} {result.dag_id}" for result in done)
    print(f"backfill of {args.start} .. {args.end} done in {time.monotonic() - started:.0f} s: {runs} runs succeeded")
    return 0


def command_docs(args: argparse.Namespace) -> int:
    """dbt's docs page, and Great Expectations' Data Docs made to render offline; says where both are."""
    from sme_credit.quality import data_docs, gates
    from sme_credit.transform import dbt_runner

    _environment()
    page = dbt_runner.generate_docs()
    site = gates.data_docs_index()
    data_docs.make_offline(site.parent)
    print(f"dbt docs: {page}")
    print(f"Great Expectations Data Docs: {site}" + ("" if site.exists() else " (after the first gate has run)"))
    print("In the Airflow UI (make airflow-ui): the Browse menu, or http://127.0.0.1:8080/sme-credit/")
    return 0


def command_lint_sql(args: argparse.Namespace) -> int:
    """sqlfluff over the dbt project with the dbt templater, which compiles against the warehouse."""
    from sme_credit.ingest import loader

    _environment()
    # some models query the load manifest when compiled (the settlement loads that share transaction ids): in a
    # new warehouse sqlfluff would skip them. Only a new one is set up: a set-up warehouse of an older layout is
    # rebuilt by the next run's `prepare`, never by a lint.
    engine = warehouse.engine()
    with engine.connect() as conn:
        is_new = not warehouse.columns(conn, "audit", "load_manifest")
    if is_new:
        loader.ensure_schemas(engine, log=lambda _message: None)
    sqlfluff = str(Path(sys.executable).with_name("sqlfluff"))
    paths = args.paths or [str(settings.DBT_PROJECT_DIR / folder) for folder in ("models", "tests")]
    process = subprocess.Popen(
        [sqlfluff, args.action, *paths],
        cwd=settings.PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    skipped = 0
    for line in process.stdout:
        print(line, end="", flush=True)
        skipped += SQLFLUFF_SKIPPED in line
    code = process.wait()
    if code == 0 and skipped:
        print(
            f"sme-credit lint-sql: FAILED: sqlfluff skipped {skipped} file(s) that dbt could not compile (see the "
            "warnings above): a skipped file is not linted",
            file=sys.stderr,
        )
        return 1
    return code


def command_summary(args: argparse.Namespace) -> int:
    from sme_credit.publish import report

    _environment()
    as_of = dt.date.fromisoformat(args.date) if args.date else None
    report.print_summary(warehouse.engine(), as_of)
    return 0


def command_candidates(args: argparse.Namespace) -> int:
    from sme_credit.publish import lifecycle, tracking

    _environment()
    engine = warehouse.engine()
    if args.action == "set-status":
        change = lifecycle.set_status(engine, args.uscc, args.status, args.by, args.note)
        what = (
            f"{change.previous_status} -> {change.status}"
            if change.previous_status != change.status
            else f"note added (status stays {change.status})"
        )
        print(f"{change.uscc}: {what}, by {args.by} (event {change.event_id} of tracking.candidate_events)")
    elif args.action == "history":
        history = lifecycle.events(engine, args.uscc)
        if not history:
            print(f"no events for {args.uscc}: it is not a tracked candidate")
            return 1
        for event in history:
            values = " ".join(
                f"{part}={json.dumps(event[part], ensure_ascii=False)}" for part in ("before", "after") if event[part]
            )
            day = f" as of {event['as_of_date']}" if event["as_of_date"] else ""
            note = f" note={event['note']!r}" if event["note"] else ""
            when = f"{event['occurred_at']:%Y-%m-%d %H:%M:%S}"
            print(f"{when} {event['event_type']:<20} by {event['actor']}{day} {values}{note}")
    elif args.action == "statuses":
        tracking.ensure_tracking_table(engine)
        for status, allowed in lifecycle.transitions(engine).items():
            print(f"{status:<15} -> {', '.join(allowed) or '(final)'}")
    return 0


def command_explain(args: argparse.Namespace) -> int:
    from sme_credit.publish import explain

    _environment()
    as_of = dt.date.fromisoformat(args.date) if args.date else None
    print("\n".join(explain.explain(warehouse.engine(), args.uscc, as_of)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from sme_credit_sample.firms import RISK_STORIES

    parser = argparse.ArgumentParser(prog="sme-credit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the whole pipeline locally through real Airflow DAG runs")
    run.add_argument("--date", help="delivery date to process (default: the latest in the landing area)")
    run.add_argument("--scale", default="demo", help="sample world to generate when the landing area is empty")
    run.add_argument("--seed", type=int, default=42)
    run.set_defaults(handler=command_run)

    generate = commands.add_parser("generate", help="write sample landing files")
    generate.add_argument("--scale", default="demo", choices=("tiny", "demo", "large"))
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--end-date", help="last delivery date, YYYY-MM-DD (default 2026-11-03)")
    generate.add_argument(
        "--months", type=int, help="months of history before the end date (default 24; 48 to train out of time)"
    )
    generate.add_argument("--faults", action="store_true", help="also write the fault catalogue")
    generate.add_argument("--replace", action="store_true", help="replace existing sample files")
    generate.add_argument(
        "--risk-story",
        default="gradual",
        choices=RISK_STORIES,
        help="how firms come to default: gradual (the sample world's own) or shocks (regional downturns, sudden "
        "defaults, distress shown in bills, taxes and court rather than settlement: a second world for checking "
        "the scorecard's training)",
    )
    generate.set_defaults(handler=command_generate)

    extend = commands.add_parser("extend", help="add the next delivery date(s) to the sample world (an increment)")
    extend.add_argument("--days", type=int, default=1)
    extend.set_defaults(handler=command_extend)

    backtest = commands.add_parser("backtest", help="KS, AUC and default rate per tier, 12 months before the data ends")
    backtest.add_argument("--landing", type=Path, help="the world to backtest (default: LANDING_DIR)")
    backtest.add_argument("--as-of", type=dt.date.fromisoformat, help="default: 12 months before the last delivery")
    backtest.add_argument("--model", help="a trained model version (default: the active one, the seed's)")
    backtest.set_defaults(handler=command_backtest)

    train = commands.add_parser(
        "train", help="train the scorecard on what was known on a date, validate it out of time, optionally promote"
    )
    when = train.add_mutually_exclusive_group(required=True)
    when.add_argument("--as-of", type=dt.date.fromisoformat, help="the training date D, YYYY-MM-DD")
    when.add_argument("--months-before-end", type=int, help="D = this many months before the last delivery")
    train.add_argument("--landing", type=Path, help="the landing area (default: LANDING_DIR)")
    train.add_argument("--promote", action="store_true", help="make it the active model if its checks pass")
    train.add_argument("--features", help="comma-separated candidates (default: every row of seed scorecard_features)")
    # defaults: scorecard.FitSettings and binning.BinningSettings (the model card lists the settings used)
    train.add_argument(
        "--max-bins", type=int, help="bins per feature besides the missing bin (default: by cross-validation)"
    )
    train.add_argument("--min-bin-share", type=float, help="the smallest bin, as a share of the rows")
    train.add_argument("--min-iv", type=float, help="the least information value a selected feature has")
    train.add_argument("--max-correlation", type=float, help="of weights of evidence between selected features")
    train.add_argument("--max-features", type=int, help="features selected at most (default: by cross-validation)")
    train.add_argument("--l2", type=float, help="ridge penalty of the regression (default: by cross-validation)")
    # defaults: tuning.TuningGrid (the model card says what was tried)
    train.add_argument(
        "--folds",
        type=int,
        help="folds of development firms that choose max_features, max_bins and l2 when not given (0: no "
        "cross-validation, the fitter's defaults)",
    )
    train.add_argument("--repeats", type=int, help="cross-validations over re-drawn folds, averaged")
    train.add_argument(
        "--max-date-psi",
        type=float,
        help="the largest PSI a feature may show between one development date and all of them (default: var "
        "model_psi_alert): a feature that moves with the calendar is left out",
    )
    train.set_defaults(handler=command_train)

    stats = commands.add_parser("world-stats", help="realism statistics of the sample world in the landing area")
    stats.set_defaults(handler=command_world_stats)

    contracts = commands.add_parser(
        "contracts", help="render docs/data-contracts.md's tables and the raw suites from the contract"
    )
    contracts.add_argument("--check", action="store_true", help="only check that they are up to date")
    contracts.set_defaults(handler=command_contracts)

    store = commands.add_parser("warehouse", help="the embedded PostgreSQL (or WAREHOUSE_URL)")
    store.add_argument(
        "action",
        choices=("url", "prepare", "stop"),
        help="url: print it; prepare: create (or rebuild for a newer layout) the raw and audit schemas, which the "
        "loads need; stop: stop the embedded server",
    )
    store.set_defaults(handler=command_warehouse)

    fixture = commands.add_parser(
        "dev-fixture",
        help="load dbt_project/dev_raw_fixture.sql's hand-made raw rows into a database of their own (created "
        "afresh on the warehouse's server) to develop the dbt project against",
    )
    fixture.add_argument("--database", default="sme_dbt_dev", help="the database to (re)create (default sme_dbt_dev)")
    fixture.set_defaults(handler=command_dev_fixture)

    dbt_command = commands.add_parser("dbt", help="run dbt against the warehouse, e.g. `sme-credit dbt build`")
    dbt_command.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt_command.set_defaults(handler=command_dbt)

    airflow = commands.add_parser("airflow", help="run the airflow CLI with this project's local settings")
    airflow.add_argument("airflow_args", nargs=argparse.REMAINDER)
    airflow.set_defaults(handler=command_airflow)

    ui = commands.add_parser("airflow-ui", help="run Airflow's scheduler and UI locally on 127.0.0.1:8080")
    ui.set_defaults(handler=command_airflow_ui)

    services = commands.add_parser(
        "airflow-services",
        help="run Airflow's components as separate processes (api-server, scheduler, dag-processor, triggerer, "
        "Celery workers on the local Redis): docker-compose's topology without Docker",
    )
    services.add_argument("--executor", choices=("celery", "local"), default="celery")
    services.add_argument("--workers", type=int, default=2, help="Celery workers (default 2)")
    services.add_argument("--concurrency", type=int, default=2, help="task slots per Celery worker (default 2)")
    services.add_argument("--queue", default="default", help="the Celery queue the workers serve (default: default)")
    services.set_defaults(handler=command_airflow_services)

    backfill = commands.add_parser(
        "backfill",
        help="rerun past dates through the running Airflow: sme_ingest's backfill, then sme_credit_build's, "
        "one date at a time in date order",
    )
    backfill.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="first date")
    backfill.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="last date (included)")
    backfill.add_argument("--dag", choices=("both", *DAG_IDS), default="both", help="default: both, ingest first")
    backfill.add_argument(
        "--reprocess",
        choices=("none", "failed", "completed"),
        default="completed",
        help="dates that already have a run: run them all again (completed, the default), only failed ones, or none",
    )
    backfill.add_argument(
        "--cancel",
        action="store_true",
        help="cancel the running backfills of the DAGs (--dag) instead: their runs not yet started will not start",
    )
    backfill.set_defaults(handler=command_backfill)

    docs = commands.add_parser("docs", help="generate dbt's docs page and make the Data Docs render offline")
    docs.set_defaults(handler=command_docs)

    lint_sql = commands.add_parser("lint-sql", help="sqlfluff lint (or fix) the dbt project's SQL")
    lint_sql.add_argument("action", nargs="?", default="lint", choices=("lint", "fix"))
    lint_sql.add_argument("paths", nargs="*", help="files or folders (default: models, tests)")
    lint_sql.set_defaults(handler=command_lint_sql)

    candidates = commands.add_parser("candidates", help="the risk team's tracked candidates: statuses and history")
    actions = candidates.add_subparsers(dest="action", required=True)
    set_status = actions.add_parser(
        "set-status", help="change a tracked firm's status (through tracking.set_candidate_status)"
    )
    set_status.add_argument("uscc")
    set_status.add_argument("status", help="see `sme-credit candidates statuses` (seed candidate_statuses)")
    set_status.add_argument("--by", required=True, help="who makes the change (recorded with the event)")
    set_status.add_argument("--note", help="a note kept with the event")
    history = actions.add_parser("history", help="every event of a tracked firm, oldest first")
    history.add_argument("uscc")
    actions.add_parser("statuses", help="the statuses and the changes allowed from each")
    candidates.set_defaults(handler=command_candidates)

    explain = commands.add_parser("explain", help="why a firm is where it is: points, knock-outs, pool, limit, history")
    explain.add_argument("uscc")
    explain.add_argument("--date", help="as-of date (default: the latest published for the firm)")
    explain.set_defaults(handler=command_explain)

    summary = commands.add_parser("summary", help="print the output tables' summary for an as-of date")
    summary.add_argument("--date", help="as-of date (default: the latest in the marts)")
    summary.set_defaults(handler=command_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the CLI's last word: a clear message and a non-zero exit
        print(f"\nsme-credit {args.command}: FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The real scheduler path on the tiny world, with each executor:
- LocalExecutor: `sme-credit airflow-ui` (`airflow standalone`: scheduler, dag-processor, triggerer, api-server;
  parallelism 4);
- CeleryExecutor: `sme-credit airflow-services` (the same components as separate processes, and two Celery
  workers on the machine's Redis), when SME_TEST_CELERY_BROKER_URL names a broker (CI sets it).
`sme_ingest` is triggered for a delivery date through the REST API; its raw Assets must trigger
`sme_credit_build` for *that* date (their events carry the date and the rows loaded), the build must publish, no
task may need a second try, and with Celery the tasks must have run on both workers.

With the LocalExecutor the test then backfills the two dates before it (`sme-credit backfill`, both DAGs): each
date must run in date order, one build per date, each publishing its slice, and the tracked candidates must not
move back from the later date already published.

`make run` goes through `airflow dags test`, which runs one task at a time and never triggers a consumer DAG:
only this test runs the feeds' loads side by side and the Asset-driven build as the scheduler does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from sme_credit import settings
from sme_credit.contract.feeds import FEEDS, RAW_TABLES
from sme_credit.publish.marts import PUBLISHED_RELATIONS
from sme_credit.warehouse import drop_database
from sme_credit_dev.airflow_api import AirflowApi, AirflowApiError, local_token
from tests import browser
from tests.conftest import _fresh_database
from tests.receivers import HttpReceiver, SmtpReceiver, free_port, wait_for

pytestmark = pytest.mark.e2e

SME_CREDIT = str(Path(sys.executable).with_name("sme-credit"))
DEADLINE_SECONDS = 900


class Airflow:
    """`sme-credit airflow-ui` in a process group of its own, and a client of its REST API."""

    def __init__(self, state: Path, env: dict[str, str], port: int, executor: str, command: list[str]) -> None:
        self.state, self.port, self.executor, self.env = state, port, executor, env
        self.log = state / "airflow.log"
        state.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [SME_CREDIT, *command],
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.rest: AirflowApi | None = None  # signed in once Airflow is up

    def wait_until_up(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"Airflow exited ({self.process.returncode}):\n{self._log_tail()}")
            try:
                if self.client.get("/api/v2/monitor/health").status_code == 200:
                    token = local_token(self.state / "airflow", str(self.client.base_url).rstrip("/"))
                    self.client.headers["Authorization"] = f"Bearer {token}"
                    self.rest = AirflowApi(str(self.client.base_url).rstrip("/"), token)
                    return
            except (httpx.TransportError, AirflowApiError):
                pass
            time.sleep(2)
        raise AssertionError(f"Airflow's API did not answer within {timeout:.0f} s:\n{self._log_tail()}")

    def api(self, method: str, path: str, **kwargs) -> dict:
        """The project's client: a request Airflow answers with 503 (its metadata database busy) is tried again,
        as in use."""
        return self.rest.call(method, path, **kwargs)

    def wait_for(self, what: str, probe, timeout: float):
        """Poll `probe` until it returns something truthy; fail naming `what` and showing the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(3)
        raise AssertionError(f"{what}: not within {timeout:.0f} s\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else "(no log)"

    def stop(self) -> None:
        # SIGTERM first: `airflow standalone` let SIGINT wait out its 20 s every time (20 s of each teardown)
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):  # children that outlived the group leader (workers, logs)
            os.killpg(self.process.pid, signal.SIGKILL)
        self.client.close()
        if self.rest:
            self.rest.client.close()


def _finished(airflow: Airflow, dag_id: str, run_id: str):
    run = airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
    return run if run["state"] in ("success", "failed") else None


def _task_instances(airflow: Airflow, dag_id: str, run_id: str) -> list[dict]:
    return airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 200})["task_instances"]


def _failed_tasks(airflow: Airflow, dag_id: str, run_id: str) -> str:
    return ", ".join(
        f"{ti['task_id']}={ti['state']}"
        for ti in _task_instances(airflow, dag_id, run_id)
        if ti["state"] not in ("success", "skipped")
    )


@pytest.fixture
def alert_receivers():
    with SmtpReceiver() as smtp, HttpReceiver() as webhook:
        yield smtp, webhook


def _executors():
    broker = os.environ.get("SME_TEST_CELERY_BROKER_URL")
    return [
        pytest.param("local", id="local"),
        pytest.param(
            "celery",
            id="celery",
            marks=pytest.mark.skipif(not broker, reason="SME_TEST_CELERY_BROKER_URL not set (CI sets it)"),
        ),
    ]


@pytest.fixture(params=_executors())
def scheduler_world(request, tmp_path, server_url, tiny_world, alert_receivers):
    executor = request.param
    smtp, webhook = alert_receivers
    landing = tmp_path / "landing"
    shutil.copytree(tiny_world, landing)
    name, url = _fresh_database(server_url, "e2e_scheduler")
    port = free_port()
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "LANDING_DIR": str(landing),
        "SME_STATE_DIR": str(tmp_path / "state"),
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        # alerts to real local receivers, configured as a team would: connections and environment only
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp.connection(),
        "AIRFLOW_CONN_SLACK_ALERTS": webhook.connection(),
        "SME_ALERT_EMAIL_TO": "risk-ops@example.com",
        "SME_ALERT_WEBHOOK_CONN_ID": "slack_alerts",
    }
    env.pop("AIRFLOW_HOME", None)  # the run sets its own, under SME_STATE_DIR
    if executor == "celery":
        env["AIRFLOW__CELERY__BROKER_URL"] = os.environ["SME_TEST_CELERY_BROKER_URL"]
        # a queue of its own on the shared broker: no other worker takes these tasks
        command = ["airflow-services", "--executor", "celery", "--workers", "2", "--queue", f"sme_e2e_{port}"]
    else:
        command = ["airflow-ui"]
    airflow = Airflow(tmp_path / "state", env, port, executor, command)
    airflow.smtp, airflow.webhook = smtp, webhook
    try:
        yield airflow, url
    finally:
        airflow.stop()
        drop_database(server_url, name)


def test_the_scheduler_runs_ingest_for_a_date_and_its_assets_build_that_date(scheduler_world, tiny_latest):
    airflow, url = scheduler_world
    day = tiny_latest.isoformat()
    started = time.monotonic()
    airflow.wait_until_up()
    airflow.wait_for(
        "both DAGs parsed",
        lambda: {d["dag_id"] for d in airflow.api("GET", "/dags")["dags"]} >= {"sme_ingest", "sme_credit_build"},
        timeout=180,
    )
    up = time.monotonic()
    # run_after = the delivery date, so that this run goes before the one unpausing creates for today
    ingest = airflow.api(
        "POST",
        "/dags/sme_ingest/dagRuns",
        json={"dag_run_id": f"e2e_{day}", "logical_date": f"{day}T00:00:00Z", "run_after": f"{day}T00:00:00Z"},
    )
    for dag_id in ("sme_credit_build", "sme_ingest"):
        airflow.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    run = airflow.wait_for(
        "the sme_ingest run", lambda: _finished(airflow, "sme_ingest", ingest["dag_run_id"]), DEADLINE_SECONDS
    )
    assert run["state"] == "success", _failed_tasks(airflow, "sme_ingest", ingest["dag_run_id"])
    ingested = time.monotonic()

    def asset_triggered_build():
        runs = airflow.api("GET", "/dags/sme_credit_build/dagRuns")["dag_runs"]
        return next((r for r in runs if r["run_type"] == "asset_triggered"), None)

    build = airflow.wait_for("an Asset-triggered sme_credit_build run", asset_triggered_build, 120)
    build = airflow.wait_for(
        "the sme_credit_build run", lambda: _finished(airflow, "sme_credit_build", build["dag_run_id"]), 900
    )
    assert build["state"] == "success", _failed_tasks(airflow, "sme_credit_build", build["dag_run_id"])
    built = time.monotonic()

    # the events behind the build: one per raw table, each with the date and the rows its load wrote
    events = airflow.api("GET", f"/dags/sme_credit_build/dagRuns/{build['dag_run_id']}/upstreamAssetEvents")[
        "asset_events"
    ]
    by_table = {event["name"]: event["extra"] for event in events}
    assert set(by_table) == {table.qualified_name for table in RAW_TABLES}
    engine = create_engine(settings.sqlalchemy_url(url))
    with engine.connect() as conn:
        for table in RAW_TABLES:
            assert by_table[table.qualified_name]["delivery_date"] == day
            loaded = conn.execute(text(f"select count(*) from {table.qualified_name}")).scalar()
            assert by_table[table.qualified_name]["rows_loaded"] == loaded > 0, table.name
        resolved = airflow.api(
            "GET",
            f"/dags/sme_credit_build/dagRuns/{build['dag_run_id']}/taskInstances/resolve_as_of_date/xcomEntries/"
            "return_value",
        )["value"]
        assert resolved == day
        # that date published, and only that date
        assert conn.execute(
            text("select array_agg(distinct as_of_date::text) from marts.customer_risk_tiers")
        ).scalar() == [day]
        candidates = conn.execute(text("select count(*) from tracking.candidates")).scalar()
        assert candidates > 0
        assert (
            conn.execute(
                text("select count(*) from tracking.candidates where last_qualified_date <> :d"), {"d": day}
            ).scalar()
            == 0
        )
    engine.dispose()

    # the day's summary reached both alert channels, from the task that sent it
    summary = wait_for(lambda: [m for m in airflow.smtp.mails if m.subject.startswith(f"[sme-credit] {day} published")])
    assert summary, [m.subject for m in airflow.smtp.mails]
    assert f"== Summary for as-of date {day} ==" in summary[0].body and "Rows per layer" in summary[0].body
    assert f"candidate {candidates:,}" in summary[0].subject
    assert any(f"{day} published" in post["json"]["text"] for post in airflow.webhook.posts)

    # the feeds' loads ran side by side, and nothing needed a second try
    loads = [
        ti for ti in _task_instances(airflow, "sme_ingest", ingest["dag_run_id"]) if ti["task_id"].startswith("load_")
    ]
    assert len(loads) == len(FEEDS) and all(ti["state"] == "success" for ti in loads)
    # how many loads ran at the same moment (the scheduler runs them side by side; tiny loads take a second)
    moments = sorted([(ti["start_date"], 1) for ti in loads] + [(ti["end_date"], -1) for ti in loads])
    running = [sum(step for _, step in moments[: i + 1]) for i in range(len(moments))]
    for dag_id, run_id in (("sme_ingest", ingest["dag_run_id"]), ("sme_credit_build", build["dag_run_id"])):
        retried = [ti["task_id"] for ti in _task_instances(airflow, dag_id, run_id) if ti["try_number"] > 1]
        assert not retried, f"{dag_id}: {retried}"
    # each model's sensor reported its model's state from the triggerer, never taking a worker
    sensors = [
        ti
        for ti in _task_instances(airflow, "sme_credit_build", build["dag_run_id"])
        if ti["operator"] in ("ModelResultSensor", "SeedResultSensor")
    ]
    assert len(sensors) > 30 and {ti["state"] for ti in sensors} == {"success"}
    assert not [ti["task_id"] for ti in sensors if ti["hostname"]], "sensors that ran on a worker"
    sensor_ids = {ti["task_id"] for ti in sensors}
    if airflow.executor == "celery":  # every other task ran on a worker, and both workers took some
        tasks = [
            ti
            for dag_id, run_id in (("sme_ingest", ingest["dag_run_id"]), ("sme_credit_build", build["dag_run_id"]))
            for ti in _task_instances(airflow, dag_id, run_id)
            if ti["operator"] != "EmptyOperator" and ti["task_id"] not in sensor_ids
        ]
        assert {ti["queue"] for ti in tasks} == {f"sme_e2e_{airflow.port}"}
        received = {
            worker: (airflow.state / "logs" / "services" / f"{worker}.log")
            .read_text(errors="replace")
            .count("] received")
            for worker in ("worker1", "worker2")
        }
        assert all(received.values()) and sum(received.values()) >= len(tasks), received
    print(
        f"\nscheduler e2e ({airflow.executor} executor): Airflow up in {up - started:.0f} s, "
        f"sme_ingest {ingested - up:.0f} s "
        f"(at most {max(running)} loads at once), sme_credit_build {built - ingested:.0f} s, {candidates} candidates"
    )
    # Airflow's metadata is in PostgreSQL beside the warehouse (settings.airflow_metadata_url), not in a SQLite
    # file whose one-writer lock the components fought over: the runs the API reported are its rows
    metadata = create_engine(settings.airflow_metadata_url(url))
    with metadata.connect() as conn:
        states = conn.execute(
            text("select dag_id, state from dag_run where run_id in (:ingest, :build)"),
            {"ingest": ingest["dag_run_id"], "build": build["dag_run_id"]},
        ).all()
    metadata.dispose()
    assert sorted(states) == [("sme_credit_build", "success"), ("sme_ingest", "success")]
    assert not (airflow.state / "airflow" / "airflow.db").exists()
    if airflow.executor == "local":  # these need one executor only, and start from this day's state
        _backfill_the_two_dates_before(airflow, url, tiny_latest, build["dag_run_id"])
        _a_running_backfill_is_named_cancelled_or_resumed(airflow, tiny_latest)
        _a_failure_and_a_missed_deadline_alert(airflow)
        _the_docs_pages_in_chromium(airflow, day)


TRACKED_NOW = (
    "uscc, last_qualified_date, current_tier, current_score, tier_as_of_date, suggested_limit, "
    "suggested_term_months, suggested_product, rate_band, status"
)


def _backfill_the_two_dates_before(airflow: Airflow, url: str, latest: dt.date, daily_build: str) -> None:
    first, last = latest - dt.timedelta(days=2), latest - dt.timedelta(days=1)
    engine = create_engine(settings.sqlalchemy_url(url))
    with engine.connect() as conn:
        tracked_before = {row.uscc: row for row in conn.execute(text(f"select {TRACKED_NOW} from tracking.candidates"))}
    started = time.monotonic()
    backfill = subprocess.run(
        [SME_CREDIT, "backfill", "--from", first.isoformat(), "--to", last.isoformat()],
        env=airflow.env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
    )
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr + airflow._log_tail()
    took = time.monotonic() - started

    runs = {}
    for dag_id in ("sme_ingest", "sme_credit_build"):
        params = {"run_type": "backfill", "order_by": "start_date"}
        runs[dag_id] = airflow.api("GET", f"/dags/{dag_id}/dagRuns", params=params)["dag_runs"]
        # one run per date, each a success, in date order and one after the other
        assert [run["logical_date"][:10] for run in runs[dag_id]] == [first.isoformat(), last.isoformat()], dag_id
        for run in runs[dag_id]:
            assert run["state"] == "success", _failed_tasks(airflow, dag_id, run["dag_run_id"])
        assert runs[dag_id][0]["end_date"] <= runs[dag_id][1]["start_date"], dag_id
        assert f"{dag_id} {first}: success" in backfill.stdout
    for run in runs["sme_credit_build"]:  # each build built its own date
        resolved = airflow.api(
            "GET",
            f"/dags/sme_credit_build/dagRuns/{run['dag_run_id']}/taskInstances/resolve_as_of_date/xcomEntries/"
            "return_value",
        )["value"]
        assert resolved == run["logical_date"][:10]
    # the builds that the ingest backfill's Asset events triggered built nothing: they ended skipped, saying why
    triggered = airflow.api("GET", "/dags/sme_credit_build/dagRuns", params={"run_type": "asset_triggered"})
    for run in triggered["dag_runs"]:
        if run["dag_run_id"] != daily_build:
            tasks = _task_instances(airflow, "sme_credit_build", run["dag_run_id"])
            states = {ti["task_id"]: ti["state"] for ti in tasks}
            assert states["resolve_as_of_date"] == "skipped" and states["publish_marts"] == "skipped", states

    with engine.connect() as conn:
        # one slice per date in every published mart, each as its publication recorded it, published in run order
        publications = conn.execute(
            text("select as_of_date, rows from audit.mart_publications order by published_at")
        ).all()
        assert [p.as_of_date for p in publications] == [latest, first, last]
        for relation in PUBLISHED_RELATIONS:
            counts = dict(conn.execute(text(f"select as_of_date, count(*) from {relation} group by 1")).all())
            # (a mart may have no rows on a date: no tier migrations before a warehouse's second date)
            recorded = {p.as_of_date: p.rows[relation.split(".")[1]] for p in publications}
            assert counts == {day: rows for day, rows in recorded.items() if rows}, relation
        # the tracked candidates did not move back in time: the latest date's rows are as they were; firms that
        # qualified on a backfilled date only are tracked at their latest tier
        tracked = {row.uscc: row for row in conn.execute(text(f"select {TRACKED_NOW} from tracking.candidates"))}
        assert {uscc: tracked[uscc] for uscc in tracked_before} == tracked_before
        new = [row for uscc, row in tracked.items() if uscc not in tracked_before]
        assert all(row.last_qualified_date in (first, last) and row.tier_as_of_date == latest for row in new)
        first_dates = conn.execute(text("select min(first_qualified_date) from tracking.candidates")).scalar()
    engine.dispose()
    print(
        f"backfill of {first} .. {last} (both DAGs, one date at a time): {took:.0f} s; "
        f"{len(new)} firms newly tracked, earliest first qualification {first_dates}"
    )


def _a_running_backfill_is_named_cancelled_or_resumed(airflow: Airflow, latest: dt.date) -> None:
    """Airflow runs one backfill per DAG at a time. `sme-credit backfill` names a running one of other dates and how
    to cancel it, cancels it when asked, and resumes (unpauses and waits for) one of the same dates."""
    first, last = latest - dt.timedelta(days=2), latest - dt.timedelta(days=1)

    def held_backfill() -> dict:
        # two dates, one run at a time, paused at once: its second run cannot start before it is unpaused
        created = airflow.api(
            "POST",
            "/backfills",
            json={
                "dag_id": "sme_ingest",
                "from_date": f"{first}T00:00:00Z",
                "to_date": f"{last}T00:00:00Z",
                "max_active_runs": 1,
                "reprocess_behavior": "completed",
            },
        )
        return airflow.api("PUT", f"/backfills/{created['id']}/pause")

    def sme_credit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SME_CREDIT, "backfill", "--dag", "sme_ingest", *args],
            env=airflow.env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
        )

    held = held_backfill()
    other_dates = sme_credit("--from", last.isoformat(), "--to", last.isoformat())
    assert other_dates.returncode == 1, other_dates.stdout + other_dates.stderr
    assert f"backfill {held['id']} of {first} .. {last} (reprocess: completed, paused) still running" in (
        other_dates.stderr
    )
    assert "sme-credit backfill --cancel --dag sme_ingest" in other_dates.stderr

    cancelled = sme_credit("--cancel")
    assert cancelled.returncode == 0 and f"backfill {held['id']} of {first} .. {last}" in cancelled.stdout
    assert airflow.api("GET", f"/backfills/{held['id']}")["completed_at"]
    assert "sme_ingest: no backfill running" in sme_credit("--cancel").stdout

    held = held_backfill()
    resumed = sme_credit("--from", first.isoformat(), "--to", last.isoformat())
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr + airflow._log_tail()
    assert f"sme_ingest: resuming backfill {held['id']} of {first} .. {last}" in resumed.stdout
    assert "created" not in resumed.stdout  # no second backfill
    assert airflow.api("GET", f"/backfills/{held['id']}")["completed_at"]
    assert f"sme_ingest {last}: success" in resumed.stdout
    print(f"a running backfill: named, cancelled, and resumed ({resumed.stdout.strip().splitlines()[-1]})")


def _a_failure_and_a_missed_deadline_alert(airflow: Airflow) -> None:
    """A build asked for a date after today fails at once; the publication watch of a date never published is past
    its deadline as soon as its run exists. Both must reach the alert channels."""
    airflow.api(
        "POST", "/dags/sme_credit_build/dagRuns", json={"logical_date": None, "conf": {"as_of_date": "2999-01-01"}}
    )
    airflow.api("POST", "/dags/sme_publication_watch/dagRuns", json={"logical_date": "2026-10-01T00:00:00Z"})
    airflow.api("PATCH", "/dags/sme_publication_watch", json={"is_paused": False})

    def mail(prefix: str):
        return next((m for m in airflow.smtp.mails if m.subject.startswith(prefix)), None)

    failed = airflow.wait_for("the failure alert", lambda: mail("[sme-credit] FAILED sme_credit_build."), 300)
    assert "resolve_as_of_date" in failed.subject
    assert "as-of date 2999-01-01 is after today" in failed.body and "log:" in failed.body
    late = airflow.wait_for(
        "the deadline alert", lambda: mail("[sme-credit] LATE: the candidates of 2026-10-01 are not published"), 300
    )
    assert "sme_ingest" in late.body
    texts = [post["json"]["text"] for post in airflow.webhook.posts]
    assert any("FAILED sme_credit_build.resolve_as_of_date" in t for t in texts)
    assert any("LATE: the candidates of 2026-10-01" in t for t in texts)
    print(f"alerts received: {len(airflow.smtp.mails)} mails, {len(airflow.webhook.posts)} webhook posts:")
    print("\n".join(f"  {mail.subject}" for mail in airflow.smtp.mails))
    print("--- failure alert as received ---\n" + failed.subject + "\n" + failed.body)
    print("--- daily summary subject ---\n" + next(m.subject for m in airflow.smtp.mails if " published:" in m.subject))


def _the_docs_pages_in_chromium(airflow: Airflow, day: str) -> None:
    """The Data Docs and dbt's docs, served by Airflow's api-server to signed-in users and linked from its UI,
    render in headless Chromium with nothing loaded from outside (no CDN), and show the day's validations."""
    if not browser.available():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
    base = f"http://127.0.0.1:{airflow.port}"
    assert httpx.get(f"{base}/sme-credit/data-docs/index.html").status_code in (401, 403)  # signed-in users only
    (plugin,) = [p for p in airflow.api("GET", "/plugins")["plugins"] if p["name"] == "sme_credit"]
    assert {view["href"] for view in plugin["external_views"]} == {
        "/sme-credit/data-docs/index.html",
        "/sme-credit/dbt-docs/",
        "/sme-credit/reports/latest",
    }
    assert httpx.get(f"{base}/sme-credit/reports/{day}").status_code in (401, 403)
    token = ("_token", airflow.client.headers["Authorization"].removeprefix("Bearer "))
    shots = airflow.state / "screenshots"
    shots.mkdir(exist_ok=True)
    with browser.Browser() as chromium:
        chromium.open(f"{base}/sme-credit/", cookie=token)
        assert "Great Expectations Data Docs" in chromium.evaluate("document.body.innerText")

        chromium.open(f"{base}/sme-credit/data-docs/index.html", cookie=token)
        index = chromium.evaluate(browser.PAGE_FACTS)
        assert index["remote"] == [] and index["css_rules"] > 1000, index  # Bootstrap and co., from the site
        assert any("Font Awesome" in family for family in index["fonts_loaded"]), index  # the status icons
        # the validations table, filled by bootstrap-table: shown, and holding the day's gates by name and date
        table = "$('#section-1-content-block-2-1-body-table')"
        assert chromium.evaluate(f"{table}.find('tr[data-index]').length") > 0
        validations = chromium.evaluate(
            f"{table}.bootstrapTable('getData', {{useCurrentPage: false, includeHiddenRows: true}})"
            ".map(r => [r.run_name, r.asset_name, r._validation_success_text, r._table_row_link_path])"
        )
        runs = {(run, asset): (status, path) for run, asset, status, path in validations}
        assert runs[(f"marts {day}", "marts.customer_features")][0] == "Success", validations
        assert ("raw_settlement load", "raw.settlement_transactions") in runs
        assert not any(run == "__none__" for run, _ in runs)
        chromium.screenshot(shots / "data-docs-index.png")

        link = f"{base}/sme-credit/data-docs/{runs[(f'marts {day}', 'marts.customer_features')][1]}"
        chromium.open(link, cookie=token)
        page = chromium.evaluate(browser.PAGE_FACTS)
        assert page["remote"] == [] and page["css_rules"] > 1000, page
        assert "marts.customer_features" in page["text"] and f"marts {day}" in page["text"]
        chromium.screenshot(shots / "data-docs-validation.png")

        chromium.open(f"{base}/sme-credit/dbt-docs/", cookie=token, settle=3)
        dbt_docs = chromium.evaluate(browser.PAGE_FACTS)
        assert dbt_docs["title"] == "dbt Docs" and dbt_docs["remote"] == [], dbt_docs["remote"]
        assert "sme_credit" in dbt_docs["text"]
        chromium.open(f"{base}/sme-credit/dbt-docs/#!/model/model.sme_credit.customer_features", cookie=token, settle=3)
        assert "firm_age_years" in chromium.evaluate("document.body.innerText")  # a documented column
        chromium.screenshot(shots / "dbt-docs-customer-features.png")

        # the day's report, written by the build's write_daily_report task
        chromium.open(f"{base}/sme-credit/reports/{day}", cookie=token, settle=0.5)
        report = chromium.evaluate(browser.PAGE_FACTS)
        assert report["remote"] == [] and f"预授信日报 · {day}" in report["text"], report
        assert chromium.evaluate("document.querySelectorAll('svg.chart rect, svg.chart path').length") > 10
        chromium.screenshot(shots / "daily-report.png")
    print(f"docs pages checked in Chromium; screenshots in {shots}")

"""Every DAG imports cleanly and is operable: tags, owners, retries, no cycles, the expected shape."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from sme_credit import settings
from sme_credit.contract.feeds import FEEDS, RAW_TABLES
from sme_credit.orchestration import alerts
from sme_credit.orchestration.dag_support import BUILD_POOL, POOLS
from sme_credit.publish.marts import PUBLISHED_RELATIONS
from sme_credit.transform import dbt_runner

EXPECTED_DAGS = {"sme_ingest", "sme_credit_build", "sme_publication_watch", "sme_model_training"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    dbt_runner.ensure_manifest()
    return DagBag(dag_folder=str(settings.DAGS_DIR))


def _producer(dagbag):
    """A copy of the build DAG's watcher producer, for a test to change at will."""
    import copy

    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    return copy.copy(dagbag.dags["sme_credit_build"].get_task(f"{dbt_runner.BUILD_GROUP}.{PRODUCER_WATCHER_TASK_ID}"))


def _model_sensor(dagbag):
    """A copy of one of the build DAG's model sensors, for a test to change at will."""
    import copy

    from sme_credit.transform.cosmos_watcher import ModelResultSensor

    return copy.copy(next(t for t in dagbag.dags["sme_credit_build"].tasks if isinstance(t, ModelResultSensor)))


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_is_operable(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags and "sme-credit" in dag.tags
    assert dag.doc_md and dag.description
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.owner == "data-engineering", task.task_id
        assert task.retries is not None, task.task_id
        assert alerts.task_failed in as_list(task.on_failure_callback), task.task_id  # a failure alerts someone
        assert task.pool in {"default_pool", *POOLS}, f"{task.task_id}: pool {task.pool} is in no setup"
        assert task.execution_timeout is not None, task.task_id  # a stuck task fails instead of holding a slot
    dag.topological_sort()  # raises on a cycle
    assert all(task.retries >= 1 for task in dag.tasks if task.task_id.startswith("load_"))


def test_a_delivery_wait_outlasts_its_feeds_wait(dagbag):
    from sme_credit.contract.feeds import FEED_POLICIES

    dag = dagbag.dags["sme_ingest"]
    for feed in FEEDS:
        wait = dag.get_task(f"wait_{feed}")
        assert wait.execution_timeout.total_seconds() > FEED_POLICIES[feed].wait_hours * 3600, feed


def test_ingest_waits_loads_then_gates_each_feed_and_emits_raw_assets_only_after_the_gate(dagbag):
    from sme_credit.ingest.delivery_wait import WaitForDelivery

    dag = dagbag.dags["sme_ingest"]
    for feed in FEEDS:
        wait, load, gate = (dag.get_task(f"{step}_{feed}") for step in ("wait", "load", "validate_raw"))
        assert isinstance(wait, WaitForDelivery) and wait.feed == feed
        assert load.task_id in wait.downstream_task_ids
        assert gate.task_id in load.downstream_task_ids
        assert not load.outlets
        emitted = {asset.name for asset in gate.outlets}
        assert emitted == {t.qualified_name for t in RAW_TABLES if t.feed == feed}


def test_build_is_write_audit_publish(dagbag):
    from sme_credit.transform.cosmos_watcher import QuietDbtProducerWatcherOperator

    dag = dagbag.dags["sme_credit_build"]
    # Runs when every raw table has passed its gate (all of them: AssetAll).
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAll"
    assert {asset.name for asset in condition.objects} == {t.qualified_name for t in RAW_TABLES}

    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith(f"{dbt_runner.BUILD_GROUP}.")]
    mart_models = [t for t in dbt_tasks if "customer_risk_tiers" in t.task_id or "precredit_pool" in t.task_id]
    assert any("stg_settlement__transactions" in t.task_id for t in dbt_tasks) and mart_models

    gate_staging, gate_marts = dag.get_task("validate_staging"), dag.get_task("validate_marts")
    publish = dag.get_task("publish_candidates")
    # Both gates run after the dbt build, its one producer task (the marts are in marts_build, which nobody
    # reads; the models' sensors report beside the gates), and publishing only after both gates.
    producer = next(t for t in dbt_tasks if isinstance(t, QuietDbtProducerWatcherOperator))
    for gate in (gate_staging, gate_marts):
        assert producer.task_id in gate.get_flat_relative_ids(upstream=True), gate.task_id
        assert gate.task_id in publish.get_flat_relative_ids(upstream=True)
    assert {a.name for a in publish.outlets} == {"tracking.candidates"}
    # the risk team's files (CSV, XLSX, the HTML report) are made from what was just published
    export, report = dag.get_task("export_candidate_list"), dag.get_task("write_daily_report")
    assert publish.task_id in export.upstream_task_ids and export.task_id in report.upstream_task_ids
    # The marts become visible only by publish_marts, after the marts gate, and it emits the mart Assets.
    publish_marts = dag.get_task("publish_marts")
    assert gate_marts.task_id in publish_marts.upstream_task_ids
    assert gate_staging.task_id in publish_marts.get_flat_relative_ids(upstream=True)
    assert publish_marts.task_id in publish.get_flat_relative_ids(upstream=True)
    assert {a.name for a in publish_marts.outlets} == set(PUBLISHED_RELATIONS)
    assert not gate_marts.outlets


def as_list(callbacks) -> list:
    return callbacks if isinstance(callbacks, list) else [callbacks]


def test_the_build_takes_its_pool_and_ingest_does_not(dagbag):
    """The build's tasks share a pool smaller than Airflow's parallelism, so ingest always finds slots."""
    assert all(task.pool == BUILD_POOL for task in dagbag.dags["sme_credit_build"].tasks)
    assert POOLS[BUILD_POOL]["slots"] < int(settings.airflow_env("postgresql://x@h/d")["AIRFLOW__CORE__PARALLELISM"])
    assert all(task.pool == "default_pool" for task in dagbag.dags["sme_ingest"].tasks)


def test_the_publication_watch_alerts_at_the_deadline(dagbag):
    dag = dagbag.dags["sme_publication_watch"]
    (deadline,) = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    assert type(deadline.reference).__name__ == "DagRunLogicalDateDeadline"
    assert deadline.interval == settings.publication_deadline()
    assert deadline.callback.path == "sme_credit.orchestration.alerts.publication_missed"
    assert [task.task_id for task in dag.tasks] == ["await_publication"]


def test_the_build_can_be_backfilled_yet_runs_daily_only_for_its_assets(dagbag):
    """A periodic timetable (what `airflow backfill create` needs) that the scheduler never runs on its own. The
    scheduler and the backfill see the DAG as serialized: the timetable must come back through the plugin."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags["sme_credit_build"]))
    assert dag.timetable.periodic
    assert type(dag.timetable.timetable).__name__ == "BackfillOnlyDaily"
    assert dag.next_dagrun_info(last_automated_run_info=None) is None  # the raw Assets trigger the daily run
    window = (dt.datetime(2026, 10, 30, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
    days = [info.logical_date for info in dag.iter_dagrun_infos_between(*window)]
    assert [day.date() for day in days] == [dt.date(2026, 10, 30), dt.date(2026, 10, 31), dt.date(2026, 11, 1)]
    assert all(day.hour == 0 and day.utcoffset() == dt.timedelta(0) for day in days)  # the ingest's logical dates


def test_one_build_at_a_time_holds_the_lease_from_dbt_to_publishing(dagbag):
    dag = dagbag.dags["sme_credit_build"]
    claim, release = dag.get_task("claim_build"), dag.get_task("release_build")
    assert claim.is_setup and release.is_teardown and claim.mode == "reschedule"  # waiting holds no slot
    held = claim.get_flat_relative_ids(upstream=False) & release.get_flat_relative_ids(upstream=True)
    # every dbt task, the models' sensors too: a run with nothing to build (its lease skipped) skips them
    builds = {t.task_id for t in dag.tasks if t.task_id.startswith(f"{dbt_runner.BUILD_GROUP}.")}
    assert builds | {"validate_staging", "validate_marts", "publish_marts", "publish_candidates"} <= held


def test_dbt_runs_one_build_and_a_sensor_per_model_after_it(dagbag):
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    from sme_credit.transform.cosmos_watcher import ModelResultSensor, QuietDbtProducerWatcherOperator, SeedResultSensor

    dag = dagbag.dags["sme_credit_build"]
    tasks = [t for t in dag.tasks if t.task_id.startswith(f"{dbt_runner.BUILD_GROUP}.")]
    producer = dag.get_task(f"{dbt_runner.BUILD_GROUP}.{PRODUCER_WATCHER_TASK_ID}")
    sensors = [t for t in tasks if hasattr(t, "model_unique_id") and t is not producer]
    # one sensor per model of every layer: each model's state shows in the UI
    assert {"stg_settlement__transactions", "customer_features", "precredit_candidates"} <= {
        t.model_unique_id.split(".")[-1] for t in sensors
    }
    # the tests run inside the one build (no second dbt process)
    flags = producer.dbt_cmd_flags
    types = {flags[i + 1] for i, flag in enumerate(flags) if flag == "--resource-type"}
    assert {"model", "seed", "test", "unit_test"} <= types, flags
    assert not [t for t in tasks if t.task_id.endswith("_test")]
    assert isinstance(producer, QuietDbtProducerWatcherOperator)
    for sensor in sensors:  # started after the build, they find their model's result at once, in one XCom
        assert producer.task_id in sensor.upstream_task_ids, sensor.task_id
        assert not sensor.deferrable, sensor.task_id
        assert isinstance(sensor, (ModelResultSensor, SeedResultSensor)), sensor.task_id
        # under the scheduler in the triggerer, not on a worker; and only the lease's release waits for them
        assert sensor.start_from_trigger and sensor.start_trigger_args.trigger_cls.endswith(".NodeResultTrigger")
        assert sensor.get_flat_relative_ids() <= {t.task_id for t in tasks} | {"release_build"}, sensor.task_id


def test_the_producer_stores_only_what_model_sensors_read():
    from sme_credit.transform.cosmos_watcher import is_stored

    def event(name, resource_type=None):
        data = {"node_info": {"resource_type": resource_type, "unique_id": "x"}} if resource_type else {}
        return {"info": {"name": name}, "data": data}

    assert is_stored(event("NodeFinished", "model"))
    assert is_stored(event("RunResultError", "model"))
    assert is_stored(event("MainReportVersion"))
    assert not is_stored(event("NodeStart", "model"))
    assert not is_stored(event("NodeExecuting", "seed"))
    assert not is_stored(event("NodeFinished", "test"))
    assert not is_stored(event("RunResultError", "unit_test"))
    # a model's final status once (NodeFinished), not again with its result line; a skip after a failure
    assert not is_stored(event("LogModelResult", "model"))
    assert is_stored(event("SkippingDetails", "model"))


def test_the_producer_converts_debug_events_only_when_cosmos_acts_on_them(dagbag):
    """dbt's debug events (each SQL statement, each connection) never reach Cosmos's JSON conversion; a node's
    final event and every INFO event do."""
    from dbt.adapters.events.types import SQLQuery
    from dbt.events.types import MainReportVersion, NodeFinished, NodeStart
    from dbt_common.events.base_types import msg_from_base_event

    producer = _producer(dagbag)
    seen = []
    producer._dbt_runner_callbacks = [*(producer._dbt_runner_callbacks or []), lambda event: seen.append(event)]
    callback = producer._dbt_runner_callbacks[-1]
    producer._dbt_runner_callbacks = list(producer._dbt_runner_callbacks)  # set again: wrapped once, not twice
    assert producer._dbt_runner_callbacks[-1] is callback
    for event in (
        SQLQuery(conn_name="model.x", sql="select 1", node_info={}),
        NodeStart(node_info={}),
        NodeFinished(node_info={}, run_result={}),
        MainReportVersion(version="1.11", log_version=3),
    ):
        callback(msg_from_base_event(event))
    assert [event.info.name for event in seen] == ["NodeFinished", "MainReportVersion"]


def test_the_one_xcom_keeps_the_compiled_sql_of_failed_nodes_only():
    """A successful node's sensor shows no SQL under the scheduler (it ends in the triggerer), so its SQL would
    only be read and parsed again by every sensor; a failed or skipped node's SQL is what someone opens."""
    from cosmos.operators._watcher.state import get_compiled_sql_xcom_key, get_status_xcom_key

    from sme_credit.transform.cosmos_watcher import without_sql_of_successes

    ok, failed, skipped = (f"model.sme_credit.{name}" for name in ("ok", "failed", "skipped"))
    results = {"dbt_startup_events": [{"msg": "Running with dbt"}]}
    for node, status in ((ok, "success"), (failed, "error"), (skipped, "skipped")):
        results[get_status_xcom_key(node)] = {"status": status, "outlet_uris": []}
        results[get_compiled_sql_xcom_key(node)] = f"select '{status}'"
    results[get_compiled_sql_xcom_key("model.sme_credit.no_status")] = "select 'still running'"

    kept = without_sql_of_successes(results)
    assert set(results) - set(kept) == {get_compiled_sql_xcom_key(ok)}
    assert kept[get_compiled_sql_xcom_key(failed)] == "select 'error'"


def test_the_producer_skips_openlineage_parsing_without_the_provider(dagbag, tmp_path):
    """Cosmos parses dbt's artifacts into OpenLineage events that only the OpenLineage provider reads."""
    import importlib.util

    assert importlib.util.find_spec("airflow.providers.openlineage") is None  # not in the lock: nothing reads them
    producer = _producer(dagbag)
    # no artifacts in tmp_path: Cosmos's parser would have been tried (and returned True) had it run
    assert producer.calculate_openlineage_events_completes({}, tmp_path, ["build"]) is False


def test_the_producer_freezes_the_heap_only_while_dbt_runs(dagbag, monkeypatch):
    """Cosmos's collection after the build scans only what the build made; a failed build unfreezes the heap too,
    unless it was frozen before (not the producer's to undo)."""
    import gc

    from cosmos.operators.watcher import DbtProducerWatcherOperator

    producer = _producer(dagbag)
    frozen_while_running = []

    def failing_build(self, command, env, cwd, **kwargs):
        frozen_while_running.append(gc.get_freeze_count())
        raise RuntimeError("dbt build failed")

    monkeypatch.setattr(DbtProducerWatcherOperator, "run_dbt_runner", failing_build)
    with pytest.raises(RuntimeError, match="dbt build failed"):
        producer.run_dbt_runner(["dbt", "build"], {}, ".")
    assert frozen_while_running[0] > 0
    assert gc.get_freeze_count() == 0

    # a heap its process was forked with frozen (a LocalExecutor worker's) stays frozen
    gc.freeze()
    try:
        with pytest.raises(RuntimeError, match="dbt build failed"):
            producer.run_dbt_runner(["dbt", "build"], {}, ".")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


class _PushesAndPulls:
    """The task instance's XCom calls, counted (what would be metadata round trips)."""

    def __init__(self, values=None):
        self.values, self.pushes, self.pulls = dict(values or {}), [], []

    def xcom_push(self, key, value):
        self.pushes.append(key)
        self.values[key] = value

    def xcom_pull(self, task_ids=None, key="return_value", **_):
        self.pulls.append(key)
        return self.values.get(key)


def test_the_build_keeps_node_results_in_memory_and_sensors_read_them_from_one_xcom(dagbag, tmp_path):
    """Cosmos's parser runs on dbt's real events as before, but nothing reaches the metadata database while dbt
    runs; a sensor answers Cosmos's pulls of its model's keys from the one XCom, and any other key from Airflow."""
    from cosmos.operators._watcher.state import get_compiled_sql_xcom_key, get_status_xcom_key
    from dbt.events.types import LogModelResult, MainReportVersion, NodeFinished
    from dbt_common.events.base_types import msg_from_base_event
    from google.protobuf.json_format import MessageToJson

    from sme_credit.transform.cosmos_watcher import NODE_RESULTS_KEY, _ResultsReader

    producer = _producer(dagbag)
    ti = _PushesAndPulls()
    keep = producer._make_parse_callable()
    model = "model.sme_credit.customer_features"
    node = {"unique_id": model, "resource_type": "model", "node_status": "success", "node_path": "marts/x.sql"}
    test_node = {**node, "unique_id": "test.sme_credit.t", "resource_type": "test", "node_status": "fail"}
    for event in (
        MainReportVersion(version="1.11", log_version=3),
        NodeFinished(node_info=node, run_result={"status": "success"}),
        LogModelResult(node_info=node, status="success", index=1, total=1),
        NodeFinished(node_info=test_node, run_result={"status": "fail"}),
    ):
        line = MessageToJson(msg_from_base_event(event), preserving_proto_field_name=True)
        keep(line, {"project_dir": str(tmp_path), "context": {"ti": ti}})
    assert ti.pushes == [] and ti.pulls == []
    results = producer._node_results.values
    assert results[get_status_xcom_key(model)]["status"] == "success"
    assert not [key for key in results if "sme_credit__t_" in key]  # a test's result reaches no sensor

    # the sensor: one pull of the results, then Cosmos's keys from them
    airflow_ti = _PushesAndPulls({NODE_RESULTS_KEY: results, "producer_cmd_flags": ["--full-refresh"]})
    reader = _ResultsReader(airflow_ti, producer.task_id, airflow_ti.xcom_pull(key=NODE_RESULTS_KEY), model)
    assert reader.xcom_pull(producer.task_id, key=get_status_xcom_key(model))["status"] == "success"
    # its SQL is not kept (it succeeded), and nothing else holds it: the answer is no SQL, without a round trip
    assert reader.xcom_pull(producer.task_id, key=get_compiled_sql_xcom_key(model)) is None
    assert airflow_ti.pulls == [NODE_RESULTS_KEY]
    assert reader.xcom_pull(producer.task_id, key="producer_cmd_flags") == ["--full-refresh"]
    assert reader.xcom_pull("another_task", key=get_status_xcom_key(model)) is None
    assert airflow_ti.pulls == [NODE_RESULTS_KEY, "producer_cmd_flags", get_status_xcom_key(model)]


class _RecordsMessages:
    """The Task SDK's channel to its supervisor (the API calls a task makes besides XCom), recorded."""

    def __init__(self, producer_state: str):
        self.producer_state, self.sent = producer_state, []

    def send(self, msg):
        from airflow.sdk.execution_time.comms import TaskStatesResult

        self.sent.append(type(msg).__name__)
        return TaskStatesResult(task_states={"r": {msg.task_ids[0]: self.producer_state}})


@pytest.mark.parametrize(("reported", "try_number", "asks"), [(True, 1, False), (False, 1, True), (True, 2, True)])
def test_a_sensor_asks_for_the_producers_state_only_when_cosmos_reads_it(dagbag, reported, try_number, asks):
    """Cosmos's poke reads the producer's state on a retry, or while its node has no status (it then waits or falls
    back); the first try of a reported node reads only the one XCom."""
    from airflow.sdk.execution_time.supervisor import set_supervisor_comms
    from cosmos.operators._watcher.state import get_status_xcom_key

    from sme_credit.transform.cosmos_watcher import NODE_RESULTS_KEY

    sensor = _model_sensor(dagbag)
    sensor.poke_retry_number = 0
    results = {get_status_xcom_key(sensor.model_unique_id): {"status": "success"}} if reported else {}
    ti = _PushesAndPulls({NODE_RESULTS_KEY: results})
    ti.try_number, ti.dag_id = try_number, "sme_credit_build"
    comms = _RecordsMessages(producer_state="running")  # a retry while the producer runs: Cosmos keeps polling
    with set_supervisor_comms(comms):
        assert sensor.poke({"ti": ti, "run_id": "r"}) is reported
    assert ("GetTaskStates" in comms.sent) is asks
    assert ti.pulls[0] == NODE_RESULTS_KEY


def test_a_sensor_renders_fields_only_to_show_a_failure_or_to_run_its_node(dagbag, monkeypatch):
    """Airflow renders and stores a task's template fields before it runs: a sensor has none then, so it makes no
    call for them. A failed node's SQL is stored when Cosmos finds it; a dbt run of the node, when Cosmos falls back
    to one, gets the as-of date rendered into its vars."""
    from airflow.sdk.execution_time.task_runner import _serialize_rendered_fields

    sensor = _model_sensor(dagbag)
    assert _serialize_rendered_fields(sensor) == {}  # Airflow then sends nothing (its "do not call the API")

    sensor.compiled_sql = "select 1 / 0"
    sensor._override_rtif({})
    assert sensor.overwrite_rtif_after_execution  # Airflow stores the rendered fields again as the task ends
    assert _serialize_rendered_fields(sensor)["compiled_sql"] == "select 1 / 0"

    ran = []
    monkeypatch.setattr(sensor, "build_and_run_cmd", lambda context, cmd_flags: ran.append((sensor.vars, cmd_flags)))
    ti = _PushesAndPulls({"return_value": "2026-11-03"})  # resolve_as_of_date's XCom
    assert sensor._fallback_to_non_watcher_run(1, {"ti": ti})
    ((vars_, flags),) = ran
    assert vars_ == {"as_of_date": "2026-11-03"}
    assert sensor.env is None and sensor.full_refresh is False  # the fields with no template are left as they were
    assert flags[-2:] == ["--select", sensor.model_unique_id.split(".")[-1]]
    assert sensor.compiled_sql == "select 1 / 0"


# What a DAG file must not pull in while the scheduler parses it: the loader's Arrow and database driver, Great
# Expectations, pandas, and the packages that are not the pipeline (the sample world, the developer's tooling).
HEAVY_OR_FOREIGN = ("pyarrow", "psycopg2", "great_expectations", "pandas", "sme_credit_sample", "sme_credit_dev")


@pytest.mark.parametrize("dag_file", sorted(p.name for p in settings.DAGS_DIR.glob("*.py")))
def test_parsing_a_dag_imports_nothing_heavy_nor_the_dev_and_sample_packages(dag_file):
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dag', {str(settings.DAGS_DIR / dag_file)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        f"print(sorted(m for m in {HEAVY_OR_FOREIGN!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout


@pytest.mark.parametrize(
    ("node_status", "ends_as"),
    [("success", "TaskSuccessEvent"), ("skipped", "TaskSkippedEvent"), ("error", "TriggerEvent")],
)
def test_a_sensor_ends_in_the_triggerer_unless_its_model_failed(node_status, ends_as):
    """Under the scheduler a model's sensor is a NodeResultTrigger: it reads its node's result from the producer's
    one XCom and ends the task there on success or skip; a failure resumes the task on a worker, where Cosmos's
    `execute_complete` reports it."""
    import asyncio
    import types

    from cosmos.constants import _DBT_STARTUP_EVENTS_XCOM_KEY
    from cosmos.operators._watcher.state import get_compiled_sql_xcom_key, get_dbt_event_xcom_key, get_status_xcom_key

    from sme_credit.transform.cosmos_watcher import NodeResultTrigger

    model = "model.sme_credit.customer_features"
    trigger = NodeResultTrigger(model_unique_id=model, producer_task_id="dbt.p", dag_id="d", run_id="", map_index=None)
    # what a trigger started in the triggerer has: its task instance; and the producer's one XCom, already read
    trigger.task_instance = types.SimpleNamespace(
        dag_id="d", task_id="dbt.m", run_id="scheduled__1", map_index=-1, try_number=1
    )
    trigger._results = {
        get_status_xcom_key(model): {"status": node_status, "outlet_uris": []},
        get_compiled_sql_xcom_key(model): "select 1",
        get_dbt_event_xcom_key(model): None,
        _DBT_STARTUP_EVENTS_XCOM_KEY: [],
    }

    async def producer_state():
        return "success" if node_status != "error" else "failed"

    trigger._get_producer_task_status = producer_state

    async def events():
        return [event async for event in trigger.run()]

    (event,) = asyncio.run(events())
    assert type(event).__name__ == ends_as and trigger.run_id == "scheduled__1"
    if ends_as == "TriggerEvent":
        assert event.payload["status"] == "failed"
    assert NodeResultTrigger(**trigger.serialize()[1]).serialize() == trigger.serialize()
    assert trigger.serialize()[0] == "sme_credit.transform.cosmos_watcher.NodeResultTrigger"

"""Cosmos's watcher producer and model sensors, exchanging a build's results in one XCom instead of three per node.

In watcher mode Cosmos runs one `dbt build` per task group with a callback on every dbt event, and each model's
sensor reads that model's result from the producer's XComs. Here the sensors start once the build has ended
(`dbt_runner.wire_watchers`), so nothing reads a result while dbt runs, and these costs of Cosmos's way are
pure overhead:
- Cosmos turns every event into JSON (protobuf's MessageToJson) before looking at it, including the debug
  events (each SQL statement, each connection: 4,120 of the demo build's 4,795) that nobody logs at INFO and no
  sensor reads. Here a debug event is dropped before that conversion unless Cosmos acts on its name.
- Cosmos stores three XComs per node as dbt reports it (its final event, its status, its compiled SQL), each a
  metadata round trip made on the dbt thread that fired the event, so dbt waits on the metadata database
  (demo world: 2.8 s of the dbt threads' time, 1.4 s of the build's). Here Cosmos's own parser runs on every
  event as before, but what it would store is kept in memory and stored once, as one XCom, when dbt ends
  (also when it fails).
- Each sensor then pulls five XComs; here it pulls the one, and Cosmos's own `poke` reads its node's entries
  from it (a sensor whose producer stored nothing, e.g. killed, falls back to Cosmos's keys).
- That XCom keeps a node's compiled SQL only when the node did not succeed: the SQL was 90 % of it (106 of the
  demo build's 118 KB), read and parsed again by each of the 41 sensors, and under the scheduler a successful
  node's sensor never shows it anyway (it ends in the triggerer). A failed node's sensor still shows the SQL
  that failed, and dbt's docs page (Browse menu) has every model's.
- Airflow renders and stores a task's template fields before it runs, and Cosmos's poke asks for the producer's
  state: for a sensor, a metadata write and two round trips (`vars` pulls the as-of date), of six, that a first
  try of a reported node never uses. A sensor renders none up front (a failed node's SQL is stored when Cosmos
  finds it, a fallback dbt run of the node renders its own fields first) and asks for the producer's state only
  when Cosmos reads it: the demo build's 41 sensors went from 4.6-5.9 s to 3.3-3.7 s under `airflow dags test`.
- Cosmos then hands dbt's artifacts to OpenLineage's parser, whose events only the OpenLineage provider reads;
  without that provider installed the parse (0.4 s a build) is skipped.
- Cosmos ends with `gc.collect()`, which scanned every object of Airflow and dbt (0.5 s); the heap is frozen while
  dbt runs, so the collection scans only what the build made.
Every status, message, skip and failure rule stays Cosmos's. The classes are swapped in by
`dbt_runner.wire_watchers`, since Cosmos picks its operators by name; Cosmos 1.15 is pinned in the lock; the
DAG integrity tests check the wiring and the events converted, and every end-to-end run goes through it.
"""

from __future__ import annotations

import datetime as dt
import json

from airflow.triggers.base import TaskSkippedEvent, TaskSuccessEvent
from cosmos.listeners.dag_run_listener import EventStatus
from cosmos.operators._watcher.base import _DBT_EVENT_ALLOWLIST, BaseConsumerSensor, _log_dbt_msg
from cosmos.operators._watcher.state import (
    DBT_UPSTREAM_FAILURE_SKIP_EVENT_NAMES,
    _log_dbt_event,
    get_compiled_sql_xcom_key,
    get_dbt_event_xcom_key,
    get_status_xcom_key,
    is_dbt_node_status_success,
    safe_xcom_push,
)
from cosmos.operators._watcher.triggerer import WatcherTrigger
from cosmos.operators.watcher import (
    DbtProducerWatcherOperator,
    DbtRunWatcherOperator,
    DbtSeedWatcherOperator,
)

# the one XCom of the producer that holds every node's result, under the keys Cosmos would have stored them
NODE_RESULTS_KEY = "dbt_node_results"
# dbt events that only say a node is under way: a sensor that starts after the build never reads them
PROGRESS_EVENTS = frozenset({"NodeStart", "NodeCompiling", "NodeExecuting"})
TEST_TYPES = frozenset({"test", "unit_test"})
# debug-level events Cosmos acts on (a node's final status, errors); every other debug event is only ever
# logged at DEBUG, below the task log's level
ACTED_ON_DEBUG_EVENTS = _DBT_EVENT_ALLOWLIST - PROGRESS_EVENTS
# a node's events that reach its sensor: its final one, its errors, its skip because a parent failed
STORED_NODE_EVENTS = ACTED_ON_DEBUG_EVENTS | DBT_UPSTREAM_FAILURE_SKIP_EVENT_NAMES


def is_converted(level: str, name: str) -> bool:
    """Whether a dbt event (its level and name) reaches Cosmos's callback, which converts it to JSON."""
    return level != "debug" or name in ACTED_ON_DEBUG_EVENTS


def is_stored(event: dict) -> bool:
    """Whether Cosmos should keep this dbt event for the sensors (else it is only logged): a test's result
    reaches no sensor (a failing test fails the build), and a model's progress is over when its sensor looks."""
    node = (event.get("data") or {}).get("node_info") or {}
    name = (event.get("info") or {}).get("name")
    return not node or (node.get("resource_type") not in TEST_TYPES and name in STORED_NODE_EVENTS)


def without_sql_of_successes(results: dict) -> dict:
    """The node results a sensor needs: the compiled SQL only of the nodes that did not succeed."""
    suffix = get_compiled_sql_xcom_key("")
    kept = {}
    for key, value in results.items():
        if key.endswith(suffix):
            status = results.get(get_status_xcom_key(key[: -len(suffix)]))
            if isinstance(status, dict) and is_dbt_node_status_success(status.get("status")):
                continue
        kept[key] = value
    return kept


def _openlineage_provider_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("airflow.providers.openlineage") is not None


def _converted_events_only(callback):
    def callback_on_needed_events(event) -> None:
        if is_converted(event.info.level, event.info.name):
            callback(event)

    callback_on_needed_events.converted_events_only = True  # type: ignore[attr-defined]
    return callback_on_needed_events


class NodeResults:
    """Stands in for the task instance in Cosmos's event parser: keeps what it would store as XComs."""

    def __init__(self) -> None:
        self.values: dict = {}

    def xcom_push(self, key: str, value) -> None:
        self.values[key] = value

    def xcom_pull(self, task_ids=None, key: str | None = None, **_):
        return self.values.get(key)


class QuietDbtProducerWatcherOperator(DbtProducerWatcherOperator):
    # Cosmos's run_dbt_runner appends its JSON-converting callback to this list and hands the list to dbt, with
    # no hook in between: the property wraps each callback as it is set. (The instance's own attribute, set
    # before the class was swapped in, stays where it is; a data descriptor is read first.)
    @property
    def _dbt_runner_callbacks(self):
        return self.__dict__.get("_dbt_runner_callbacks")

    @_dbt_runner_callbacks.setter
    def _dbt_runner_callbacks(self, callbacks) -> None:
        if callbacks:
            callbacks = [
                c if getattr(c, "converted_events_only", False) else _converted_events_only(c) for c in callbacks
            ]
        self.__dict__["_dbt_runner_callbacks"] = callbacks

    def _make_parse_callable(self):
        store = super()._make_parse_callable()
        results = self._node_results = NodeResults()  # type: NodeResults | None

        def keep_model_results(line: str, extra_kwargs) -> None:
            context = (extra_kwargs or {}).get("context")
            try:
                event = json.loads(line)
            except ValueError:
                return store(line, extra_kwargs)
            if context is None or not is_stored(event):
                _log_dbt_msg(event)
            else:
                store(line, {**extra_kwargs, "context": {**context, "ti": results}})

        return keep_model_results

    def run_dbt_runner(self, command, env, cwd, **kwargs):
        import gc

        from dbt.cli.main import dbtRunner  # noqa: F401 - imported before the freeze, so frozen with the rest

        self._node_results = None
        # a LocalExecutor worker forks with its parent's heap frozen (copy-on-write): that freeze is not ours to undo
        frozen_before = gc.get_freeze_count() > 0
        gc.freeze()  # what exists now lives as long as the task: no collection, Cosmos's final one included, rescans it
        try:
            return super().run_dbt_runner(command, env, cwd, **kwargs)
        finally:  # also after a failed build: its sensors report each model's own state
            if not frozen_before:
                gc.unfreeze()
            context = kwargs.get("context")
            if context is not None and self._node_results is not None:
                results = without_sql_of_successes(self._node_results.values)
                safe_xcom_push(task_instance=context["ti"], key=NODE_RESULTS_KEY, value=results)

    def calculate_openlineage_events_completes(self, env, project_dir, dbt_command_line=None) -> bool:
        if not _openlineage_provider_installed():  # nothing would read the events
            return False
        return super().calculate_openlineage_events_completes(env, project_dir, dbt_command_line)


def answers(results: dict, key: str | None, unique_id: str) -> bool:
    """Whether the one XCom answers a sensor's pull of `key`: the keys it holds, and its node's own keys even when
    missing. The producer stores every node's entries there and nowhere else, so a node's key missing from it (a
    successful node's SQL, a node dbt never reached) has nothing behind it in Airflow either."""
    node_keys = (get_status_xcom_key, get_compiled_sql_xcom_key, get_dbt_event_xcom_key)
    return key in results or (bool(unique_id) and key in {node_key(unique_id) for node_key in node_keys})


class _ResultsReader:
    """The sensor's task instance, answering its pulls of the producer's node XComs from the one XCom."""

    def __init__(self, ti, producer_task_id: str, values: dict, unique_id: str = "") -> None:
        self._ti, self._producer_task_id, self._values, self._unique_id = ti, producer_task_id, values, unique_id

    def xcom_pull(self, task_ids=None, key: str | None = None, **kwargs):
        if task_ids == self._producer_task_id and answers(self._values, key, self._unique_id):
            return self._values.get(key)
        return self._ti.xcom_pull(task_ids, key=key, **kwargs)

    def holds_node_status(self) -> bool:
        return get_status_xcom_key(self._unique_id) in self._values

    def __getattr__(self, name: str):
        return getattr(self._ti, name)


# what a result sensor shows in the UI's rendered fields: its node, and a failed node's compiled SQL
SHOWN_FIELDS = BaseConsumerSensor.template_fields


class _ReadsNodeResults:
    """Mixed into Cosmos's sensors (below), which give `producer_task_id` and `poke`."""

    producer_task_id: str
    model_unique_id: str
    # No template field is rendered before a sensor runs (the docstring above says why): a failed node's SQL is stored
    # when Cosmos finds it (`_override_rtif`), the fields of a dbt run of the node when Cosmos falls back to one.
    template_fields: tuple[str, ...] = ()
    run_template_fields: tuple[str, ...]

    def poke(self, context) -> bool:
        values = context["ti"].xcom_pull(task_ids=self.producer_task_id, key=NODE_RESULTS_KEY)
        if values is None:  # the producer stored nothing (killed, or an older producer): Cosmos's own keys
            return super().poke(context)  # type: ignore[misc]
        reader = _ResultsReader(context["ti"], self.producer_task_id, values, self.model_unique_id)
        return super().poke({**context, "ti": reader})  # type: ignore[misc]

    def _get_producer_task_status(self, context) -> str | None:
        ti = context["ti"]
        # Cosmos's poke reads the producer's state only on a retry or while the node has no status: a round trip
        # per sensor that the first try of a reported node never uses
        if isinstance(ti, _ResultsReader) and ti.try_number == 1 and ti.holds_node_status():
            return None
        return super()._get_producer_task_status(context)  # type: ignore[misc]

    def _override_rtif(self, context) -> None:
        self.template_fields = SHOWN_FIELDS  # stored once the task ends (Cosmos sets overwrite_rtif_after_execution)
        super()._override_rtif(context)  # type: ignore[misc]

    def _fallback_to_non_watcher_run(self, try_number: int, context) -> bool:
        for field in dict.fromkeys(self.run_template_fields):
            if field not in SHOWN_FIELDS:  # a failed node's SQL is no template
                setattr(self, field, self.render_template(getattr(self, field), context))  # type: ignore[attr-defined]
        return super()._fallback_to_non_watcher_run(try_number, context)  # type: ignore[misc]


class ModelResultSensor(_ReadsNodeResults, DbtRunWatcherOperator):
    """A model's state in the UI, from the producer's one XCom of results."""

    run_template_fields = DbtRunWatcherOperator.template_fields


class SeedResultSensor(_ReadsNodeResults, DbtSeedWatcherOperator):
    """A seed's state in the UI, from the producer's one XCom of results."""

    run_template_fields = DbtSeedWatcherOperator.template_fields


# Cosmos's sensor class -> the one that reads the one XCom
RESULT_SENSORS = {DbtRunWatcherOperator: ModelResultSensor, DbtSeedWatcherOperator: SeedResultSensor}


class NodeResultTrigger(WatcherTrigger):
    """A model's sensor under the scheduler: started in the triggerer (`start_from_trigger`), it reads its node's
    result from the one XCom and ends the task there when the node succeeded or was skipped.

    A sensor run by a worker costs a task process (the Task SDK's start, the DAG file parsed again, about 2 s of
    CPU) for a few milliseconds of reading: on 2 cores, a tiny build's 41 sensors took 43 s of its run under the
    scheduler, 2.6 times its `dbt build`. Here they are coroutines of the triggerer. Cosmos's own trigger
    decides every state, as its sensors would; only a failure (the node's, or the producer's) resumes the task on
    a worker, in Cosmos's `execute_complete`, which reports it (or, when the producer was skipped, runs the node).
    `airflow dags test` ignores `start_from_trigger` and runs the sensor's `poke` as before."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._results: dict | None = None

    def serialize(self) -> tuple[str, dict]:
        return f"{__name__}.{type(self).__name__}", super().serialize()[1]

    async def get_xcom_val(self, key: str):
        if self._results is None:  # the producer's one XCom, read again while missing (killed: Cosmos's keys)
            self._results = await super().get_xcom_val(NODE_RESULTS_KEY)
        if self._results is not None and answers(self._results, key, self.model_unique_id):
            return self._results.get(key)
        return await super().get_xcom_val(key)

    async def run(self):
        # the run and map index are the task instance's: a trigger started from the triggerer has no other source
        self.run_id, self.map_index = self.task_instance.run_id, self.task_instance.map_index
        async for event in super().run():
            status = event.payload.get("status")
            if status in (EventStatus.SUCCESS, EventStatus.SKIPPED):  # the node's line of dbt's log, as Cosmos's
                _log_dbt_event(await self.get_xcom_val(get_dbt_event_xcom_key(self.model_unique_id)))
            if status == EventStatus.SUCCESS:
                yield TaskSuccessEvent()
            elif status == EventStatus.SKIPPED:
                yield TaskSkippedEvent()
            else:
                yield event


def start_in_triggerer(sensor) -> None:
    """Have the scheduler hand a result sensor straight to the triggerer (NodeResultTrigger), not to a worker."""
    from airflow.triggers.base import StartTriggerArgs

    sensor.start_from_trigger = True
    sensor.start_trigger_args = StartTriggerArgs(
        trigger_cls=f"{__name__}.{NodeResultTrigger.__name__}",
        trigger_kwargs={
            "model_unique_id": sensor.model_unique_id,
            "producer_task_id": sensor.producer_task_id,
            "dag_id": sensor.dag_id,
            "run_id": "",  # set from the task instance when it runs
            "map_index": None,
            "poke_interval": sensor.poke_interval,
            "is_test_sensor": False,
        },
        next_method="execute_complete",
        next_kwargs=None,
        timeout=dt.timedelta(seconds=sensor.timeout) if sensor.timeout else None,
    )

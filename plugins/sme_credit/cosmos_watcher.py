"""Cosmos's watcher producer, doing per dbt event only the work the model sensors need.

In watcher mode Cosmos runs one `dbt build` per task group with a callback on every dbt event. Three costs made
the producer slower than the same build alone:
- Cosmos stores several XComs per dbt node while dbt waits: each progress event, each test's status and
  compiled SQL, one metadata round trip each. With ~200 tests that cost more than the build's SQL (demo world:
  33 s of producer run against 12 s for the same build alone). Here a model's progress events and every test's
  events are only logged; a model's final event, status and compiled SQL still reach its sensor, and a failing
  test still fails the build (and skips the models after it).
- Of a model's events, Cosmos stores each one that carries a final status: NodeFinished and then the result
  line (LogModelResult, LogSeedResult), each with the status and the compiled SQL again: three metadata
  writes each. Here only NodeFinished (which has the status, timing and error message), the error events and
  the skip-after-failure events are stored.
- Cosmos turns every event into JSON (protobuf's MessageToJson) before looking at it, including the debug
  events (each SQL statement, each connection: 4,120 of the demo build's 4,795) that nobody logs at INFO and no
  sensor reads. Here a debug event is dropped before that conversion unless Cosmos acts on its name.
Together these took the demo build's run inside the producer from 13.3 s to 11.2 s (9.0 s alone), and the
producer task from 20.1 s to 16.6 s (`make bench-orchestration`).
It overrides Cosmos 1.15 (pinned in the lock) in two places; the DAG integrity tests check that the DAG uses it
and which events it converts and stores, and every end-to-end run goes through it.
"""

from __future__ import annotations

import json

from cosmos.operators._watcher.base import _DBT_EVENT_ALLOWLIST, _log_dbt_msg
from cosmos.operators._watcher.state import DBT_UPSTREAM_FAILURE_SKIP_EVENT_NAMES
from cosmos.operators.watcher import DbtProducerWatcherOperator

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
    """Whether Cosmos should store this dbt event for the sensors (else it is only logged)."""
    node = (event.get("data") or {}).get("node_info") or {}
    name = (event.get("info") or {}).get("name")
    return not node or (node.get("resource_type") not in TEST_TYPES and name in STORED_NODE_EVENTS)


def _converted_events_only(callback):
    def callback_on_needed_events(event) -> None:
        if is_converted(event.info.level, event.info.name):
            callback(event)

    callback_on_needed_events.converted_events_only = True
    return callback_on_needed_events


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

        def store_model_results(line: str, extra_kwargs) -> None:
            try:
                event = json.loads(line)
            except ValueError:
                return store(line, extra_kwargs)
            if is_stored(event):
                store(line, extra_kwargs)
            else:
                _log_dbt_msg(event)

        return store_model_results

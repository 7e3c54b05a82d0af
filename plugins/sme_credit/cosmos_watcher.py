"""Cosmos's watcher producer, storing in XCom only what the model sensors read.

In watcher mode Cosmos runs one `dbt build` per task group and stores several XComs per dbt node while dbt
waits: each progress event, each test's status and compiled SQL, one metadata round trip each. With ~200 tests
that cost more than the build's SQL (demo world: 33 s of producer run against 12 s for the same build alone).
Here a model's progress events and every test's events are only logged; a model's final event, status and
compiled SQL still reach its sensor, and a failing test still fails the build (and skips the models after it).
It overrides one method of Cosmos 1.15 (pinned in the lock); the DAG integrity tests check that the DAG uses it
and which events it stores, and every end-to-end run goes through it.
"""

from __future__ import annotations

import json

from cosmos.operators._watcher.base import _log_dbt_msg
from cosmos.operators.watcher import DbtProducerWatcherOperator

# dbt events that only say a node is under way: a sensor that starts after the build never reads them
PROGRESS_EVENTS = frozenset({"NodeStart", "NodeCompiling", "NodeExecuting"})
TEST_TYPES = frozenset({"test", "unit_test"})


def is_stored(event: dict) -> bool:
    """Whether Cosmos should store this dbt event for the sensors (else it is only logged)."""
    node = (event.get("data") or {}).get("node_info") or {}
    name = (event.get("info") or {}).get("name")
    return not node or (node.get("resource_type") not in TEST_TYPES and name not in PROGRESS_EVENTS)


class QuietDbtProducerWatcherOperator(DbtProducerWatcherOperator):
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

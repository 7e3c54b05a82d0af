"""Timetables of this project's DAGs (registered with Airflow by airflow_plugin, so the scheduler can read them
back from the serialized DAGs)."""

from __future__ import annotations

from airflow.timetables.base import DagRunInfo, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable


class BackfillOnlyDaily(CronTriggerTimetable):
    """One run per day (00:00 UTC, the ingest DAG's logical dates) inside a window a backfill names, and none
    on its own: the build's daily runs come from the raw Assets. Being periodic is what lets `airflow backfill`
    create a run per date of the build."""

    def __init__(self, cron: str = "0 0 * * *", *, timezone="UTC", **kwargs) -> None:
        super().__init__(cron, timezone=timezone, **kwargs)

    @property
    def summary(self) -> str:
        return "backfills only (daily)"

    def next_dagrun_info(self, *, last_automated_data_interval, restriction: TimeRestriction) -> DagRunInfo | None:
        # The scheduler asks with the DAG's open-ended restriction (no end date); a backfill with its window.
        if restriction.earliest is None or restriction.latest is None:
            return None
        return super().next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval, restriction=restriction
        )

"""The errors the pipeline raises, in one light module: DAG files and task callbacks catch them without importing
what raises them (pyarrow, psycopg2, Great Expectations, dbt).

Each message is written to lead to the fix: the file, line and column, the table and the check, or the step to
run first.
"""

from __future__ import annotations


class SmeCreditError(RuntimeError):
    """The base of the errors below."""


class WarehouseNotConfigured(SmeCreditError):
    """No usable warehouse: WAREHOUSE_URL is missing, not PostgreSQL, unreachable or too old."""


class Busy(SmeCreditError):
    """Another process holds the lock; the message says which and since when."""


class LoadError(SmeCreditError):
    """Loading cannot go on, or the feed's policy fails the task; the message names files, lines and columns."""


class DataQualityError(SmeCreditError):
    """A validation gate failed; the message names each failing expectation, its table and its first rows."""


class ManifestMissing(SmeCreditError):
    """dbt's manifest, which the build DAG is rendered from, has not been made yet (`sme-credit dbt parse`)."""


class NothingToBuild(SmeCreditError):
    """The raw Asset events behind the run name no date that every raw table passed its gate for in a daily
    ingest run (only an ingest backfill's dates, or a day some feeds have not passed yet)."""


class NothingToPublish(SmeCreditError):
    """The build tables do not hold the requested date: build (and validate) it first."""


class TrainingError(SmeCreditError):
    """A scorecard cannot be trained, promoted or found: too little history or outcomes before the as-of date, a
    model version that does not exist, or one that fails the promotion thresholds (the message says which)."""


class CandidateStatusError(SmeCreditError):
    """A status change the lifecycle refuses (unknown firm or status, a transition not allowed, no actor), or seeds
    that would strand tracked firms; the message lists what is allowed."""

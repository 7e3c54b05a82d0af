"""The statuses a delivered file can have in `audit.load_manifest`, defined once: the loader writes them, the run
summary counts them, and dbt reads which of them are in raw through `audit.is_in_raw(status)`, a SQL function the
loader's DDL makes from `IN_RAW` (so no SQL lists them again)."""

from __future__ import annotations

LOADED = "loaded"  # its rows are in raw
REPLACED = "replaced"  # a corrected re-delivery at the same path; its rows replaced the earlier version's
SUPERSEDED = "superseded"  # replaced by a later version; its rows left raw
DUPLICATE = "duplicate"  # the same bytes as a loaded file of the same table; not loaded again
REJECTED = "rejected"  # nothing loaded: the file as a whole breaks the contract
LOST = "lost"  # its rows were emptied from the unlogged raw table by a server crash; the next load reloads it
UNEXPECTED = "unexpected"  # a name or place no file of the contract has
FUTURE = "future"  # a delivery date after the day it was seen
IGNORED = "ignored"  # a hidden file: in transit, or a system file

ALL = (LOADED, REPLACED, SUPERSEDED, DUPLICATE, REJECTED, LOST, UNEXPECTED, FUTURE, IGNORED)
IN_RAW = (LOADED, REPLACED)  # statuses whose rows are in raw now
# files the survey of the landing area did not let through (see landing_survey); REJECTED may be either
IRREGULAR = (UNEXPECTED, FUTURE, IGNORED)
# rows that do not stand for the file's current content: a lost load, a date that was in the future then
NOT_CURRENT = (LOST, FUTURE)


def sql_list(statuses: tuple[str, ...]) -> str:
    """`('loaded', 'replaced')`: statuses as a SQL list literal."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"

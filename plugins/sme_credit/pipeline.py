"""The steps the DAGs run, one function each, so that DAG files stay a table of contents."""

from __future__ import annotations

import datetime as dt

from sme_credit import ingest, publish, quality, settings, warehouse
from sme_credit.feeds import tables_of


def load_feed(feed: str, up_to: str | None) -> dict:
    day = dt.date.fromisoformat(up_to[:10]) if up_to else dt.date.today()
    return ingest.load_feed(warehouse.engine(), settings.landing_dir(), feed, day).summary()


def validate_raw(feed: str) -> dict:
    relations = [table.qualified_name for table in tables_of(feed)]
    return quality.validate(relations, checkpoint_name=f"raw_{feed}")


def resolve_as_of_date(requested: str | None) -> str:
    """The requested date, else the latest delivery date loaded: the day the outputs describe."""
    if requested:
        return dt.date.fromisoformat(str(requested)[:10]).isoformat()
    latest = ingest.latest_loaded_delivery(warehouse.engine())
    if latest is None:
        raise RuntimeError("nothing has been loaded yet: run the sme_ingest DAG first")
    return latest.isoformat()


def validate_layer(schema: str, as_of_date: str) -> dict:
    return quality.validate(
        quality.relations_with_suites(schema), checkpoint_name=schema,
        as_of_date=dt.date.fromisoformat(as_of_date),
    )


def publish_candidates(as_of_date: str) -> dict:
    return publish.publish_candidates(warehouse.engine(), dt.date.fromisoformat(as_of_date))

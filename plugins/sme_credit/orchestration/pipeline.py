"""The steps the DAGs run, one function each, so that DAG files stay a table of contents.

DAG files import this module while they are parsed, so the loader (pyarrow) and the gates (Great Expectations)
are imported by the steps that use them, in the task's process, not here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sme_credit import settings, warehouse
from sme_credit.contract.feeds import FEEDS, tables_of
from sme_credit.errors import NothingToBuild  # noqa: F401 - raised here, defined with the others
from sme_credit.ingest import landing_survey
from sme_credit.orchestration import alerts, build_lease
from sme_credit.publish import exports, marts, report, tracking
from sme_credit.transform import input_keys


def prepare_warehouse(log=print) -> None:
    """The warehouse's migrations, once, before the loads: the raw and audit tables (rebuilt for a newer layout) and
    the PII key, the tracking schema with the candidate lifecycle, and the reader roles with their grants."""
    from sme_credit import access
    from sme_credit.ingest import loader

    engine = warehouse.engine()
    loader.ensure_schemas(engine, log=log)
    tracking.ensure_tracking_table(engine)
    access.ensure_roles(engine)


def load_feed(feed: str, up_to: str | None) -> dict:
    """Load the feed's new files; what its policy let through with a warning is also sent as an alert."""
    from sme_credit.ingest import loader

    day = dt.date.fromisoformat(up_to[:10]) if up_to else dt.date.today()
    loaded = loader.load_feed(warehouse.engine(), settings.landing_dir(), feed, day).summary()
    alerts.policy_warnings(feed, day.isoformat(), loaded["warnings"])
    return loaded


def validate_raw(feed: str, load_ids: list[int]) -> dict:
    """Gate the rows of the given loads (the load task's batch), not the whole raw table, by the feed's delivery
    checks (the loader has checked every value already; see `raw_suites`)."""
    from sme_credit.quality import gates

    checked = [table for table in tables_of(feed) if table.delivery_checks]
    if not load_ids or not checked:
        why = "no rows were loaded" if not load_ids else "the contract has no delivery checks for its tables"
        print(f"raw_{feed}: {why}, nothing to validate beyond the loader's row checks")
        return {"checkpoint": f"raw_{feed}", "relations": [], "expectations": 0, "failed": 0}
    batch = f"_load_id in ({', '.join(str(int(load_id)) for load_id in load_ids)})"
    targets = [gates.Target(table.qualified_name, where=batch) for table in checked]
    return gates.validate(targets, checkpoint_name=f"raw_{feed}")


def raw_asset_extra(table: str, loaded: dict, backfill: bool = False) -> dict:
    """What a raw Asset's event says once its gate passed: the delivery date the ingest run loaded up to (the
    build's as-of date), the rows that run loaded into the table, and whether the run was part of a backfill."""
    return {
        "delivery_date": loaded["up_to"],
        "rows_loaded": loaded["rows_loaded_by_table"].get(table, 0),
        "backfill": backfill,
    }


@dataclass(frozen=True)
class Deliveries:
    """What the raw Asset events behind an Asset-triggered build say (see raw_asset_extra)."""

    complete: tuple[str, ...] = ()  # daily ingest runs' dates every raw table passed its gate for
    partial: tuple[str, ...] = ()  # daily ingest runs' dates only some raw tables passed their gate for
    backfilled: tuple[str, ...] = ()  # dates an ingest backfill's runs loaded


def deliveries_of(triggering_asset_events) -> Deliveries:
    """The delivery dates the raw Asset events behind a run carry. Events without a date (made by hand) are left
    out; a table whose events all lack one says nothing about dates."""
    dated = [
        extras
        for events in (triggering_asset_events or {}).values()
        if (extras := [x for event in events if "delivery_date" in (x := getattr(event, "extra", None) or {})])
    ]
    daily = [{str(x["delivery_date"])[:10] for x in extras if not x.get("backfill")} for extras in dated]
    complete = set.intersection(*daily) if daily else set()
    return Deliveries(
        complete=tuple(sorted(complete)),
        partial=tuple(sorted(set().union(*daily) - complete)),
        backfilled=tuple(
            sorted({str(x["delivery_date"])[:10] for extras in dated for x in extras if x.get("backfill")})
        ),
    )


def resolve_as_of_date(
    requested: str | None, deliveries: Deliveries = Deliveries(), backfill_date: str | None = None
) -> str:
    """The day the outputs describe: the requested date (`{"as_of_date": ...}`), else the date of a backfill run
    of the build (its logical date), else the delivery date of the daily ingest run whose raw Assets triggered
    the build, else the latest delivery date loaded.

    Runs triggered by the events of several ingest runs (the scheduler gathers the events that came in while the
    previous build ran) build the latest date that every raw table passed its gate for; each date is a slice of
    its own, so an earlier one is rebuilt by hand or by a backfill if wanted, and the run says so. Events of an
    ingest backfill do not build: a backfill of the build over the same dates does, one run per date in date
    order (`sme-credit backfill` runs both). A run with nothing else to build raises NothingToBuild."""
    from sme_credit.ingest import loader

    if requested and backfill_date and str(requested)[:10] != backfill_date:
        raise ValueError(
            f"a backfill run builds its own date ({backfill_date}), not {requested}: leave as_of_date out of the "
            "backfill's run configuration"
        )
    requested = requested or backfill_date
    waiting = []
    if deliveries.partial:
        waiting.append(f"deliveries {', '.join(deliveries.partial)} have passed the raw gates of some tables only")
    if deliveries.backfilled:
        waiting.append(
            f"deliveries {', '.join(deliveries.backfilled)} came from a backfill of sme_ingest, which a backfill of "
            "sme_credit_build builds (`sme-credit backfill` runs both)"
        )
    if not requested and not deliveries.complete and waiting:
        raise NothingToBuild("not building: " + "; ".join(waiting))
    if not requested and deliveries.complete:
        requested = deliveries.complete[-1]
        if len(deliveries.complete) > 1:
            waiting.insert(0, f"deliveries {', '.join(deliveries.complete[:-1])} triggered it too")
        if waiting:
            print(
                f"building {requested}; " + "; ".join(waiting) + '. Trigger sme_credit_build with {"as_of_date": '
                "...} or backfill it for an earlier date"
            )
    if requested:
        day = dt.date.fromisoformat(str(requested)[:10])
        if day > landing_survey.today():
            raise ValueError(f"as-of date {day} is after today ({landing_survey.today()}): nothing can describe it yet")
        return day.isoformat()
    latest = loader.latest_loaded_delivery(warehouse.engine())
    if latest is None:
        raise RuntimeError("nothing has been loaded yet: run the sme_ingest DAG first")
    return latest.isoformat()


def claim_build(dag_id: str, run_id: str, as_of_date: str, is_active) -> str | None:
    """Take the warehouse's build lease for the run; None once taken, else who holds it (see build_lease)."""
    day = dt.date.fromisoformat(as_of_date)
    holder = build_lease.claim(warehouse.engine(), dag_id, run_id, day, is_active)
    return str(holder) if holder else None


def release_build(dag_id: str, run_id: str) -> bool:
    return build_lease.release(warehouse.engine(), dag_id, run_id)


def validate_staging(as_of_date: str) -> dict:
    """The staging tables, and the batch the incremental intermediate models wrote last (highest batch_load_id).

    A table dbt kept for an input key validated before is not validated again (see `input_keys`); once this
    gate passes, every kept table's key counts as validated."""
    from sme_credit.quality import gates

    engine = warehouse.engine()
    keys = input_keys.current(engine, ("staging", "intermediate"))
    validated_before = input_keys.validated(engine, keys)
    for relation, when in sorted(validated_before.items()):
        print(f"{relation}: kept by dbt for an input key validated at {when}; not validated again")
    targets = [
        gates.Target(relation)
        for relation in gates.relations_with_suites("staging")
        if relation not in validated_before
    ]
    targets += [
        gates.Target(relation, where=f"batch_load_id = (select max(batch_load_id) from {relation})")
        for relation in gates.relations_with_suites("intermediate")
    ]
    summary = gates.validate(targets, checkpoint_name="staging", as_of_date=dt.date.fromisoformat(as_of_date))
    input_keys.record(engine, keys)
    return summary


def validate_marts(as_of_date: str) -> dict:
    """The date's unpublished slices in marts_build, against the suites of the marts they will be published to."""
    from sme_credit.quality import gates

    targets = [
        gates.Target(relation, relation=f"{marts.BUILD_SCHEMA}.{relation.split('.')[1]}")
        for relation in gates.relations_with_suites(marts.PUBLISHED_SCHEMA)
    ]
    return gates.validate(targets, checkpoint_name="marts", as_of_date=dt.date.fromisoformat(as_of_date))


def publish_marts_slice(as_of_date: str) -> dict:
    return marts.publish_marts(warehouse.engine(), dt.date.fromisoformat(as_of_date))


def publish_candidates(as_of_date: str) -> dict:
    return tracking.publish_candidates(warehouse.engine(), dt.date.fromisoformat(as_of_date))


def export_candidate_list(as_of_date: str) -> dict:
    """The published day's candidate list as CSV and XLSX in EXPORT_DIR/<date>/."""
    export = exports.export_day(warehouse.engine(), dt.date.fromisoformat(as_of_date))
    return {"folder": str(export.folder), "candidates": export.candidates, "new_warnings": export.new_warnings}


def write_daily_report(as_of_date: str) -> str:
    """The published day's HTML report, beside its exports."""
    from sme_credit.publish import daily_report

    return str(daily_report.write_report(warehouse.engine(), dt.date.fromisoformat(as_of_date)))


def refresh_dbt_docs() -> str:
    from sme_credit.transform import dbt_runner

    return str(dbt_runner.generate_docs())


def is_published(as_of_date: str) -> bool:
    """Whether the date's marts are published (its row in audit.mart_publications); its candidates follow in the
    build's next task, within seconds."""
    return marts.is_published(warehouse.engine(), dt.date.fromisoformat(as_of_date[:10]))


def send_daily_summary(as_of_date: str) -> dict:
    """The published day's summary (report.summary_lines) to every alert channel."""
    day = dt.date.fromisoformat(as_of_date)
    lines = report.summary_lines(warehouse.engine(), day)
    candidates = next((line for line in lines if line.startswith("Pre-credit pool: ")), "").removeprefix(
        "Pre-credit pool: "
    )
    subject = f"{alerts.SUBJECT_PREFIX} {as_of_date} published: {candidates or 'no pool'}"
    sent = alerts.send(alerts.Message(subject, "\n".join(line.strip("\n") for line in lines)))
    alerts.model_drift(as_of_date, report.model_alerts(warehouse.engine(), day))
    return {"as_of_date": as_of_date, "channels": sent, "lines": len(lines)}


def train_scorecard(as_of_date: str, promote: bool) -> dict:
    """`sme-credit train --as-of D [--promote]` as a task: train, record, and promote when asked and passed."""
    from sme_credit.model import registry, training

    model = training.train(settings.landing_dir(), dt.date.fromisoformat(as_of_date[:10]))
    engine = warehouse.engine()
    folder, passed = registry.save(model, engine)
    if promote:
        registry.promote(model, folder, passed, engine)
    return {
        "model_version": model.version,
        "card": str(folder / registry.CARD_FILE),
        "checks": {name: ok for name, (ok, _) in passed.items()},
        "promoted": promote,
    }


def _call(_name: str, function, *args, **kwargs):
    return function(*args, **kwargs)


def run_day(day: dt.date, landing: Path, step=_call, log=print) -> None:
    """Both DAGs' steps for one day in this process, with one plain `dbt build` in place of the Cosmos tasks:
    what the daily benchmark and the integration tests run (the DAGs stay the production path).

    `step(name, function, *args)` runs each step; the benchmark passes one that times them."""
    from sme_credit.ingest import loader
    from sme_credit.publish import daily_report
    from sme_credit.transform import dbt_runner

    engine = warehouse.engine()
    step("load", prepare_warehouse, log=log)
    for feed in FEEDS:
        loaded = step("load", loader.load_feed, engine, landing, feed, day, log=log).summary()
        step("raw gate", validate_raw, feed, loaded["load_ids"])
    as_of = day.isoformat()
    step("dbt build", dbt_runner.run_dbt, "build", "--quiet", "--vars", f"{{as_of_date: '{as_of}'}}")
    step("gates", validate_staging, as_of)
    step("gates", validate_marts, as_of)
    step("publish", marts.publish_marts, engine, day, log=log)
    step("publish", tracking.publish_candidates, engine, day, log=log)
    step("publish", exports.export_day, engine, day, log=log)
    step("publish", daily_report.write_report, engine, day, log=log)

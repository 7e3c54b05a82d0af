"""The summary of an as-of date: rows per layer, files, candidates per tier, pool, warnings, top candidates, where
the results are. `make run` prints it; the build DAG sends it as the day's success summary (alerts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from sme_credit.contract.feeds import CONFLICT_REASON
from sme_credit.ingest import file_statuses
from sme_credit.publish import daily_report, exports
from sme_credit.publish.marts import HISTORY, PUBLISHED_RELATIONS
from sme_credit.quality import gates
from sme_credit.transform.dbt_runner import docs_page as dbt_docs_page

OUTPUT_TABLES = PUBLISHED_RELATIONS
HISTORY_TABLE = HISTORY


def _relations(conn, schema: str) -> list[str]:
    rows = conn.execute(
        text("select table_name from information_schema.tables where table_schema = :s order by table_name"),
        {"s": schema},
    )
    return [f"{schema}.{name}" for (name,) in rows]


def layer_counts(engine: Engine, as_of: dt.date) -> dict[str, int]:
    """Row count of every relation in raw, staging and tracking, and of the marts for the as-of date."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for schema in ("raw", "staging", "marts", "tracking"):
            for relation in _relations(conn, schema):
                where = " where as_of_date = :d" if relation in OUTPUT_TABLES else ""
                counts[relation] = conn.execute(
                    text(f"select count(*) from {relation}{where}"), {"d": as_of}
                ).scalar_one()
    return counts


def print_summary(
    engine: Engine, as_of: dt.date | None, *, elapsed: float | None = None, log: Path | None = None
) -> None:
    for line in summary_lines(engine, as_of):
        print(line)
    if log:
        print(f"  Airflow run log: {log}")
    if elapsed is not None:
        print(f"Elapsed: {elapsed:.0f}s")


def summary_lines(engine: Engine, as_of: dt.date | None) -> list[str]:
    """The summary of the as-of date (default: the latest published), a line per item."""
    lines: list[str] = []
    add = lines.append
    with engine.connect() as conn:
        if as_of is None:
            as_of = conn.execute(text("select max(as_of_date) from marts.customer_risk_tiers")).scalar()
        if as_of is None:
            return ["nothing is published yet: no as-of date to summarise"]
        tiers = conn.execute(
            text(
                "select r.risk_tier, count(*) as firms, count(c.uscc) as candidates "
                "from marts.customer_risk_tiers r left join marts.precredit_candidates c "
                "  on c.uscc = r.uscc and c.as_of_date = r.as_of_date "
                "where r.as_of_date = :d group by r.risk_tier order by min(r.score) desc"
            ),
            {"d": as_of},
        ).all()
        top = conn.execute(
            text(
                "select uscc, enterprise_name, risk_tier, score, suggested_limit, suggested_term_months, "
                "suggested_product "
                "from marts.precredit_candidates where as_of_date = :d "
                "order by score desc, suggested_limit desc, uscc limit 10"
            ),
            {"d": as_of},
        ).all()
        pool = conn.execute(
            text(
                "select pool_status, count(*), count(*) filter (where triggered) from marts.precredit_pool "
                "where as_of_date = :d group by pool_status order by pool_status"
            ),
            {"d": as_of},
        ).all()
        warnings = conn.execute(
            text(
                "select signal, count(*) filter (where severity = 'high'), count(*) from marts.early_warning_signals "
                "where as_of_date = :d group by signal order by signal"
            ),
            {"d": as_of},
        ).all()
        loads = conn.execute(
            text(
                "select count(*), count(*) filter (where status = :rejected), "
                "count(*) filter (where status = :duplicate), "
                "count(*) filter (where status in (:unexpected, :future)), "
                "coalesce(sum(rows_quarantined) filter (where audit.is_in_raw(status)), 0), "
                "(select count(*) from audit.quarantined_rows as q where q.reason like :conflict "
                "and q.load_id in (select load_id from audit.load_manifest where audit.is_in_raw(status))) "
                "from audit.load_manifest"
            ),
            {
                "conflict": CONFLICT_REASON.split(":")[0] + ":%",
                "rejected": file_statuses.REJECTED,
                "duplicate": file_statuses.DUPLICATE,
                "unexpected": file_statuses.UNEXPECTED,
                "future": file_statuses.FUTURE,
            },
        ).one()
        delivered = conn.execute(
            text(
                "select count(*), count(*) filter (where status = :rejected), coalesce(sum(rows_quarantined), 0) "
                "from audit.load_manifest where delivery_date = :d"
            ),
            {"d": as_of, "rejected": file_statuses.REJECTED},
        ).one()
    counts = layer_counts(engine, as_of)

    add(f"\n== Summary for as-of date {as_of} ==")
    add("Rows per layer (marts: rows for this as-of date):")
    for relation, rows in counts.items():
        add(f"  {relation:<45} {rows:>12,}")
    files, rejected, duplicates, irregular, quarantined, conflicts = loads
    add(
        f"Landing files: {files:,} recorded in audit.load_manifest, {rejected:,} rejected, {duplicates:,} "
        f"duplicate, {irregular:,} unexpected or dated in the future; {quarantined:,} rows in audit.quarantined_rows"
        f" ({conflicts:,} of them conflicts: a key delivered again with other values)"
    )
    add(f"Delivered on {as_of}: {delivered[0]:,} files, {delivered[1]:,} rejected, {delivered[2]:,} rows quarantined")
    add("Firms and candidates per tier:")
    for tier, firms, candidates in tiers:
        add(f"  {tier:<16} {firms:>7,} firms  {candidates:>7,} candidates")
    add(
        "Pre-credit pool: "
        + ", ".join(
            f"{status} {n:,} ({triggered:,} triggered today)" if status == "candidate" else f"{status} {n:,}"
            for status, n, triggered in pool
        )
    )
    add("Early warnings (high / all): " + ", ".join(f"{signal} {high:,}/{n:,}" for signal, high, n in warnings))
    add(_monitoring_line(engine, as_of))
    add("Top candidates:")
    for uscc, name, tier, score, limit, term, product in top:
        add(f"  {uscc}  {name}  {tier:<15} score {score:>4}  limit {limit:>12,.0f}  {term:>2} months  {product}")
    add("Where the results are:")
    add(
        f"  warehouse tables: {', '.join(OUTPUT_TABLES)}, {HISTORY_TABLE}, tracking.candidates, "
        "tracking.candidate_events"
    )
    add(f"  the day's candidate list (CSV, XLSX) and report: {exports.day_folder(as_of)}")
    add(f"  the daily report: {daily_report.report_path(as_of)} (Airflow UI: Browse > Daily report)")
    add("  what was loaded, rejected or quarantined: audit.load_manifest, audit.quarantined_rows (docs/ingestion.md)")
    add(f"  Great Expectations Data Docs: {gates.data_docs_index()}")
    add(f"  dbt docs: {dbt_docs_page()} (`make dbt-docs` refreshes it)")
    add("  both in the Airflow UI too (Browse menu), under /sme-credit/ of the api-server")
    return lines


def _monitoring(engine: Engine, as_of: dt.date) -> list[Any]:
    with engine.connect() as conn:
        if not conn.execute(text("select to_regclass('marts.model_monitoring') is not null")).scalar():
            return []
        return conn.execute(
            text(
                "select model_version, metric, subject, baseline, psi, status from marts.model_monitoring "
                "where as_of_date = :d order by metric desc, psi desc"
            ),
            {"d": as_of},
        ).all()  # type: ignore[return-value]


def _monitoring_line(engine: Engine, as_of: dt.date) -> str:
    rows = _monitoring(engine, as_of)
    if not rows:
        return "Model monitoring: nothing measured"
    scores = [
        f"vs {baseline.replace('_', ' ')} {psi:.3f} {status}"
        for _, metric, _, baseline, psi, status in rows
        if metric == "score_psi"
    ]
    shifted = [
        f"{subject} {psi:.3f} {status}"
        for _, metric, subject, _, psi, status in rows
        if metric == "feature_psi" and status != "stable"
    ]
    line = f"Model monitoring ({rows[0][0]}): score PSI {', '.join(scores) or 'not measured'}"
    line += f"; features shifted: {', '.join(shifted)}" if shifted else "; every feature stable"
    if any(status == "alert" for *_, status in rows):
        line += "\n  WARNING: a PSI reached var model_psi_alert, the population has shifted (marts.model_monitoring)"
    return line


def model_alerts(engine: Engine, as_of: dt.date) -> list[str]:
    """The monitoring rows of the day at alert level, as lines."""
    return [
        f"{metric} of {subject} vs {baseline}: {psi:.3f} (model {version})"
        for version, metric, subject, baseline, psi, status in _monitoring(engine, as_of)
        if status == "alert"
    ]

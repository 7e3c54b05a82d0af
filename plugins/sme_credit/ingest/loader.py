"""Landing files -> raw tables: one transaction per file, every row loaded or quarantined, all of it recorded.

Raw keeps every delivered value as text, exactly as delivered (dbt staging types it), plus where it came
from: `_delivery_date`, `_load_id` (the file's row in `audit.load_manifest`, which names the file, path relative
to the landing area, and when it was loaded) and `_line_number` (its line in that file).

For each file, in one transaction:
1. the same content already recorded for this path: nothing to do (a re-run changes nothing);
   the same rows already loaded from another file of the table: recorded as a `duplicate`, not loaded;
2. COPY into the raw table, while Arrow reads the same file (`landing_read`); a problem with the file as a
   whole rejects it and loads nothing;
3. every row checked against the contract (`row_checks`); bad rows leave raw for `audit.quarantined_rows`
   with line, field, reason and the line as delivered; read = loaded + quarantined is checked;
   a row whose key another file delivered with other values is a conflict, quarantined the same way;
4. a changed file at a path loaded before (a corrected re-delivery) replaces the earlier rows.
Afterwards the feed's policy (`feeds.FEED_POLICIES`) decides whether the task fails or only warns.

Raw tables are UNLOGGED: they are a copy of the landing area, which is kept, so they skip the write-ahead log
(a logged raw table took 1.10-1.28x the load's time; docs/ingestion.md weighs the choice). After a server crash
PostgreSQL empties them; the next load notices, marks the lost files in the manifest and loads them again, and
fails when a file it needs is no longer in the landing area. The manifest and the quarantine are logged tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.compute as pc
from psycopg2.extras import execute_values
from sqlalchemy import Engine, bindparam, text

from sme_credit import access, warehouse
from sme_credit.contract.feeds import (
    FAIL,
    FEED_POLICIES,
    FEEDS,
    NUMERIC_TYPES,
    RAW_TABLES,
    LandedFile,
    RawTable,
    tables_of,
)
from sme_credit.errors import LoadError  # noqa: F401 - raised here, defined with the others
from sme_credit.ingest.file_statuses import (
    ALL,
    DUPLICATE,
    FUTURE,
    IGNORED,
    IN_RAW,
    IRREGULAR,
    LOADED,
    LOST,
    NOT_CURRENT,
    REJECTED,
    REPLACED,
    SUPERSEDED,
    UNEXPECTED,
    sql_list,
)
from sme_credit.ingest.landing_read import BadLine, FileRejected, first_line_number, printable, raw_lines, stage_file
from sme_credit.ingest.landing_survey import (
    IrregularFile,
    missing_deliveries,
    survey_feed,
    survey_outside_feeds,
)
from sme_credit.ingest.row_checks import KnownGoodValues, conflict_reason, find_bad_rows
from sme_credit.transform import input_keys

LAYOUT_VERSION = 5  # of the raw and audit tables; a warehouse on an older layout is rebuilt from the landing area

# COPY fills the provenance columns from their defaults, without a second pass: the file's values are settings
# of the load's transaction (`_set_row_defaults`), the line numbers a sequence set to the file's first data
# line. A load runs no DDL: a server killed in the middle of one restarts (an identity RESTART per file gave
# each load a new sequence file, which crash recovery of the unlogged tables then failed to create again).
# A default costs per row, so a row carries only what it must: the file's path and load time stay in the
# manifest, behind `_load_id` (bench-ingest, large: with per-row _source_file and _loaded_at, and settings read
# per row, the loader ran at 47 % of a bare COPY; without them at 56-58 %, docs/ingestion.md).
SETTING = "sme_credit.{}"
METADATA_COLUMNS = (
    ("_delivery_date", f"date not null default raw.load_setting('{SETTING.format('delivery_date')}')::date"),
    ("_load_id", f"bigint not null default raw.load_setting('{SETTING.format('load_id')}')::bigint"),
    ("_line_number", "integer not null default nextval('raw.{table}_line_number')"),
)
# A file's setting, read once per COPY instead of once per row: declared IMMUTABLE (which it is not) so that
# PostgreSQL folds the call into a constant when it plans the column defaults, at the start of each COPY. Only
# COPY writes raw, and each COPY plans anew, so no plan outlives the file; a missing setting still fails the load.
_LOAD_SETTING_DDL = """
create or replace function raw.load_setting(name text) returns text
language sql immutable
as $$ select current_setting(name) $$
"""
# Derived from raw by the dbt build, and keyed by load ids (the incremental watermarks, the input keys): a raw
# rebuilt for a new layout numbers its loads anew, so these are dropped with it and the next build derives them;
# so are the records of which input keys were validated, which a renumbered key could match by chance. (The
# settlement views in schema pii go with raw itself.)
_DERIVED_FROM_RAW = ("staging", "intermediate")


@dataclass
class FileResult:
    path: str
    table: str | None  # None for an irregular file (see landing_survey)
    delivery_date: str | None
    status: str  # loaded | replaced | duplicate | rejected | unexpected | future | ignored (as in the manifest)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    error: str | None = None
    error_line: int | None = None
    error_column: str | None = None
    duplicate_of: str | None = None
    already_recorded: bool = False  # handled by an earlier run with the same content: nothing done now
    seconds: float = 0.0
    load_id: int | None = None  # the manifest row of this version

    def describe(self) -> str:
        if self.status in (REJECTED, *IRREGULAR):
            return f"{self.path}: {self.status}, {self.error}"
        if self.status == DUPLICATE:
            return f"{self.path}: duplicate of {self.duplicate_of}, not loaded"
        quarantined = f", {self.rows_quarantined:,} quarantined" if self.rows_quarantined else ""
        return f"{self.path}: {self.status}, {self.rows_loaded:,} rows{quarantined} in {self.seconds:.2f}s"


@dataclass
class FeedResult:
    feed: str
    up_to: str
    files: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    irregular: list[FileResult] = field(default_factory=list)  # recorded, not loaded: see landing_survey
    missing: list[str] = field(default_factory=list)  # expected main files of earlier days that never came

    def _sum(self, attribute: str, files=None) -> int:
        return sum(getattr(f, attribute) for f in (self.files if files is None else files))

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    def judged(self) -> list[FileResult]:
        """The files the policy judges: all handled now, and the run day's own files even if handled before,
        so that re-running a day reaches the same verdict."""
        return [f for f in self.files if not f.already_recorded or f.delivery_date == self.up_to]

    def summary(self) -> dict:
        fresh = [f for f in self.files if not f.already_recorded]
        counts = {status: sum(f.status == status for f in fresh) for status in (LOADED, REPLACED, DUPLICATE, REJECTED)}
        # What the raw gate validates: the rows of the files the policy judged (this run's loads, and the run
        # day's own files when a re-run loaded nothing new), never the whole table.
        in_raw = sorted(f.load_id for f in self.judged() if f.status in IN_RAW and f.load_id is not None)
        return {
            "feed": self.feed,
            "up_to": self.up_to,
            "files_seen": len(self.files),
            "load_ids": in_raw,
            "files_unchanged": len(self.files) - len(fresh),
            **counts,
            "rows_read": self._sum("rows_read", fresh),
            "rows_loaded": self._sum("rows_loaded", fresh),
            "rows_loaded_by_table": {
                table: sum(f.rows_loaded for f in fresh if f.table == table)
                for table in sorted({f.table for f in fresh if f.table})
            },
            "rows_quarantined": self._sum("rows_quarantined", fresh),
            "irregular": {
                s: sum(f.status == s for f in self.irregular) for s in sorted({f.status for f in self.irregular})
            },
            "missing": self.missing,
            "warnings": self.warnings,
        }


def _raw_table_ddl(table: RawTable) -> str:
    columns = [f'"{name}" text' for name in table.column_names] + [
        f"{name} {kind.format(table=table.name)}" for name, kind in METADATA_COLUMNS
    ]
    return f"create unlogged table if not exists {table.qualified_name} (\n  " + ",\n  ".join(columns) + "\n)"


_AUDIT_DDL = (
    "create table if not exists audit.layout (version integer not null)",
    f"""
    create table if not exists audit.load_manifest (
        load_id bigserial primary key,
        source_file text not null,
        feed text,
        raw_table text,
        delivery_date date,
        sha256 text,
        bytes bigint not null,
        status text not null check (status in {sql_list(ALL)}),
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        started_at timestamptz not null,
        finished_at timestamptz not null,
        error text,
        error_line integer,
        error_column text,
        duplicate_of text,
        -- the smallest and largest first key column value the file delivered (byte order), for tables whose key
        -- grows with the delivery date: which earlier loads can hold another version of a key (`_conflicts`)
        key_low text,
        key_high text,
        constraint rows_reconcile check (rows_read = rows_loaded + rows_quarantined),
        constraint a_loaded_file_names_its_table check (status in ('{UNEXPECTED}', '{FUTURE}', '{IGNORED}',
            '{REJECTED}') or (feed is not null and raw_table is not null and delivery_date is not null
            and sha256 is not null))
    )
    """,
    # which statuses are in raw, for SQL (dbt's input keys, the run summary): immutable, so the planner inlines it
    f"""
    create or replace function audit.is_in_raw(status text) returns boolean
    language sql immutable parallel safe
    return status in {sql_list(IN_RAW)}
    """,
    """
    create table if not exists audit.quarantined_rows (
        load_id bigint not null references audit.load_manifest,
        source_file text not null,
        raw_table text not null,
        line_number integer not null,
        field text,
        reason text not null,
        raw_line text not null,
        primary key (load_id, line_number)
    )
    """,
)

_AUDIT_INDEXES = {
    "audit.load_manifest_source_file_idx": (
        "create index load_manifest_source_file_idx on audit.load_manifest (source_file)"
    ),
    "audit.load_manifest_sha256_idx": "create index load_manifest_sha256_idx on audit.load_manifest (sha256)",
}

_AUDIT_COMMENTS = {
    "audit.load_manifest": (
        "Every landing file the pipeline has seen, one row per version of a file: status loaded, replaced (a "
        "corrected re-delivery that replaced the earlier version), superseded (replaced by a later version; its rows "
        "left raw), duplicate (the same bytes, with rows, as a loaded file of the same table; not loaded again), "
        "rejected (nothing loaded; see error: the content, a folder date that is no calendar date, a link out of the "
        "landing area), lost (its rows were emptied from the unlogged raw table by a server crash; loaded again by "
        "the next load), unexpected (a name or place no file of the contract has), future (a delivery date after "
        "the day it was seen; not loaded before that date) or ignored (a hidden file: in transit, or a system file). "
        "Files not loaded have no raw_table. rows_read = rows_loaded + rows_quarantined always holds."
    ),
    "audit.quarantined_rows": (
        "Delivered rows that were not loaded: the file (load_id, source_file), the line, the field to blame (null: "
        "the line as a whole), the reason and the line as delivered. May hold PII: readable by data engineers only."
    ),
}


def ensure_schemas(engine: Engine, log=print) -> None:
    """Create the raw and audit schemas and tables when missing, or rebuild them for a newer layout; then mark the
    files of a raw table a crash emptied as lost, and write the PII key (sme_credit.access). Idempotent. Run once
    before the loads (the ingest DAG's `prepare_warehouse`, `sme-credit warehouse prepare`), never by a load: its
    DDL takes table locks that another feed's file transaction holds or needs next (a deadlock under the real
    scheduler)."""
    with engine.begin() as conn:
        # Two DAG tasks may create the schemas at the same moment; serialise them.
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.ensure_schemas'))"))
        conn.execute(text("create schema if not exists raw"))
        conn.execute(text("create schema if not exists audit"))
        version = _layout_version(conn)
        has_manifest = conn.execute(text("select to_regclass('audit.load_manifest') is not null")).scalar()
        if has_manifest and version != LAYOUT_VERSION:
            # Raw is a copy of the landing area, so an older layout is rebuilt from it rather than migrated.
            log(
                f"raw/audit layout {version or 1} is older than {LAYOUT_VERSION}: dropping raw, the manifest and "
                f"what dbt derived from them ({', '.join(_DERIVED_FROM_RAW)}); the next loads rebuild raw from the "
                "landing area, the next build the rest"
            )
            conn.execute(text("drop schema raw cascade"))
            conn.execute(text("drop table if exists audit.quarantined_rows, audit.load_manifest, audit.layout"))
            for schema in _DERIVED_FROM_RAW:
                conn.execute(text(f"drop schema if exists {schema} cascade"))
            conn.execute(text(f"drop table if exists {input_keys.TABLE}"))
            conn.execute(text("create schema raw"))
        for statement in _AUDIT_DDL:
            conn.execute(text(statement))
        # a set-up warehouse gets no DDL that locks its tables (see warehouse.create_index_if_missing)
        for index, create_sql in _AUDIT_INDEXES.items():
            warehouse.create_index_if_missing(conn, index, create_sql)
        for relation, comment in _AUDIT_COMMENTS.items():
            warehouse.set_comments(conn, relation, comment, {})
        if version != LAYOUT_VERSION:
            conn.execute(text("delete from audit.layout"))
            conn.execute(text("insert into audit.layout values (:v)"), {"v": LAYOUT_VERSION})
        conn.execute(text(_LOAD_SETTING_DDL))
        for table in RAW_TABLES:
            # logged: setval per file writes no new file, and the value survives a crash (it is set per file).
            # Cached: a writer takes its numbers a block at a time, not each from the shared sequence; one writer
            # per table (`_set_row_defaults`) and setval discarding the session's cache keep them consecutive.
            conn.execute(text(f"create sequence if not exists raw.{table.name}_line_number as integer cache 10000"))
            conn.execute(text(_raw_table_ddl(table)))
            # Rows of one load are contiguous: a BRIN index finds them for next to no upkeep.
            warehouse.create_index_if_missing(
                conn,
                f"raw.{table.name}_load_idx",
                f"create index {table.name}_load_idx on {table.qualified_name} using brin (_load_id)",
            )
            # other versions of a loaded file's keys are looked up by range (`_conflicts`), in byte order; a key
            # that grows with the delivery date needs no index: the manifest's key ranges name the loads to look
            # in (a btree on the 26.8 M settlement keys of `large` made the whole load 1.3x slower)
            if not table.key_ascends:
                warehouse.create_index_if_missing(
                    conn,
                    f"raw.{table.name}_key_idx",
                    f"create index {table.name}_key_idx on {table.qualified_name} "
                    f'("{table.key[0]}" collate "C"' + "".join(f', "{k}"' for k in table.key[1:]) + ")",
                )
            warehouse.set_comments(conn, table.qualified_name, table.description, {})
            _mark_lost_after_crash(conn, table, log)
        # the key of the PII pseudonyms, which staging computes (before any dbt build)
        access.ensure_pii_key(conn, log)


def _layout_version(conn) -> int | None:
    """The raw and audit layout the warehouse holds; None before the first set-up."""
    if not conn.execute(text("select to_regclass('audit.layout') is not null")).scalar():
        return None
    return conn.execute(text("select max(version) from audit.layout")).scalar()


def require_layout(engine: Engine) -> None:
    """Raise LoadError unless the warehouse holds the raw and audit layout this code writes (prepared once, by
    `ensure_schemas`): a load runs no DDL."""
    with engine.connect() as conn:
        version = _layout_version(conn)
    if version != LAYOUT_VERSION:
        found = f"layout {version}" if version else "no raw and audit schemas"
        raise LoadError(
            f"the warehouse has {found}, this code loads into layout {LAYOUT_VERSION}: run "
            "`sme-credit warehouse prepare` (the ingest DAG's prepare_warehouse task does it before the loads)"
        )


def recover_after_crash(engine: Engine, tables, log=print) -> None:
    """Mark lost the files of each given raw table that a crash emptied (unlogged tables are truncated when the
    server recovers), so that they load again. Reads and updates only these tables' manifest rows: no DDL."""
    with engine.begin() as conn:
        for table in tables:
            _mark_lost_after_crash(conn, table, log)


def _mark_lost_after_crash(conn, table: RawTable, log) -> None:
    """A raw table emptied by crash recovery while the manifest says rows are in it: its files are to load again."""
    in_raw = {"t": table.name, "in_raw": list(IN_RAW), "lost": LOST}
    claimed = conn.execute(
        text(
            "select count(*) from audit.load_manifest where raw_table = :t and status in :in_raw and rows_loaded > 0"
        ).bindparams(bindparam("in_raw", expanding=True)),
        in_raw,
    ).scalar()
    if claimed and not conn.execute(text(f"select exists (select from {table.qualified_name})")).scalar():
        conn.execute(
            text("update audit.load_manifest set status = :lost where raw_table = :t and status in :in_raw").bindparams(
                bindparam("in_raw", expanding=True)
            ),
            in_raw,
        )
        log(
            f"{table.qualified_name} is empty although {claimed} loaded file(s) are recorded (the server crashed "
            "since): they are marked lost and load again"
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_MANIFEST_COLUMNS = (
    "load_id",
    "status",
    "sha256",
    "source_file",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "error",
    "error_line",
    "error_column",
    "duplicate_of",
    "bytes",
    "started_at",
)


def _recorded(cursor, where: str, parameters: tuple) -> dict | None:
    cursor.execute(
        f"select {', '.join(_MANIFEST_COLUMNS)} from audit.load_manifest where {where} order by load_id desc limit 1",
        parameters,
    )
    row = cursor.fetchone()
    return dict(zip(_MANIFEST_COLUMNS, row)) if row else None


def load_file(engine: Engine, landed: LandedFile, landing: Path, known: KnownGoodValues | None = None) -> FileResult:
    """Load one file atomically: all its rows land in raw or quarantine (replacing an earlier version), or none."""
    started = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    relative = landed.path.relative_to(landing).as_posix()
    table = landed.table
    result = FileResult(relative, table.name, landed.delivery_date.isoformat(), LOADED)

    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        # One writer per file path at a time, so concurrent runs cannot both load the same file.
        cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", (relative,))
        latest = _recorded(cursor, "source_file = %s and status not in %s", (relative, NOT_CURRENT))
        current = _recorded(cursor, "source_file = %s and status in %s", (relative, IN_RAW))
        if latest is not None and _untouched_since(landed.path, latest):
            connection.rollback()
            return _already_recorded(result, latest)
        digest = sha256_of(landed.path)
        same = next((r for r in (latest, current) if r and r["sha256"] == digest), None)
        if same:
            connection.rollback()
            return _already_recorded(result, same)
        if current is None:
            # A twin is a file of the same table whose rows are loaded: two empty files, or one of another
            # table, share bytes without being the same delivery.
            twin = _recorded(
                cursor,
                "sha256 = %s and raw_table = %s and rows_read > 0 and status in %s",
                (digest, table.name, IN_RAW),
            )
            if twin:
                result.status, result.duplicate_of = DUPLICATE, twin["source_file"]
                _record(cursor, result, landed, digest, started, _next_load_id(cursor))
                connection.commit()
                return result

        load_id = result.load_id = _next_load_id(cursor)
        _set_row_defaults(cursor, landed, load_id)
        known = known or KnownGoodValues()
        cursor.execute("savepoint before_read")
        try:
            key_range = KeyRange(table)

            def check(rows, lines) -> list[BadLine]:
                failing = find_bad_rows(rows, lines, table, known)
                key_range.widen(rows, lines, failing)
                return failing

            staged = stage_file(cursor, landed, check)
        except FileRejected as rejected:
            cursor.execute("rollback to savepoint before_read")
            result.status = REJECTED
            result.error, result.error_line, result.error_column = str(rejected), rejected.line, rejected.column
            _record(cursor, result, landed, digest, started, load_id)
            connection.commit()
            return result

        failing = staged.failing
        removed = 0
        if failing:  # malformed lines (staged.bad_lines) never reached raw; these did
            removed += _take_out(cursor, table, load_id, failing)
        conflicts = _conflicts(cursor, table, load_id, relative, key_range)
        if conflicts:
            removed += _take_out(cursor, table, load_id, conflicts)
            failing = failing + conflicts
        bad = sorted(staged.bad_lines + failing, key=lambda b: b.line)
        # The reader's count of rows against the database's: rows COPY inserted, less those taken out again.
        result.rows_loaded = staged.copied - removed
        result.rows_read, result.rows_quarantined = staged.rows_read, len(bad)
        if result.rows_read != result.rows_loaded + result.rows_quarantined:
            raise LoadError(
                f"{landed.path}: {result.rows_read} rows read but {result.rows_loaded} loaded and "
                f"{result.rows_quarantined} quarantined; nothing was loaded"
            )
        if current:
            _by_load_id(cursor, table)
            cursor.execute(f"delete from {table.qualified_name} where _load_id = %s", (current["load_id"],))
            cursor.execute(
                "update audit.load_manifest set status = %s where load_id = %s", (SUPERSEDED, current["load_id"])
            )
            result.status = REPLACED
        _record(cursor, result, landed, digest, started, load_id, key_range)
        _quarantine(cursor, landed, relative, load_id, bad)
        connection.commit()
    except BaseException:
        _abandon(connection)
        raise
    finally:
        connection.close()
    result.seconds = round(time.monotonic() - clock, 3)
    return result


def _take_out(cursor, table: RawTable, load_id: int, bad: list[BadLine]) -> int:
    """Delete the load's rows on the given lines from raw (they go to quarantine); how many were deleted."""
    _by_load_id(cursor, table)
    cursor.execute(
        f"delete from {table.qualified_name} where _load_id = %s and _line_number = any(%s)",
        (load_id, [b.line for b in bad]),
    )
    return cursor.rowcount


class KeyRange:
    """The smallest and largest value of a table's first key column among the rows that stay in raw (as Arrow
    reads them, alongside COPY): where other versions of the file's keys can be. Rows that fail a check leave
    raw before conflicts are looked for, so a bad key (a NUL, another pattern) neither widens the range nor
    breaks the query; taking them out reuses the checks' verdict instead of matching the column again."""

    def __init__(self, table: RawTable) -> None:
        self.column, self.low, self.high = table.key[0], None, None

    def widen(self, rows, lines, failing: list[BadLine]) -> None:
        values = rows[self.column]
        if failing:
            leaving = pa.array([b.line for b in failing], lines.type)
            values = pc.filter(values, pc.invert(pc.is_in(lines, value_set=leaving)))
        found = pc.min_max(values).as_py()
        if found["min"] is not None:
            self.low = found["min"] if self.low is None else min(self.low, found["min"])
            self.high = found["max"] if self.high is None else max(self.high, found["max"])


def _conflicts(cursor, table: RawTable, load_id: int, relative: str, key_range: KeyRange) -> list[BadLine]:
    """Rows of this load whose key another file delivered with other values (not the earlier version of this
    file, which a corrected re-delivery replaces; repeats within the file are `row_checks`'). Only the columns
    the contract's correction rule names (`RawTable.redelivery_may_change`) may differ, and numbers compare as
    numbers. The first version stays; the later one goes to quarantine, naming where the first is and what
    differs, so that nothing is resolved silently: the sender settles it by re-delivering the wrong file.

    Per-row probes of a key index cost about as much as the COPY itself, so other versions are looked for in
    the file's range of the first key column, in byte order as Arrow compares (`KeyRange`): for a key that grows
    with the delivery date, in the loads whose recorded range meets it (usually none, nothing to read); else by
    one range scan of the key index (`collate "C"`). A join runs only where that finds rows."""
    if key_range.low is None:
        return []
    in_range = (
        f'o."{key_range.column}" collate "C" between %(low)s and %(high)s '
        "and o._load_id <> %(load)s "
        # not the earlier version of this file (its loads, in the manifest; this one is not recorded yet)
        "and o._load_id not in (select load_id from audit.load_manifest where source_file = %(file)s)"
    )
    parameters = {"load": load_id, "file": relative, "low": key_range.low, "high": key_range.high}
    if table.key_ascends:
        # the loads whose recorded key range meets the file's: usually none but a re-delivered file's own
        cursor.execute(
            """
            select coalesce(array_agg(load_id), '{}') from audit.load_manifest
            where raw_table = %(table)s and status in %(in_raw)s and load_id <> %(load)s
                and source_file <> %(file)s
                and key_low collate "C" <= %(high)s and key_high collate "C" >= %(low)s
            """,
            {**parameters, "table": table.name, "in_raw": IN_RAW},
        )
        parameters["loads"] = cursor.fetchone()[0]
        if not parameters["loads"]:
            return []
        in_range += " and o._load_id = any(%(loads)s)"
    else:
        cursor.execute("set local enable_seqscan = off")
        cursor.execute(f"select exists (select from {table.qualified_name} as o where {in_range})", parameters)
        if not cursor.fetchone()[0]:
            return []

    compared = [c for c in table.columns if c.name not in table.redelivery_may_change]

    def value(alias: str, column) -> str:  # both versions passed the column checks
        return f'{alias}."{column.name}"' + ("::numeric" if column.type in NUMERIC_TYPES else "")

    differing = ", ".join(
        f"case when {value('o', c)} is distinct from {value('n', c)} then '{c.name}' end" for c in compared
    )
    # The key index sorts its first column in collation "C": an equality in the column's own collation does not
    # match it, and the join then read the whole key range once per row of the load (a yearly ratings file of the
    # large world took more than 5 minutes instead of a second).
    matches = " and ".join(
        f'o."{k}"' + (' collate "C"' if k == key_range.column else "") + f' = n."{k}"' for k in table.key
    )
    _by_load_id(cursor, table)
    cursor.execute(
        f"""
        select distinct on (n._line_number) n._line_number,
            (select m.source_file from audit.load_manifest as m where m.load_id = o._load_id), o._line_number,
            array_remove(array[{differing}], null), {_columns(table.key, "n")}
        from {table.qualified_name} as o
        join {table.qualified_name} as n
            on {matches} and n._load_id = %(load)s
        where {in_range}
            and ({", ".join(value("o", c) for c in compared)}) is distinct from
                ({", ".join(value("n", c) for c in compared)})
        order by n._line_number, o._delivery_date, o._line_number
        """,
        parameters,
    )
    return [
        BadLine(line, columns[0], conflict_reason(table, tuple(key), f"{first_file} line {first_line}", columns))
        for line, first_file, first_line, columns, *key in cursor.fetchall()
    ]


def _columns(names, alias: str | None = None) -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{name}"' for name in names)


def _by_load_id(cursor, table: RawTable) -> None:
    """Make the next statements find one load's rows through the BRIN index on _load_id, not by scanning the
    whole table: summarise the pages loaded since, and tell the planner, which has no statistics on freshly
    loaded unlogged tables and would otherwise pick a sequential scan."""
    _summarise_load_index(cursor, table)
    cursor.execute("set local enable_seqscan = off")


def _summarise_load_index(cursor, table: RawTable) -> None:
    """Summarise the page ranges of the BRIN index on _load_id that have no summary yet (those loaded since the
    last call or VACUUM), the last, partly filled one included: rows added to it later widen its summary."""
    cursor.execute("select brin_summarize_new_values(%s::regclass)", (f"raw.{table.name}_load_idx",))


def _set_row_defaults(cursor, landed: LandedFile, load_id: int) -> None:
    """Make COPY fill the provenance columns: this file's values become settings of the transaction, which the
    columns' defaults read, and the line numbering starts at the file's first data line. One writer per raw
    table at a time (until the file commits), so the numbering is this file's alone; readers are not held."""
    table = landed.table
    cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"writer of {table.qualified_name}",))
    cursor.execute(
        "select set_config(%s, %s, true), set_config(%s, %s, true), setval(%s, %s, false)",
        (
            SETTING.format("delivery_date"),
            landed.delivery_date.isoformat(),
            SETTING.format("load_id"),
            str(int(load_id)),
            f"raw.{table.name}_line_number",
            first_line_number(table),
        ),
    )


def _untouched_since(path: Path, recorded: dict | None) -> bool:
    """The file has its recorded size and was last written before that load started: the same file, no need
    to hash it again. A daily run thus reads the day's new files, not the whole landing area; a corrected
    re-delivery is a new write (a later mtime), so it is hashed and compared as before."""
    if recorded is None:
        return False
    status = path.stat()
    return status.st_size == recorded["bytes"] and status.st_mtime < recorded["started_at"].timestamp()


def _already_recorded(result: FileResult, recorded: dict) -> FileResult:
    result.already_recorded = True
    for name in _MANIFEST_COLUMNS:
        if name not in ("sha256", "source_file", "bytes", "started_at"):  # the file's own, not the result's
            setattr(result, name, recorded[name])
    return result


def _abandon(connection) -> None:
    """Roll back; a connection whose server process was killed cannot, and must not go back to the pool."""
    try:
        connection.rollback()
    except psycopg2.Error:
        connection.invalidate()


def _next_load_id(cursor) -> int:
    cursor.execute("select nextval(pg_get_serial_sequence('audit.load_manifest', 'load_id'))")
    return cursor.fetchone()[0]


def _record(
    cursor,
    result: FileResult,
    landed: LandedFile,
    digest: str,
    started: dt.datetime,
    load_id: int,
    key_range: KeyRange | None = None,
) -> None:
    cursor.execute(
        """
        insert into audit.load_manifest (load_id, source_file, feed, raw_table, delivery_date, sha256, bytes, status,
            rows_read, rows_loaded, rows_quarantined, started_at, finished_at, error, error_line, error_column,
            duplicate_of, key_low, key_high)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, %s, %s, %s, %s)
        """,
        (
            load_id,
            result.path,
            landed.table.feed,
            landed.table.name,
            landed.delivery_date,
            digest,
            landed.path.stat().st_size,
            result.status,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            started,
            result.error,
            result.error_line,
            result.error_column,
            result.duplicate_of,
            key_range.low if key_range and landed.table.key_ascends else None,
            key_range.high if key_range and landed.table.key_ascends else None,
        ),
    )


def _quarantine(cursor, landed: LandedFile, relative: str, load_id: int, bad: list[BadLine]) -> None:
    if not bad:
        return
    delivered = raw_lines(landed, {b.line for b in bad})
    execute_values(
        cursor,
        "insert into audit.quarantined_rows (load_id, source_file, raw_table, line_number, field, reason, raw_line) "
        "values %s",
        [(load_id, relative, landed.table.name, b.line, b.field, b.reason, delivered.get(b.line, "")) for b in bad],
    )


def load_feed(engine: Engine, landing: Path, feed: str, up_to: dt.date, log=print) -> FeedResult:
    """Load every file of `feed` delivered on or before `up_to` that is new or changed, record every irregular
    file of the feed's folder (and of the landing area outside the feeds' folders), then apply the feed's
    policy: raise LoadError when it says fail (after every file has been handled), else log warnings."""
    if feed not in FEEDS:
        raise KeyError(f"unknown feed {feed!r}; known feeds: {', '.join(FEEDS)}")
    require_layout(engine)
    # the server may have crashed since the warehouse was prepared (a retry after a crash mid-run)
    recover_after_crash(engine, tables_of(feed), log)
    survey = survey_feed(landing, feed, up_to=up_to)
    outcome = FeedResult(feed, up_to.isoformat())
    outcome.irregular = record_irregular(engine, landing, survey.irregular + survey_outside_feeds(landing))
    for irregular in outcome.irregular:
        if irregular.status != IGNORED:
            outcome.warnings.append(irregular.describe())
    if not survey.files:
        raise LoadError(f"no {feed} files delivered on or before {up_to} under {landing / feed}")
    # the run day's own delivery is awaited (and judged) by the feed's wait; earlier gaps are reported here
    outcome.missing = missing_deliveries(survey, feed, up_to - dt.timedelta(days=1))
    if outcome.missing:
        shown = ", ".join(outcome.missing[:10]) + (
            f" and {len(outcome.missing) - 10} more" if len(outcome.missing) > 10 else ""
        )
        outcome.warnings.append(f"{len(outcome.missing)} expected delivery file(s) missing: {shown}")
    known = KnownGoodValues()
    for number, landed in enumerate(survey.files, start=1):
        result = load_file(engine, landed, landing, known)
        outcome.files.append(result)
        if not result.already_recorded:
            log(f"[{feed}] {number}/{len(survey.files)} {result.describe()}")
    _summarise_load_indexes(engine, tables_of(feed))
    gone = _landing_files_gone(engine, landing, feed)
    summary = outcome.summary()
    log(
        f"[{feed}] done: {summary['loaded']} loaded, {summary['replaced']} replaced, {summary['duplicate']} "
        f"duplicate, {summary['rejected']} rejected, {summary['files_unchanged']} unchanged; "
        f"{summary['rows_loaded']:,} rows loaded, {summary['rows_quarantined']:,} quarantined"
        + (f"; {len(outcome.irregular)} irregular file(s) recorded" if outcome.irregular else "")
    )
    if gone:
        shown = "; ".join(gone[:10]) + (f"; and {len(gone) - 10} more" if len(gone) > 10 else "")
        raise LoadError(
            f"{feed}: {len(gone)} landing file(s) that raw holds (or must load again after a crash) are no longer "
            f"under {landing}: {shown}. Raw is a copy of the landing area, rebuilt from it after a crash: restore "
            "the files (from the sender or the archive) and run again"
        )
    _apply_policy(outcome, log)
    return outcome


def _summarise_load_indexes(engine: Engine, tables) -> None:
    """Summarise what the feed's loads wrote in each table's BRIN index on _load_id. BRIN returns every page
    range it has no summary for, and only VACUUM summarises them otherwise, when autovacuum comes to the table:
    right after the first ingest of `large` none of raw's 5,402 settlement ranges had a summary, and the first
    build's look for rows of no recorded load (`int_settlement_transaction_versions`) scanned all 26.7 M rows
    (3 s alone, 9 s in the build) instead of reading none. Once per feed, not per file, in a short transaction
    of its own: it waits for an autovacuum of the table, which PostgreSQL cancels after deadlock_timeout."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table in tables:
            _summarise_load_index(cursor, table)
        connection.commit()
    finally:
        connection.close()


def _landing_files_gone(engine: Engine, landing: Path, feed: str) -> list[str]:
    """Files whose rows are in raw, or are to load again (lost in a crash), whose landing file is gone."""
    with engine.connect() as conn:
        recorded = conn.execute(
            text(
                "select source_file, status, delivery_date from audit.load_manifest "
                "where feed = :feed and status in :statuses order by delivery_date, source_file"
            ).bindparams(bindparam("statuses", expanding=True)),
            {"feed": feed, "statuses": [*IN_RAW, LOST]},
        ).all()
    return [
        f"{source_file} ({status}, delivered {delivery_date})"
        for source_file, status, delivery_date in recorded
        if not (landing / str(source_file)).is_file()
    ]


def record_irregular(engine: Engine, landing: Path, irregular: list[IrregularFile]) -> list[FileResult]:
    """Record each irregular file in the manifest once (again only when its content or status changes); the
    results of those recorded now or before."""
    results: list[FileResult] = []
    if not irregular:
        return results
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for found in irregular:
            relative = found.path.relative_to(landing).as_posix()
            # a link out of the landing area is not read: nothing outside it is ours to hash
            digest = None if found.path.is_symlink() and found.status == REJECTED else _sha256_or_none(found.path)
            size = found.path.lstat().st_size
            cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", (relative,))
            cursor.execute(
                "select load_id from audit.load_manifest where source_file = %s and status = %s "
                "and sha256 is not distinct from %s",
                (relative, found.status, digest),
            )
            known = cursor.fetchone()
            result = FileResult(
                relative,
                None,
                found.delivery_date.isoformat() if found.delivery_date else None,
                found.status,
                error=printable(found.reason),
                already_recorded=known is not None,
                load_id=known[0] if known else _next_load_id(cursor),
            )
            if known is None:
                cursor.execute(
                    """
                    insert into audit.load_manifest (load_id, source_file, feed, raw_table, delivery_date, sha256,
                        bytes, status, rows_read, rows_loaded, rows_quarantined, started_at, finished_at, error)
                    values (%s, %s, %s, null, %s, %s, %s, %s, 0, 0, 0, clock_timestamp(), clock_timestamp(), %s)
                    """,
                    (
                        result.load_id,
                        relative,
                        found.feed,
                        found.delivery_date,
                        digest,
                        size,
                        found.status,
                        result.error,
                    ),
                )
            connection.commit()
            results.append(result)
    except BaseException:
        _abandon(connection)
        raise
    finally:
        connection.close()
    return results


def _sha256_or_none(path: Path) -> str | None:
    return sha256_of(path) if path.is_file() else None


def _apply_policy(outcome: FeedResult, log) -> None:
    """Each delivery day is judged as a whole: its rejected files, and its share of quarantined rows."""
    policy = FEED_POLICIES[outcome.feed]
    failures: list[str] = []
    rejected = [f for f in outcome.judged() if f.status == REJECTED]
    if rejected:
        message = f"{len(rejected)} file(s) rejected: " + "; ".join(f.describe() for f in rejected)
        (failures if policy.rejected_file == FAIL else outcome.warnings).append(message)
    days: dict[str, list[FileResult]] = defaultdict(list)
    for judged in outcome.judged():
        days[judged.delivery_date or ""].append(judged)
    for day, files in sorted(days.items()):
        quarantined = sum(f.rows_quarantined for f in files)
        if not quarantined:
            continue
        read = sum(f.rows_read for f in files)
        share = quarantined / read
        message = (
            f"delivery {day}: {quarantined:,} of {read:,} rows read ({share:.2%}) quarantined, see "
            f"audit.quarantined_rows (limit for {outcome.feed}: {policy.max_quarantined_share:.0%})"
        )
        (failures if share > policy.max_quarantined_share else outcome.warnings).append(message)
    for warning in outcome.warnings:
        log(f"[{outcome.feed}] WARNING: {warning}")
    if failures:
        raise LoadError(f"{outcome.feed}: the load policy fails the task: " + " | ".join(failures))


def latest_loaded_delivery(engine: Engine) -> dt.date | None:
    with engine.connect() as conn:
        if not conn.execute(text("select to_regclass('audit.load_manifest') is not null")).scalar():
            return None  # nothing was ever loaded
        return conn.execute(
            text("select max(delivery_date) from audit.load_manifest where status in :statuses").bindparams(
                bindparam("statuses", expanding=True)
            ),
            {"statuses": list(IN_RAW)},
        ).scalar()

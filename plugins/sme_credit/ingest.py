"""Landing files -> raw tables, through PostgreSQL COPY, one transaction per file, recorded in a manifest.

Raw keeps every delivered value as text, exactly as delivered (dbt staging types it), plus where it came
from: `_delivery_date`, `_source_file` (path relative to the landing area), `_line_number`, `_loaded_at`.

A file is identified by its path: a file whose sha256 is already in the manifest as loaded is skipped; a
file whose content changed (a corrected re-delivery) replaces its earlier rows in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

from sme_credit.feeds import FEEDS, RAW_TABLES, LandedFile, RawTable, landed_files

METADATA_COLUMNS = (
    ("_delivery_date", "date not null"),
    ("_source_file", "text not null"),
    ("_line_number", "integer not null"),
    ("_loaded_at", "timestamptz not null default now()"),
)

UTF8_BOM = b"\xef\xbb\xbf"
_POSTGRES_ENCODINGS = {"utf-8": "UTF8", "gb18030": "GB18030"}  # contract encoding -> COPY's name for it


class LoadError(RuntimeError):
    """A delivered file that cannot be loaded; the message names the file, line and column."""


@dataclass
class FileResult:
    path: str
    table: str
    delivery_date: str
    status: str  # loaded | replaced | skipped
    rows_loaded: int = 0
    seconds: float = 0.0


@dataclass
class FeedResult:
    feed: str
    up_to: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    def summary(self) -> dict:
        counts = {status: sum(f.status == status for f in self.files) for status in ("loaded", "replaced", "skipped")}
        return {"feed": self.feed, "up_to": self.up_to, "rows_loaded": self.rows_loaded, **counts}


def _raw_table_ddl(table: RawTable) -> str:
    columns = [f'"{name}" text' for name in table.column_names] + [f"{name} {kind}" for name, kind in METADATA_COLUMNS]
    return f"create table if not exists {table.qualified_name} (\n  " + ",\n  ".join(columns) + "\n)"


def ensure_schemas(engine: Engine) -> None:
    """Create the raw and audit schemas and tables when missing. Idempotent; safe to run every time."""
    statements = [
        "create schema if not exists raw",
        "create schema if not exists audit",
        """
        create table if not exists audit.load_manifest (
            source_file text primary key,
            feed text not null,
            raw_table text not null,
            delivery_date date not null,
            sha256 text not null,
            bytes bigint not null,
            rows_loaded bigint not null,
            status text not null,
            started_at timestamptz not null,
            finished_at timestamptz not null,
            error text
        )
        """,
        "comment on table audit.load_manifest is 'Every landing file the pipeline has loaded: one row per file path.'",
    ]
    for table in RAW_TABLES:
        statements.append(_raw_table_ddl(table))
        statements.append(
            f"create index if not exists {table.name}_source_file_idx on {table.qualified_name} (_source_file)"
        )
        statements.append(f"comment on table {table.qualified_name} is $${table.description}$$")
    with engine.begin() as conn:
        # Two DAG tasks may create the schemas at the same moment; serialise them.
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.ensure_schemas'))"))
        for statement in statements:
            conn.execute(text(statement))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_csv_header(landed: LandedFile, first_line: bytes) -> None:
    try:
        header = next(csv.reader([first_line.decode(landed.table.encoding).rstrip("\r\n")]))
    except (UnicodeDecodeError, StopIteration) as error:
        raise LoadError(f"{landed.path}: line 1: unreadable header ({error})") from error
    expected = list(landed.table.column_names)
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        detail = []
        if missing:
            detail.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected column(s) {', '.join(extra)}")
        if not detail:
            detail.append(f"columns out of order: expected {', '.join(expected)}")
        raise LoadError(f"{landed.path}: line 1 (header): " + "; ".join(detail))


def _jsonl_as_csv(landed: LandedFile) -> io.StringIO:
    """JSON Lines -> CSV in memory (court feeds are small), checking every object against the contract."""
    columns = landed.table.column_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    encoding = "utf-8-sig" if landed.table.encoding == "utf-8" else landed.table.encoding
    with landed.path.open("r", encoding=encoding) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise LoadError(f"{landed.path}: line {line_number}, column {error.colno}: invalid JSON: {error.msg}")
            unexpected = sorted(set(record) - set(columns))
            if unexpected:
                raise LoadError(f"{landed.path}: line {line_number}: unexpected field(s) {', '.join(unexpected)}")
            writer.writerow([_json_value_as_text(record.get(column)) for column in columns])
    buffer.seek(0)
    return buffer


def _json_value_as_text(value) -> str:
    # COPY's CSV format reads an unquoted empty field as NULL, which is how a JSON null must arrive.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _copy_file(cursor, landed: LandedFile, staging_table: str) -> None:
    column_list = ", ".join(f'"{c}"' for c in landed.table.column_names)
    if landed.table.file_format == "jsonl":
        cursor.copy_expert(f"copy {staging_table} ({column_list}) from stdin with (format csv)", _jsonl_as_csv(landed))
        return
    with landed.path.open("rb") as handle:
        first_line = handle.readline()
        if not first_line:
            return  # an empty file carries no rows; it is still recorded in the manifest
        if first_line.startswith(UTF8_BOM):
            first_line = first_line[len(UTF8_BOM):]
        _check_csv_header(landed, first_line)
        # The handle is positioned after the header: COPY reads only data rows.
        encoding = _POSTGRES_ENCODINGS[landed.table.encoding]
        cursor.copy_expert(
            f"copy {staging_table} ({column_list}) from stdin with (format csv, encoding '{encoding}')", handle)


def load_file(engine: Engine, landed: LandedFile, landing: Path) -> FileResult:
    """Load one file atomically: its rows all land (replacing an earlier version) or none do."""
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.monotonic()
    relative = landed.path.relative_to(landing).as_posix()
    digest = sha256_of(landed.path)
    table = landed.table
    result = FileResult(relative, table.name, landed.delivery_date.isoformat(), "loaded")

    raw_connection = engine.raw_connection()
    try:
        cursor = raw_connection.cursor()
        # One writer per file path at a time, so concurrent runs cannot both load the same file.
        cursor.execute("select pg_advisory_xact_lock(hashtext(%s))", (relative,))
        cursor.execute("select sha256, status from audit.load_manifest where source_file = %s", (relative,))
        previous = cursor.fetchone()
        if previous and previous[0] == digest and previous[1] in ("loaded", "replaced"):
            raw_connection.rollback()
            result.status = "skipped"
            return result
        if previous:
            cursor.execute(f"delete from {table.qualified_name} where _source_file = %s", (relative,))
            result.status = "replaced"

        staging = f"landing_{table.name}"
        columns = ", ".join(f'"{c}" text' for c in table.column_names)
        cursor.execute(
            f"create temp table {staging} (_row integer generated always as identity, {columns}) on commit drop"
        )
        try:
            _copy_file(cursor, landed, staging)
        except LoadError:
            raise
        except Exception as error:  # the server names the line: keep its words, add the file
            message = str(getattr(error, "pgerror", None) or error).strip()
            raise LoadError(f"{landed.path}: {message}") from error

        column_list = ", ".join(f'"{c}"' for c in table.column_names)
        # CSV has its header on line 1; JSON Lines has none.
        line_offset = 1 if table.file_format == "csv" else 0
        cursor.execute(
            f"insert into {table.qualified_name} ({column_list}, _delivery_date, _source_file, _line_number) "
            f"select {column_list}, %s, %s, _row + {line_offset} from {staging} order by _row",
            (landed.delivery_date, relative),
        )
        result.rows_loaded = cursor.rowcount
        cursor.execute(
            """
            insert into audit.load_manifest as m (source_file, feed, raw_table, delivery_date, sha256, bytes,
                rows_loaded, status, started_at, finished_at, error)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, now(), null)
            on conflict (source_file) do update set sha256 = excluded.sha256, bytes = excluded.bytes,
                rows_loaded = excluded.rows_loaded, status = excluded.status,
                started_at = excluded.started_at, finished_at = excluded.finished_at, error = null
            """,
            (relative, table.feed, table.name, landed.delivery_date, digest, landed.path.stat().st_size,
             result.rows_loaded, result.status, started),
        )
        raw_connection.commit()
    except BaseException:
        raw_connection.rollback()
        raise
    finally:
        raw_connection.close()
    result.seconds = round(time.monotonic() - clock, 3)
    return result


def load_feed(engine: Engine, landing: Path, feed: str, up_to: dt.date, log=print) -> FeedResult:
    """Load every file of `feed` delivered on or before `up_to` that is new or changed."""
    if feed not in FEEDS:
        raise KeyError(f"unknown feed {feed!r}; known feeds: {', '.join(FEEDS)}")
    ensure_schemas(engine)
    files = landed_files(landing, feed, up_to=up_to)
    if not files:
        raise LoadError(f"no {feed} files delivered on or before {up_to} under {landing / feed}")
    outcome = FeedResult(feed, up_to.isoformat())
    for number, landed in enumerate(files, start=1):
        result = load_file(engine, landed, landing)
        outcome.files.append(result)
        if result.status != "skipped":
            log(f"[{feed}] {number}/{len(files)} {result.path}: {result.status}, "
                f"{result.rows_loaded:,} rows in {result.seconds:.2f}s")
    summary = outcome.summary()
    log(f"[{feed}] done: {summary['loaded']} loaded, {summary['replaced']} replaced, "
        f"{summary['skipped']} already loaded; {summary['rows_loaded']:,} rows")
    return outcome


def latest_loaded_delivery(engine: Engine) -> dt.date | None:
    ensure_schemas(engine)
    with engine.connect() as conn:
        return conn.execute(text("select max(delivery_date) from audit.load_manifest")).scalar()




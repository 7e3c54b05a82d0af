"""Every fault of the generator's catalogue, loaded for real: what was loaded, quarantined or rejected is what the
catalogue says, and every delivered row is in raw or in quarantine, exactly once. Also: a load killed in the
middle of a file leaves nothing behind, and its re-run ends with exactly the right rows."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import threading
import time

import pytest
from sqlalchemy import text

from sme_credit import warehouse
from sme_credit.contract.feeds import FEEDS, landed_files, table_by_name
from sme_credit.ingest import loader
from sme_credit.ingest.landing_read import NUL_REASON, printable
from sme_credit.ingest.landing_survey import latest_delivery_date, survey_feed
from sme_credit.ingest.row_checks import KnownGoodValues
from sme_credit_dev import local_warehouse
from sme_credit_sample.faults import read_catalogue
from tests.integration.conftest import OF_FILE


def _load_everything(engine, landing) -> dict[str, loader.FileResult]:
    """Every file under the landing area as `load_feed` handles it (without the feeds' policies): misplaced
    files recorded, the others loaded."""
    loader.ensure_schemas(engine, log=lambda _: None)
    known = KnownGoodValues()
    results = {}
    for feed in FEEDS:
        survey = survey_feed(landing, feed)
        results.update((r.path, r) for r in loader.record_irregular(engine, landing, survey.irregular))
        results.update((r.path, r) for r in (loader.load_file(engine, f, landing, known) for f in survey.files))
    return results


def _rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _physical_lines(path, encoding) -> list[str]:
    """The file's lines as the contract splits them (LF, CR tolerated before it), blank lines at the end dropped,
    a NUL shown as the quarantine shows it."""
    content = path.read_bytes().decode("utf-8-sig" if encoding == "utf-8" else encoding)
    lines = [printable(line.removesuffix("\r")) for line in content.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


@pytest.fixture(scope="module")
def loaded(faulty_world, server_url):
    name = f"test_faults_{int(time.time() * 1000) % 10**9}"
    url = warehouse.create_database(server_url, name)
    engine = warehouse.engine_for(url)
    try:
        yield engine, _load_everything(engine, faulty_world)
    finally:
        warehouse.engine_for.cache_clear()
        warehouse.drop_database(server_url, name)


def test_each_fault_has_the_catalogued_outcome(faulty_world, loaded):
    engine, results = loaded
    catalogue = read_catalogue(faulty_world)
    assert len(catalogue) >= 24
    for entry in catalogue:
        result = results[entry["file"]]
        in_raw = _rows(engine, f"select _line_number from raw.{entry['table']} where {OF_FILE}", file=entry["file"])
        quarantined = _rows(
            engine,
            "select line_number, field, reason, raw_line from audit.quarantined_rows "
            "where source_file = :f order by line_number",
            f=entry["file"],
        )
        if entry["action"] == "record":
            assert result.status == entry["status"] and result.error, (entry["id"], result)
            assert in_raw == [] and quarantined == [], entry["id"]
        elif entry["action"] == "reject":
            assert result.status == "rejected", entry["id"]
            assert (result.error_line, result.error_column) == (entry["error_line"], entry["error_column"]), (
                entry["id"],
                result.error,
            )
            assert in_raw == [] and quarantined == [], entry["id"]
        elif entry["action"] == "skip":
            assert result.status == "duplicate" and result.duplicate_of, entry["id"]
            twin = faulty_world / result.duplicate_of
            assert twin.read_bytes() == (faulty_world / entry["file"]).read_bytes()
            assert in_raw == [] and quarantined == []
        else:
            assert result.status == "loaded", (entry["id"], result.error)
            counts = (result.rows_read, result.rows_loaded, result.rows_quarantined)
            assert counts == (entry["rows_read"], entry["rows_loaded"], entry["rows_quarantined"]), entry["id"]
            assert [(q.line_number, q.field) for q in quarantined] == [
                (q["line"], q["field"]) for q in entry["quarantined"]
            ], entry["id"]
            assert all(q.reason for q in quarantined)
            _assert_every_line_once(
                faulty_world / entry["file"],
                table_by_name(entry["table"]),
                [r._line_number for r in in_raw],
                quarantined,
            )


def _assert_every_line_once(path, table, raw_lines, quarantined):
    """Every data line of the file is in raw or in quarantine, not both, not twice; quarantine keeps the text."""
    lines = _physical_lines(path, table.encoding)
    first = 2 if table.file_format == "csv" else 1
    data_lines = list(range(first, len(lines) + 1))
    everywhere = sorted(raw_lines + [q.line_number for q in quarantined])
    assert everywhere == data_lines, f"{path.name}: lines lost or loaded twice"
    for q in quarantined:
        assert q.raw_line == lines[q.line_number - 1], f"{path.name} line {q.line_number}: raw line differs"
        if (
            table.file_format == "csv"
            and q.field
            and not q.reason.startswith(("duplicate", "conflict"))
            and q.reason != NUL_REASON
        ):
            # The reason is the contract's own, for the value as delivered ("N/A" is a bad value, not a null).
            value = next(csv.reader([q.raw_line]))[table.column_names.index(q.field)]
            assert q.reason == table.column(q.field).problem(value), (path.name, q.line_number)


def test_genuine_files_load_whole_and_the_manifest_reconciles(faulty_world, loaded):
    engine, results = loaded
    fault_files = {entry["file"] for entry in read_catalogue(faulty_world)}
    genuine = [r for path, r in results.items() if path not in fault_files]
    assert genuine and all(r.status == "loaded" and r.rows_quarantined == 0 for r in genuine)
    for feed in FEEDS:
        for landed in landed_files(faulty_world, feed):
            relative = landed.path.relative_to(faulty_world).as_posix()
            if relative in fault_files:
                continue
            with landed.path.open(
                encoding="utf-8-sig" if landed.table.encoding == "utf-8" else landed.table.encoding, newline=""
            ) as handle:
                delivered = (
                    sum(1 for _ in csv.reader(handle)) - 1
                    if landed.table.file_format == "csv"
                    else sum(1 for line in handle if line.strip())
                )
            assert results[relative].rows_loaded == delivered, relative
    mismatched = _rows(
        engine, "select source_file from audit.load_manifest where rows_read <> rows_loaded + rows_quarantined"
    )
    assert mismatched == []
    for table in ("settlement_transactions", "tax_filings", "court_records"):
        ((in_raw,),) = _rows(engine, f"select count(*) from raw.{table}")
        ((recorded,),) = _rows(
            engine,
            "select coalesce(sum(rows_loaded), 0) from audit.load_manifest "
            "where raw_table = :t and status in ('loaded', 'replaced')",
            t=table,
        )
        assert in_raw == recorded, table


def test_a_rerun_changes_nothing(faulty_world, loaded):
    engine, first = loaded
    before = _rows(engine, "select count(*), max(load_id) from audit.load_manifest")
    raw_before = _rows(engine, "select count(*) from raw.settlement_transactions")
    again = _load_everything(engine, faulty_world)
    assert all(r.already_recorded for r in again.values())
    assert {p: r.status for p, r in again.items()} == {p: r.status for p, r in first.items()}
    assert _rows(engine, "select count(*), max(load_id) from audit.load_manifest") == before
    assert _rows(engine, "select count(*) from raw.settlement_transactions") == raw_before


def test_the_feed_policy_fails_own_systems_and_warns_for_outside_providers(faulty_world, prepared_db):
    engine = warehouse.engine()
    latest = latest_delivery_date(faulty_world)  # the real latest: the catalogue has a folder dated 2099
    with pytest.raises(
        loader.LoadError,
        match=r"enterprise_master_\d+_extra_column\.csv: rejected, line 1, "
        r"column source_system",
    ):
        loader.load_feed(engine, faulty_world, "enterprise", latest, log=lambda _: None)
    utilities = loader.load_feed(engine, faulty_world, "utilities", latest, log=lambda _: None)
    rejected = sum(e["table"] == "utility_bills" and e["action"] == "reject" for e in read_catalogue(faulty_world))
    assert rejected >= 3 and any(f"{rejected} file(s) rejected" in w for w in utilities.warnings)
    # Re-running the day reaches the same verdict: the failure does not go away by retrying.
    with pytest.raises(loader.LoadError):
        loader.load_feed(engine, faulty_world, "enterprise", latest, log=lambda _: None)


def _big_settlement_file(landing, rows: int):
    """A settlement delivery of `rows` valid rows, large enough that its COPY can be caught in flight."""
    table = table_by_name("settlement_transactions")
    source = [f for f in landed_files(landing, "settlement") if not f.is_part][-1]
    with source.path.open(encoding="utf-8", newline="") as handle:
        header, *sample = list(csv.reader(handle))
    day = source.delivery_date + dt.timedelta(days=1)
    folder = landing / "settlement" / f"delivery_date={day.isoformat()}"
    folder.mkdir(parents=True)
    path = folder / table.file_name(day)
    txn_id = header.index("txn_id")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for number in range(rows):
            row = list(sample[number % len(sample)])
            row[txn_id] = f"{day:%Y%m%d}{number:010d}"
            writer.writerow(row)
    return path, day


def _loading_in_background(engine, landed, landing) -> tuple[threading.Thread, dict]:
    """A thread that loads `landed` (not started yet), and where its result or its error will be."""
    outcome = {}

    def load():
        try:
            outcome["result"] = loader.load_file(engine, landed, landing)
        except Exception as error:  # noqa: BLE001 - the killed load's error is what the test inspects
            outcome["error"] = error

    return threading.Thread(target=load), outcome


def test_a_load_killed_mid_file_leaves_nothing_and_the_rerun_is_exact(tiny_world, tmp_path, fresh_db):
    landing = tmp_path / "landing"
    shutil.copytree(tiny_world / "settlement", landing / "settlement")
    rows = 600_000
    path, day = _big_settlement_file(landing, rows)
    relative = path.relative_to(landing).as_posix()
    engine = warehouse.engine()
    loader.ensure_schemas(engine, log=lambda _: None)
    landed = next(f for f in landed_files(landing, "settlement") if f.path == path)
    database = engine.url.database

    worker, outcome = _loading_in_background(engine, landed, landing)
    killed = False
    with engine.connect() as watcher:
        worker.start()
        deadline = time.monotonic() + 60
        while worker.is_alive() and time.monotonic() < deadline and not killed:
            killed = bool(
                watcher.execute(
                    text(
                        "select pg_terminate_backend(pid) from pg_stat_activity where datname = :d "
                        "and pid <> pg_backend_pid() and query ilike 'copy %' and state = 'active'"
                    ),
                    {"d": database},
                )
                .scalars()
                .all()
            )
            watcher.commit()  # pg_stat_activity is a snapshot per transaction
            time.sleep(0.005)
        worker.join()
    assert killed and "error" in outcome, f"the COPY was not caught in flight: {outcome}"

    counts = _rows(
        engine,
        f"select (select count(*) from raw.settlement_transactions where {OF_FILE}), "
        "(select count(*) from audit.load_manifest where source_file = :file)",
        file=relative,
    )
    assert counts == [(0, 0)], "a killed load left rows or a manifest entry behind"

    result = loader.load_file(engine, landed, landing)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == ("loaded", rows, rows, 0)
    stats = _rows(
        engine,
        "select count(*), count(distinct _line_number), min(_line_number), max(_line_number), "
        f"count(distinct txn_id) from raw.settlement_transactions where {OF_FILE}",
        file=relative,
    )
    assert stats == [(rows, rows, 2, rows + 1, rows)]
    assert loader.load_file(engine, landed, landing).already_recorded


def test_the_warehouse_restarts_after_its_server_is_killed_mid_load_and_the_rerun_is_exact(tiny_world, tmp_path):
    """SIGKILL of the postmaster while a file is being loaded: the server starts again (loads run no DDL), the
    unlogged raw tables come back empty, the feed's next load marks their files lost, and loads them again to
    exactly the delivered rows. A server of its own, so that killing it touches no other test."""
    import os
    import signal

    state = tmp_path / "state"
    previous = os.environ.get("SME_STATE_DIR")
    os.environ["SME_STATE_DIR"] = str(state)
    try:
        server = local_warehouse.ensure_embedded()
        landing = tmp_path / "landing"
        shutil.copytree(tiny_world / "settlement", landing / "settlement")
        rows = 600_000
        path, day = _big_settlement_file(landing, rows)
        url = warehouse.create_database(server, "crash_test")
        engine = warehouse.engine_for(url)
        earlier = [f for f in landed_files(landing, "settlement") if f.path != path]
        _load_everything_of(engine, landing, earlier)
        expected = sum(1 for f in earlier for _ in f.path.open(encoding="utf-8")) - len(earlier) + rows
        landed = next(f for f in landed_files(landing, "settlement") if f.path == path)

        postmaster = int((state / "postgres" / "pgdata" / "postmaster.pid").read_text().split()[0])
        worker, outcome = _loading_in_background(engine, landed, landing)
        with engine.connect() as watcher:
            worker.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                copying = watcher.execute(
                    text("select count(*) from pg_stat_activity where query ilike 'copy %' and state = 'active'")
                ).scalar()
                watcher.commit()
                if copying:
                    os.kill(postmaster, signal.SIGKILL)
                    break
                time.sleep(0.005)
        worker.join()
        assert "error" in outcome, f"the load was not caught in flight: {outcome}"
        engine.dispose()
        warehouse.engine_for.cache_clear()
        time.sleep(2)  # the killed postmaster's backends notice and exit

        assert local_warehouse.ensure_embedded() == server, "the warehouse did not start again"
        engine = warehouse.engine_for(url)
        # what the load task's retry runs: the warehouse was prepared before the crash, not again after it
        loader.load_feed(engine, landing, "settlement", day, log=lambda _: None)
        assert _rows(engine, "select count(*) from raw.settlement_transactions") == [(expected,)]
        assert _rows(
            engine,
            "select count(*) filter (where status in ('loaded', 'replaced')), sum(rows_loaded) filter "
            "(where status in ('loaded', 'replaced')) from audit.load_manifest",
        ) == [(len(earlier) + 1, expected)]
    finally:
        warehouse.engine_for.cache_clear()
        local_warehouse.stop_embedded()
        if previous is None:
            os.environ.pop("SME_STATE_DIR", None)
        else:
            os.environ["SME_STATE_DIR"] = previous


def _load_everything_of(engine, landing, files) -> None:
    loader.ensure_schemas(engine, log=lambda _: None)
    known = KnownGoodValues()
    for landed in files:
        loader.load_file(engine, landed, landing, known)

"""The daily build on a real PostgreSQL with the real dbt project and GX gates (tiny world): daily settlement
signals computed exactly, increments equal to full rebuilds, past dates rebuilt exactly in any order, a corrected
re-delivery re-deriving exactly its day, and write-audit-publish (a failed marts gate publishes nothing).

Two warehouses, each built date by date with `pipeline.run_day` (the DAG tasks' functions, plain `dbt build`):
- `forward`: D1 then D2 (incremental), the usual daily order;
- `backward`: D2 first, on a fresh warehouse (a full build), then D1 (a backfill of the earlier date).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import re
import shutil
import unicodedata
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.orchestration import pipeline
from sme_credit.publish import marts
from sme_credit.quality import data_docs, gates
from sme_credit.transform import dbt_runner
from tests.conftest import _fresh_database

D1, D2, D3 = dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)
MARTS = ("customer_features", "customer_risk_tiers", "early_warning_signals", "precredit_pool", "precredit_candidates")
ACCOUNT_DAYS = "intermediate.int_settlement_transactions_aggregated_to_account_days"
DAILY = ("inflow_30d", "outflow_30d", "net_flow_30d", "inflow_90d", "days_since_last_inflow", "latest_balance")
# tables kept while their input key stays (dbt_project/macros/input_keys.sql): D2 brings settlement of the as-of
# month only, so none of them changes from D1 to D2
SETTLEMENT_FLOWS = "intermediate.int_settlement_transactions_aggregated_to_enterprises"
KEPT = (
    "intermediate.int_settlement_transactions_aggregated_to_months",
    "intermediate.int_settlement_counterparties_aggregated_to_enterprises",
    SETTLEMENT_FLOWS,
    "intermediate.int_tax_filings_aggregated_to_enterprises",
    "intermediate.int_tax_credit_ratings_aggregated_to_enterprises",
    "staging.stg_tax__filings",
    "staging.stg_tax__credit_ratings",
    "staging.stg_utilities__bills",
    "staging.stg_court__records",
    "staging.stg_enterprise__enterprises",
)


def _quiet(_message: str) -> None:
    pass


class Warehouse:
    """A fresh database with its own GX state, built day by day from a landing area."""

    def __init__(self, server: str, landing, state, prefix: str):
        self.server, self.landing, self.state = server, landing, state
        self.name, self.url = _fresh_database(server, prefix)

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in ("WAREHOUSE_URL", "SME_STATE_DIR", "PGDATABASE")}
        os.environ.update({"WAREHOUSE_URL": self.url, "SME_STATE_DIR": str(self.state)})
        from sme_credit import settings

        os.environ.update(settings.libpq_env(self.url))
        return self

    def __exit__(self, *exc):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        warehouse.engine_for.cache_clear()

    def run_day(self, day: dt.date) -> None:
        pipeline.run_day(day, self.landing, log=_quiet)

    def rows(self, sql: str, **params) -> list[tuple]:
        with warehouse.engine_for(self.url).connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def slice(self, relation: str, day: dt.date, columns: str = "*") -> set[tuple]:
        return set(self.rows(f"select {columns} from {relation} where as_of_date = :d", d=day))

    def drop(self) -> None:
        warehouse.engine_for.cache_clear()
        warehouse.drop_database(self.server, self.name)


@pytest.fixture(scope="module")
def landing(tmp_path_factory, tiny_world):
    copy = tmp_path_factory.mktemp("daily") / "landing"
    shutil.copytree(tiny_world, copy)
    return copy


@pytest.fixture(scope="module")
def forward(server_url, landing, tmp_path_factory):
    """D1, then D2: the daily order. Keeps what each date published for later comparisons."""
    store = Warehouse(server_url, landing, tmp_path_factory.mktemp("forward-state"), "daily_fwd")
    with store:
        store.run_day(D1)
        store.first_d1 = {mart: store.slice(f"marts.{mart}", D1) for mart in MARTS}
        store.history_after_d1 = set(store.rows("select * from marts.customer_risk_tiers_history"))
        store.kept_after_d1 = {relation: _row_versions(store, relation) for relation in KEPT}
        store.run_day(D2)
    yield store
    store.drop()


@pytest.fixture(scope="module")
def backward(server_url, landing, tmp_path_factory, forward):
    """D2 on a fresh warehouse (everything built from scratch), then the earlier D1."""
    store = Warehouse(server_url, landing, tmp_path_factory.mktemp("backward-state"), "daily_bwd")
    with store:
        store.run_day(D2)
        store.first_d2 = {mart: store.slice(f"marts.{mart}", D2) for mart in MARTS}
        store.run_day(D1)
    yield store
    store.drop()


def _row_versions(store: Warehouse, relation: str) -> tuple:
    """The input keys of a table and the transactions that wrote its rows: equal only if no row was rewritten."""
    return tuple(
        store.rows(
            f"select input_key, count(*), min(xmin::text::bigint), max(xmin::text::bigint) from {relation} group by 1"
        )
    )


def _bookings(landing, up_to: dt.date) -> list[dict]:
    """Every settlement row delivered on or before `up_to`, read from the landing files as delivered."""
    rows = []
    for path in sorted((landing / "settlement").rglob("settlement_transactions_*.csv")):
        delivered = dt.date.fromisoformat(path.parent.name.split("=")[1])
        if delivered <= up_to:
            rows.extend(csv.DictReader(path.open(encoding="utf-8")))
    return rows


def test_daily_settlement_columns_are_exactly_the_bookings_before_the_as_of_date(forward, landing):
    expected: dict[str, dict] = defaultdict(lambda: dict.fromkeys(("in30", "out30", "in90"), Decimal(0)))
    last_inflow: dict[str, dt.date] = {}
    latest: dict[str, tuple] = {}
    for row in _bookings(landing, D2):
        booked = dt.datetime.fromisoformat(row["txn_ts"])
        if booked.date() >= D2:
            continue
        amount, firm = Decimal(row["amount"]), expected[row["uscc"]]
        age = (D2 - booked.date()).days
        if row["direction"] == "C":
            firm["in90"] += amount if age <= 90 else 0
            firm["in30"] += amount if age <= 30 else 0
            last_inflow[row["uscc"]] = max(last_inflow.get(row["uscc"], booked.date()), booked.date())
        elif age <= 30:
            firm["out30"] += amount
        key = (booked, row["txn_id"])
        if row["account_no"] not in latest or key > latest[row["account_no"]][0]:
            latest[row["account_no"]] = (key, row["uscc"], Decimal(row["balance_after"]))
    balances: dict[str, Decimal] = defaultdict(Decimal)
    for _key, uscc, balance in latest.values():
        balances[uscc] += balance

    features = forward.rows(f"select uscc, {', '.join(DAILY)} from marts.customer_features where as_of_date = :d", d=D2)
    assert len(features) > 100
    with_settlement = 0
    for uscc, in30, out30, net30, in90, days_since, balance in features:
        firm = expected.get(uscc, dict.fromkeys(("in30", "out30", "in90"), Decimal(0)))
        assert (in30, out30, in90) == (firm["in30"], firm["out30"], firm["in90"]), uscc
        assert net30 == in30 - out30
        assert days_since == ((D2 - last_inflow[uscc]).days if uscc in last_inflow else None), uscc
        assert balance == balances.get(uscc), uscc
        with_settlement += uscc in balances
    assert with_settlement > 100


def _counterparty(row: dict) -> str | None:
    """Who a settlement row's counterparty is: its account when known, else its name in one canonical spelling
    (NFKC, no white space, one company suffix)."""
    if row["counterparty_account"]:
        return "account " + row["counterparty_account"].strip() if row["counterparty_account"].strip() else None
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", row["counterparty_name"]))
    return "name " + name.replace("有限责任公司", "有限公司") if name else None


def test_counterparty_features_are_exactly_the_window_of_complete_months(forward, landing):
    """Counted from the files as delivered: the counterparties of the 12 complete months before the as-of month,
    both directions, and the payments in whose name is the legal representative's (compared by its keyed
    pseudonym, all staging holds of the name)."""
    window_start, window_end = dt.date(D2.year - 1, D2.month, 1), D2.replace(day=1)
    latest_versions = {row["txn_id"]: row for row in _bookings(landing, D2)}  # files in delivery order
    counterparties: dict[str, set] = defaultdict(set)
    named_inflows: dict[str, list[str]] = defaultdict(list)
    for row in latest_versions.values():
        if window_start <= dt.datetime.fromisoformat(row["txn_ts"]).date() < window_end:
            if (counterparty := _counterparty(row)) is not None:
                counterparties[row["uscc"]].add(counterparty)
            if row["direction"] == "C" and row["counterparty_name"].strip():
                named_inflows[row["uscc"]].append(row["counterparty_name"].strip())
    representatives = dict(forward.rows("select uscc, legal_rep_name_hash from staging.stg_enterprise__enterprises"))
    with forward:
        key = settings.pii_hash_key()  # the warehouse's own (made in its state folder)

    def pseudonym(name: str) -> str:
        return hmac.new(key.encode(), name.encode(), hashlib.sha256).hexdigest()

    features = forward.rows(
        "select uscc, counterparty_count_12m, owner_top_ups_12m from marts.customer_features where as_of_date = :d",
        d=D2,
    )
    top_ups = 0
    for uscc, count, owner_top_ups in features:
        assert (count or 0) == len(counterparties[uscc]), uscc
        expected = sum(pseudonym(name) == representatives.get(uscc) for name in named_inflows[uscc])
        assert (owner_top_ups or 0) == expected, uscc
        top_ups += expected
    assert sum(len(found) > 0 for found in counterparties.values()) > 100 and top_ups > 0


def test_the_next_day_moves_the_daily_signals_and_keeps_the_monthly_windows(forward):
    def by_firm(day, columns):
        return {
            row[0]: row[1:]
            for row in forward.rows(f"select uscc, {columns} from marts.customer_features where as_of_date = :d", d=day)
        }

    monthly = "inflow_3m, inflow_12m, outflow_12m, counterparty_count_12m, owner_top_ups_12m, avg_balance_3m"
    assert by_firm(D1, monthly) == by_firm(D2, monthly)
    daily_d1, daily_d2 = by_firm(D1, ", ".join(DAILY)), by_firm(D2, ", ".join(DAILY))
    moved = sum(daily_d1[uscc] != daily_d2[uscc] for uscc in daily_d2)
    assert moved > len(daily_d2) / 2


def test_the_next_day_keeps_the_tables_whose_inputs_did_not_change(forward):
    for relation in KEPT:
        (key, rows, _, _), *others = forward.kept_after_d1[relation]
        assert rows > 0 and not others, relation  # one input key per table
        assert _row_versions(forward, relation) == forward.kept_after_d1[relation], relation
    # validated once per input key: the staging gate recorded every kept table's key, so neither the gate nor
    # the dbt tests read those rows again
    recorded = set(forward.rows("select relation, input_key from audit.validated_input_keys"))
    for relation in KEPT:
        assert (relation, forward.kept_after_d1[relation][0][0]) in recorded, relation
    # the increment re-derived the daily aggregates: D2's delivery is there
    assert forward.rows(f"select count(*) from {ACCOUNT_DAYS} where delivered_on = :d", d=D2)[0][0] > 0


def test_an_increment_gives_the_rows_of_a_full_build(forward, backward):
    # backward built D2 on an empty warehouse; forward built it incrementally on top of D1. The pool's trigger
    # columns legitimately differ (backward had no earlier date then), everything else must not.
    for mart in ("customer_features", "customer_risk_tiers", "early_warning_signals", "precredit_candidates"):
        assert forward.slice(f"marts.{mart}", D2) == backward.first_d2[mart], mart
    columns = "uscc, pool_status, missed_condition, score, suggested_limit, suggested_product"
    assert forward.slice("marts.precredit_pool", D2, columns) == backward.slice("marts.precredit_pool", D2, columns)


def test_a_past_date_built_after_a_later_one_gives_the_rows_it_had_when_built_first(forward, backward):
    for mart in MARTS:
        assert backward.slice(f"marts.{mart}", D1) == forward.first_d1[mart], mart
    # the tier history reads in business dates whatever order the dates were published in
    history = "select * from marts.customer_risk_tiers_history order by uscc, valid_from"
    assert backward.rows(history) == forward.rows(history)
    assert len(forward.rows(history)) >= len(forward.history_after_d1)


def test_rebuilding_a_date_again_changes_nothing(forward):
    before = {mart: forward.slice(f"marts.{mart}", D2) for mart in MARTS}
    history = set(forward.rows("select * from marts.customer_risk_tiers_history"))
    comments = forward.rows(COMMENT_VERSIONS)
    with forward:
        forward.run_day(D2)
    assert {mart: forward.slice(f"marts.{mart}", D2) for mart in MARTS} == before
    assert set(forward.rows("select * from marts.customer_risk_tiers_history")) == history
    # the same docs are not written again (a comment waits for the table's autovacuum to be cancelled)
    assert forward.rows(COMMENT_VERSIONS) == comments


# the row versions of the published marts' comments: a comment written again is a new version
COMMENT_VERSIONS = """
select d.objoid::regclass::text, d.objsubid, d.xmin::text from pg_description d
join pg_class c on c.oid = d.objoid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'marts' order by 1, 2
"""
DESCRIBED = """
select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a
where a.attrelid = cast(:relation as regclass) and a.attnum > 0 and not a.attisdropped
union all
select '', obj_description(cast(:relation as regclass), 'pg_class')
"""


def test_the_published_marts_carry_their_builds_docs_and_statistics_of_the_new_date(forward):
    for mart in marts.MARTS:
        build = dict(forward.rows(DESCRIBED, relation=f"marts_build.{mart}"))
        published = dict(forward.rows(DESCRIBED, relation=f"marts.{mart}"))
        assert build[""] and {column: published.get(column) for column in build} == build, mart
    history = dict(forward.rows(DESCRIBED, relation=marts.HISTORY))
    assert history == {"": marts.HISTORY_TABLE_COMMENT, **marts.HISTORY_COMMENTS}
    # analysed on publication: the planner knows the new date's rows before autovacuum comes by
    for mart in ("customer_features", "customer_score_points", "early_warning_signals"):
        (values,) = forward.rows(
            "select most_common_vals::text from pg_stats "
            "where schemaname = 'marts' and tablename = :mart and attname = 'as_of_date'",
            mart=mart,
        )[0]
        assert D2.isoformat() in values, mart


def test_a_failed_marts_gate_leaves_the_published_marts_as_they_were(forward):
    published = {mart: forward.rows(f"select count(*), max(as_of_date) from marts.{mart}") for mart in MARTS}
    with forward:
        with pytest.raises(gates.DataQualityError):  # on the row of another date slipped in below
            pipeline.run_day(D3, forward.landing, step=_break_features_before_the_gate, log=_quiet)
        assert forward.rows("select count(*) from marts_build.customer_features where as_of_date = :d", d=D3)
    assert {mart: forward.rows(f"select count(*), max(as_of_date) from marts.{mart}") for mart in MARTS} == published


def test_the_staging_gate_checks_the_account_days_the_build_just_wrote(forward):
    """The suite of the per-account daily aggregates runs on the batch the last build wrote (highest
    batch_load_id): an account-day that counts a credit but sums no inflow fails the gate, naming the table."""
    latest = f"batch_load_id = (select max(batch_load_id) from {ACCOUNT_DAYS})"
    row = f"account_no = :a and booking_date = :b and delivered_on = :d and {latest}"
    with forward:
        with warehouse.engine().begin() as conn:
            account_no, booked, delivered, inflow, credits = conn.execute(
                text(
                    f"select account_no, booking_date, delivered_on, inflow, inflow_count from {ACCOUNT_DAYS} "
                    f"where {latest} limit 1"
                )
            ).one()
            key = {"a": account_no, "b": booked, "d": delivered}
            conn.execute(text(f"update {ACCOUNT_DAYS} set inflow = 0, inflow_count = 1 where {row}"), key)
        try:
            with pytest.raises(gates.DataQualityError, match=ACCOUNT_DAYS):
                pipeline.validate_staging(D2.isoformat())
        finally:
            with warehouse.engine().begin() as conn:
                conn.execute(
                    text(f"update {ACCOUNT_DAYS} set inflow = :i, inflow_count = :c where {row}"),
                    {"i": inflow, "c": credits, **key},
                )
        pipeline.validate_staging(D2.isoformat())  # restored: it passes


def _break_features_before_the_gate(name, function, *args, **kwargs):
    if function is pipeline.validate_marts:
        with warehouse.engine().begin() as conn:
            broken = conn.execute(
                text(
                    "update marts_build.customer_features set as_of_date = as_of_date - 1 "
                    "where uscc = (select min(uscc) from marts_build.customer_features) returning uscc, as_of_date"
                )
            ).one()
        try:
            return function(*args, **kwargs)
        except gates.DataQualityError as error:
            # the message leads to the fix: the check, the row (key and date) and the validation's Data Docs page
            message = str(error)
            assert "marts.customer_features" in message and "as_of_date" in message
            assert f"row uscc={broken.uscc}, as_of_date={broken.as_of_date}" in message, message
            docs = re.search(r"Data Docs: file://(\S+/validations/marts/customer_features/\S+\.html)", message)
            assert docs and Path(unquote(docs.group(1))).is_file(), message
            # and that page, like every page of the site, loads nothing from the network
            site = gates.data_docs_index().parent
            assert {str(page): data_docs.remote_loads(page) for page in site.rglob("*.html")} == {
                str(page): [] for page in site.rglob("*.html")
            }
            raise
    return function(*args, **kwargs)


def test_a_corrected_redelivery_rederives_exactly_its_delivery(backward, landing, tmp_path):
    """An old settlement file delivered again with one amount corrected: the incremental models re-derive that
    delivery date alone, and the features equal a build from scratch over the corrected data."""
    corrected_landing = tmp_path / "landing"
    shutil.copytree(landing, corrected_landing)
    path = sorted((corrected_landing / "settlement").rglob("settlement_transactions_*.csv"))[-20]
    delivered = dt.date.fromisoformat(path.parent.name.split("=")[1])
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    credit = next(i for i, line in enumerate(lines[1:], 1) if line.split(",")[header.index("direction")] == "C")
    fields = lines[credit].split(",")
    txn_id = fields[header.index("txn_id")]
    fields[header.index("amount")] = f"{Decimal(fields[header.index('amount')]) + 1000:.2f}"
    lines[credit] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    dedup = "pii.int_settlement_transactions_deduplicated"
    batches_before = dict(backward.rows(f"select delivered_on, max(batch_load_id) from {ACCOUNT_DAYS} group by 1"))
    months = "select distinct input_key from intermediate.int_settlement_transactions_aggregated_to_months"
    months_key_before = backward.rows(months)
    flows = f"select distinct input_key from {SETTLEMENT_FLOWS}"
    flows_key_before = backward.rows(flows)
    backward.landing = corrected_landing
    with backward:
        backward.run_day(D2)
    batches_after = dict(backward.rows(f"select delivered_on, max(batch_load_id) from {ACCOUNT_DAYS} group by 1"))
    rewritten = {day for day in batches_after if batches_after[day] != batches_before.get(day)}
    assert rewritten == {delivered}
    # the corrected booking lies before the as-of month: the 12-month windows are computed again, and so are the
    # firms' flows over them (their key is the windows' keys)
    assert len(backward.rows(months)) == 1 and backward.rows(months) != months_key_before
    assert len(backward.rows(flows)) == 1 and backward.rows(flows) != flows_key_before
    assert backward.rows(f"select amount::text from {dedup} where txn_id = :t", t=txn_id) == [
        (fields[header.index("amount")],)
    ]

    fresh = Warehouse(backward.server, corrected_landing, tmp_path / "fresh-state", "daily_fresh")
    try:
        with fresh:
            fresh.run_day(D2)
        for mart in ("customer_features", "customer_risk_tiers", "early_warning_signals"):
            assert backward.slice(f"marts.{mart}", D2) == fresh.slice(f"marts.{mart}", D2), mart
    finally:
        fresh.drop()


def test_a_transaction_repeated_in_a_second_part_of_its_delivery_is_kept_once(backward, tmp_path):
    """A second part of a day's settlement delivery repeats two rows of the day's main file, unchanged: the
    deduplicated settlement keeps each transaction once for that delivery, and every other row as it was.
    Repeats are looked for only in loads whose txn_id range meets another load's (macro
    settlement_loads_sharing_keys): the part's range lies inside the main file's."""
    repeated_landing = tmp_path / "landing"
    shutil.copytree(backward.landing, repeated_landing)
    main_file = repeated_landing / "settlement" / f"delivery_date={D2}" / f"settlement_transactions_{D2:%Y%m%d}.csv"
    header, *rows = main_file.read_text(encoding="utf-8").splitlines()
    repeats = [rows[3], rows[len(rows) // 2]]
    (main_file.parent / f"settlement_transactions_{D2:%Y%m%d}_2.csv").write_text(
        "\n".join([header, *repeats]) + "\n", encoding="utf-8"
    )

    dedup = "pii.int_settlement_transactions_deduplicated"
    everything = f"select txn_id, delivered_on, amount, superseded_on from {dedup} order by 1, 2"
    before = backward.rows(everything)
    backward.landing = repeated_landing
    with backward:
        backward.run_day(D2)
    loads = backward.rows(
        "select count(*) from audit.load_manifest where raw_table = 'settlement_transactions' "
        "and delivery_date = :d and rows_loaded > 0",
        d=D2,
    )
    assert loads == [(2,)]  # the part was loaded beside the main file
    assert backward.rows(everything) == before
    # the versions list both rows of each repeat, one of them standing for the delivery, superseded by none
    versions = backward.rows(
        "select txn_id, count(*), count(*) filter (where is_kept), count(superseded_on) "
        "from intermediate.int_settlement_transaction_versions where delivered_on = :d group by 1 order by 1",
        d=D2,
    )
    assert versions == sorted((row.split(",")[0], 2, 1, 0) for row in repeats)


def test_a_table_kept_by_input_key_from_a_version_that_did_not_keep_it_is_computed_again(backward):
    """An upgrade that starts keeping a table by input key needs nothing by hand: the table of the older
    version, without input_key and with a column the model no longer has, takes the model's columns and rows."""
    schema, table = SETTLEMENT_FLOWS.split(".")
    columns = (
        "select column_name from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
    )
    expected_columns, expected_rows = backward.rows(columns), set(backward.rows(f"select * from {SETTLEMENT_FLOWS}"))
    with backward:
        with warehouse.engine().begin() as conn:
            conn.execute(text(f"alter table {SETTLEMENT_FLOWS} drop column input_key, add column inflow_30d numeric"))
            conn.execute(text(f"update {SETTLEMENT_FLOWS} set inflow_12m = 0"))
        # the date the warehouse was built for last: the windows it reads are kept for it
        dbt_runner.run_dbt("build", "--quiet", "-s", table, "--vars", f"{{as_of_date: '{D2}'}}")
    assert backward.rows(columns) == expected_columns
    assert set(backward.rows(f"select * from {SETTLEMENT_FLOWS}")) == expected_rows


def test_an_index_an_older_version_made_on_the_account_days_goes_with_the_next_build(backward):
    """dbt makes an incremental model's indexes only when it creates the table: the index on (uscc,
    booking_date) that older versions made would stay in an upgraded warehouse, kept up to date by every insert.
    The next build drops it and leaves the model's own indexes."""
    schema, table = ACCOUNT_DAYS.split(".")
    indexes = f"select indexdef from pg_indexes where schemaname = '{schema}' and tablename = '{table}'"
    own = set(backward.rows(indexes))
    with backward:
        with warehouse.engine().begin() as conn:
            conn.execute(text(f"create index account_days_uscc_booking_date on {ACCOUNT_DAYS} (uscc, booking_date)"))
        assert len(backward.rows(indexes)) == len(own) + 1
        dbt_runner.run_dbt("run", "--quiet", "-s", table, "--vars", f"{{as_of_date: '{D1}'}}")
    assert set(backward.rows(indexes)) == own
    assert len(own) == 4

"""Access where it belongs, on a warehouse built by the real pipeline (tiny world, one date): each role connects
and is shown what it can and cannot do; the PII pseudonyms are keyed, and no PII is in clear outside raw."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from sme_credit import access, warehouse
from sme_credit.publish import lifecycle
from tests.integration.conftest import PII_KEY

LOGINS = {"sme_test_bi": access.READER, "sme_test_risk": access.RISK_TEAM}


@pytest.fixture(scope="module")
def built(published):
    """The published warehouse, with a login role for each reader role."""
    with warehouse.engine_for(published.url).begin() as conn:
        for login, role in LOGINS.items():
            if not conn.execute(text("select exists (select from pg_roles where rolname = :r)"), {"r": login}).scalar():
                conn.execute(text(f"create role {login} login"))
            conn.execute(text(f"grant {role} to {login}"))
    return published.url


def _as(url: str, login: str):
    return create_engine(make_url(url).set(username=login, password=None))


def _can(engine, statement: str, **params) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
        return True
    except DBAPIError as error:
        assert "permission denied" in str(error.orig), error.orig
        return False


def _a_candidate(url: str) -> str:
    with warehouse.engine_for(url).connect() as conn:
        return conn.execute(text("select uscc from tracking.candidates order by uscc limit 1")).scalar_one()


def test_bi_reader_reads_the_outputs_and_nothing_upstream(built):
    bi = _as(built, "sme_test_bi")
    for readable in (
        "marts.customer_risk_tiers",
        "marts.precredit_candidates",
        "marts.customer_risk_tiers_history",
        "reference.tier_policy",
        "tracking.candidates",
        "tracking.candidate_events",
    ):
        assert _can(bi, f"select * from {readable} limit 1"), readable
    for hidden in (
        "raw.enterprise_master",
        "staging.stg_enterprise__enterprises",
        "pii.int_settlement_transactions_deduplicated",
        "pii.stg_settlement__transactions",
        "marts_build.customer_risk_tiers",
        "audit.load_manifest",
        "pii.hash_key",
    ):
        assert not _can(bi, f"select * from {hidden} limit 1"), hidden
    uscc = _a_candidate(built)
    assert not _can(bi, "update tracking.candidates set status = 'contacted' where uscc = :u", u=uscc)
    assert not _can(bi, "select tracking.set_candidate_status(:u, 'contacted', 'bi', null)", u=uscc)


def test_risk_team_changes_statuses_only_through_the_function(built):
    risk = _as(built, "sme_test_risk")
    uscc = _a_candidate(built)
    assert _can(risk, "select * from marts.precredit_pool limit 1")
    assert not _can(risk, "select * from raw.settlement_transactions limit 1")
    assert not _can(risk, "update tracking.candidates set status = 'contacted' where uscc = :u", u=uscc)
    assert not _can(
        risk, "insert into tracking.candidate_events (uscc, event_type, actor) values (:u, 'x', 'y')", u=uscc
    )
    change = lifecycle.set_status(risk, uscc, "contacted", "Zhao Min", note="via the CRM")
    assert change.previous_status == "new"
    with warehouse.engine_for(built).connect() as conn:
        assert conn.execute(text("select status from tracking.candidates where uscc = :u"), {"u": uscc}).scalar() == (
            "contacted"
        )
    assert lifecycle.events(risk, uscc)[-1]["actor"] == "Zhao Min"


def test_a_known_id_cannot_be_pseudonymised_again_without_the_key(built):
    with warehouse.engine_for(built).connect() as conn:
        rep_id, pseudonym = conn.execute(
            text(
                "select m.legal_rep_id_number, e.legal_rep_id_number_hash from raw.enterprise_master as m "
                "join staging.stg_enterprise__enterprises as e using (uscc) "
                "where m.legal_rep_id_number is not null limit 1"
            )
        ).one()
    value = rep_id.strip().encode()
    assert pseudonym == hmac.new(PII_KEY.encode(), value, hashlib.sha256).hexdigest()  # a real HMAC-SHA256 ...
    unkeyed = {hashlib.md5(value).hexdigest(), hashlib.sha256(value).hexdigest()}
    wrong_key = hmac.new(b"a guessed key", value, hashlib.sha256).hexdigest()
    assert pseudonym not in unkeyed | {wrong_key}  # ... that nobody reproduces from the ID alone


def test_no_pii_in_clear_outside_raw(built, published):
    engine = warehouse.engine_for(built)
    with engine.connect() as conn:
        pii = {
            value
            for row in conn.execute(
                text("select legal_rep_name, legal_rep_id_number, legal_rep_phone from raw.enterprise_master")
            )
            for value in row
            if value
        }
        columns = conn.execute(
            text(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type in ('text', 'character varying') and table_schema not in "
                "('raw', 'audit', 'pii', 'information_schema', 'pg_catalog')"
            )
        ).all()
        assert len(pii) > 100 and len(columns) > 50
        found = [
            f"{schema}.{table}.{column}"
            for schema, table, column in columns
            if conn.execute(
                text(f'select exists (select from "{schema}"."{table}" where trim("{column}") = any(:pii))'),
                {"pii": list(pii)},
            ).scalar()
        ]
    assert found == []
    exported = "".join(
        path.read_text(encoding="utf-8-sig")
        for path in [*published.export_dir.rglob("*.csv"), *published.export_dir.rglob("*.html")]
    )
    assert exported and not [value for value in pii if value in exported]


def test_the_retired_pseudonym_cache_goes_with_the_views_that_read_it(built, monkeypatch):
    """A warehouse of the version that kept the counterparties' pseudonyms in a cache: the next migration drops
    the cache and, with it, the staging and intermediate views of that version that read it; the current views
    stay."""
    monkeypatch.setenv("PII_HASH_KEY", PII_KEY)  # the key the warehouse was built with: nothing else is dropped
    engine = warehouse.engine_for(built)
    (retired,) = access.RETIRED
    with engine.begin() as conn:
        conn.execute(text(f"create table {retired} (clear_value text, pseudonym text)"))
        conn.execute(text(f"create view staging.retired_reader as select pseudonym from {retired}"))
        conn.execute(text("create view intermediate.retired_reader as select * from staging.retired_reader"))
    with engine.begin() as conn:
        access.ensure_pii_key(conn, log=lambda _: None)
    with engine.connect() as conn:
        left = [
            conn.execute(text("select to_regclass(:r)::text"), {"r": relation}).scalar()
            for relation in (retired, "staging.retired_reader", "intermediate.retired_reader")
        ]
        settlement = conn.execute(text("select count(*) from pii.int_settlement_transactions_deduplicated")).scalar()
    assert left == [None, None, None] and settlement > 1000

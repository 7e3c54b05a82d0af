"""Who may read what in the warehouse, and the key of the PII pseudonyms: part of the pipeline's migrations.

Roles (cluster-wide, created when missing; NOLOGIN: people and tools get login roles that are members):
- `bi_reader`: reads `marts`, `snapshots`, `reference` and `tracking`; nothing in `raw`, `staging`,
  `intermediate`, `marts_build`, `audit`, `model` or `pii` (no USAGE on them).
- `risk_team`: what `bi_reader` reads, plus status changes through `tracking.set_candidate_status` (EXECUTE),
  never a direct write to a table.
- the pipeline's own role is the role of WAREHOUSE_URL: it owns every object it creates, and default privileges
  make each new table or view in the readable schemas readable by `bi_reader` the moment it is created.

PII pseudonyms are HMAC-SHA256 with the key of `settings.pii_hash_key()`. The database never holds the key
itself, only the two padded forms HMAC needs (table `pii.hash_key`, in a schema no reader can enter), so dbt's
macro `hash_pii` computes HMACs without the key appearing in compiled SQL. A new key makes new pseudonyms: the
derived tables that keep them (schema `intermediate`) are dropped so that the next build derives them again.
Schema `pii` also holds the settlement views that show a counterparty as delivered (dbt models
`stg_settlement__transactions`, `int_settlement_transactions_deduplicated`).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from sme_credit import settings, warehouse

READER, RISK_TEAM = "bi_reader", "risk_team"
READABLE_SCHEMAS = ("marts", "snapshots", "reference", "tracking")
PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "marts_build", "audit", "model", "pii")
# the derived tables that keep pseudonyms, rebuilt by the next dbt build when the key changes
PSEUDONYM_SCHEMAS = ("intermediate",)
# Retired relations, dropped when still there: the cache of settlement counterparties' pseudonyms (the
# counterparties are now pseudonymised per group, in their model's query), with, by cascade, the views of that
# version that read it (staging.stg_settlement__transactions, intermediate.int_settlement_transactions_deduplicated,
# now in schema pii)
RETIRED = ("pii.stg_settlement__counterparty_pseudonyms",)
SET_STATUS_FUNCTION = "tracking.set_candidate_status(text, text, text, text)"
BLOCK = 64  # SHA-256's block size in bytes


def padded_keys(key: str) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104): the key, hashed if longer than a block, zero-padded
    to a block, xor 0x36 and xor 0x5c."""
    raw = key.encode("utf-8")
    if len(raw) > BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in raw), bytes(b ^ 0x5C for b in raw)


def key_fingerprint(key: str) -> str:
    """Names a key without revealing it (to notice a change of key)."""
    return hashlib.sha256(b"sme-credit pii key fingerprint:" + key.encode("utf-8")).hexdigest()[:16]


def ensure_pii_key(conn: Connection, log=print) -> None:
    """Write the padded keys into pii.hash_key (the caller's transaction); on a new key, drop what kept the old
    pseudonyms."""
    key = settings.pii_hash_key()
    fingerprint = key_fingerprint(key)
    conn.execute(text("create schema if not exists pii"))
    conn.execute(text("revoke all on schema pii from public"))
    for relation in RETIRED:
        conn.execute(text(f"drop table if exists {relation} cascade"))
    conn.execute(
        text(
            "create table if not exists pii.hash_key (one_row boolean primary key default true check (one_row), "
            "inner_pad bytea not null, outer_pad bytea not null, fingerprint text not null)"
        )
    )
    warehouse.set_comments(
        conn,
        "pii.hash_key",
        "HMAC-SHA256 padded keys of the PII pseudonyms (macro hash_pii); the pipeline role only.",
        {},
    )
    stored = conn.execute(text("select fingerprint from pii.hash_key")).scalar()
    if stored == fingerprint:
        return
    derived = [
        schema
        for schema in PSEUDONYM_SCHEMAS
        if conn.execute(text("select to_regnamespace(:s) is not null"), {"s": schema}).scalar()
    ]
    if derived:
        log(
            f"the PII key is {'new here' if stored is None else 'a different one'}: dropping schema "
            f"{', '.join(derived)}, whose pseudonyms the next build derives again with it"
        )
        for schema in derived:
            conn.execute(text(f"drop schema {schema} cascade"))
    inner, outer = padded_keys(key)
    conn.execute(text("delete from pii.hash_key"))
    conn.execute(
        text("insert into pii.hash_key (inner_pad, outer_pad, fingerprint) values (:inner, :outer, :fingerprint)"),
        {"inner": inner, "outer": outer, "fingerprint": fingerprint},
    )


def ensure_roles(engine: Engine, log=print) -> None:
    """Create the reader roles when missing and grant them what they may read, now and for tables made later.
    A pipeline role without CREATEROLE cannot create them: then it says what a DBA must run, and grants once
    they exist."""
    with engine.begin() as conn:
        # roles are per server: two databases of one server may set up at once
        conn.execute(text("select pg_advisory_xact_lock(hashtext('sme_credit.access'))"))
        for role in (READER, RISK_TEAM):
            if not conn.execute(text("select exists (select from pg_roles where rolname = :r)"), {"r": role}).scalar():
                try:
                    with conn.begin_nested():
                        conn.execute(text(f"create role {role} nologin"))
                except DBAPIError:
                    log(
                        f"cannot create role {role} (the pipeline's role lacks CREATEROLE): have a DBA run "
                        f"`create role {READER} nologin; create role {RISK_TEAM} nologin;`; the next run grants them "
                        "what they may read. Until then only the pipeline's role can read the warehouse."
                    )
                    return
        conn.execute(text(f"grant {READER} to {RISK_TEAM}"))
        for schema in READABLE_SCHEMAS:
            conn.execute(text(f"create schema if not exists {schema}"))
            conn.execute(text(f"grant usage on schema {schema} to {READER}"))
            # Tables made once the default privileges are set get the grant as they are created. Granting on
            # every existing table locks each one, against a build publishing into them (a deadlock under the
            # real scheduler): only the first migration of a schema does it.
            if not conn.execute(
                text(
                    "select exists (select from pg_default_acl where defaclnamespace = to_regnamespace(:s) "
                    "and defaclrole = (select oid from pg_roles where rolname = current_user))"
                ),
                {"s": schema},
            ).scalar():
                conn.execute(text(f"grant select on all tables in schema {schema} to {READER}"))
                conn.execute(text(f"alter default privileges in schema {schema} grant select on tables to {READER}"))
        for schema in PRIVATE_SCHEMAS:
            if conn.execute(text("select to_regnamespace(:s) is not null"), {"s": schema}).scalar():
                conn.execute(text(f"revoke all on schema {schema} from public, {READER}, {RISK_TEAM}"))
        if conn.execute(text("select to_regprocedure(:f) is not null"), {"f": SET_STATUS_FUNCTION}).scalar():
            conn.execute(text(f"revoke all on function {SET_STATUS_FUNCTION} from public"))
            conn.execute(text(f"grant execute on function {SET_STATUS_FUNCTION} to {RISK_TEAM}"))

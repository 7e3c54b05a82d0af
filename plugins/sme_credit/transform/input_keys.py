"""Which kept tables have been validated for the inputs they hold.

dbt keeps a table while its inputs stay the same (`dbt_project/macros/input_keys.sql`): the table holds the
answer for one input key, in column `input_key`. Validating it again every day would re-read a history that did
not change, so a table is validated once per input key: once its dbt tests and the staging gate have passed,
the key is recorded in `audit.validated_input_keys`. Later builds with the same key skip the table, in the GX
gate (`pipeline.validate_staging`) and in its dbt tests (macro `get_where_subquery`, which reads this table).
A new key (a new delivery, a new month, a correction, a changed model) is validated again.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from sme_credit import warehouse

COLUMN = "input_key"
TABLE = "audit.validated_input_keys"

_DDL = f"""
create schema if not exists audit;
create table if not exists {TABLE} (
    relation text not null,
    {COLUMN} text not null,
    validated_at timestamptz not null default now(),
    primary key (relation, {COLUMN})
);
"""
_COMMENT = (
    "Kept dbt tables validated for the input key they hold (dbt tests and staging gate passed); later builds with "
    "the same key do not validate them again. Delete a row to have its table validated on the next build."
)


def current(engine: Engine, schemas: tuple[str, ...]) -> dict[str, str]:
    """The input key each kept table in `schemas` holds now (`schema.table` -> key); empty tables hold none."""
    with engine.connect() as conn:
        tables: list[str] = list(
            conn.execute(
                text(
                    "select table_schema || '.' || table_name from information_schema.columns "
                    "where table_schema = any(:schemas) and column_name = :column order by 1"
                ),
                {"schemas": list(schemas), "column": COLUMN},
            ).scalars()
        )
        keys: dict[str, str] = {}
        for relation in list(tables):
            key = conn.execute(text(f"select {COLUMN} from {relation} limit 1")).scalar()
            if key is not None:
                keys[relation] = key
        return keys


def validated(engine: Engine, keys: dict[str, str]) -> dict[str, str]:
    """Of `keys`, the tables whose key was validated before, with when (none before the first record)."""
    with engine.connect() as conn:
        if conn.execute(text("select to_regclass(:table)"), {"table": TABLE}).scalar() is None:
            return {}
        rows = conn.execute(text(f"select relation, {COLUMN}, validated_at::text from {TABLE}")).tuples().all()
    return {str(relation): str(at) for relation, key, at in rows if keys.get(str(relation)) == key}


def record(engine: Engine, keys: dict[str, str]) -> None:
    """Record that each table was validated for the key it holds."""
    if not keys:
        return
    with engine.begin() as conn:
        conn.execute(text(_DDL))
        warehouse.set_comments(conn, TABLE, _COMMENT, {})
        conn.execute(
            text(f"insert into {TABLE} (relation, {COLUMN}) values (:relation, :key) on conflict do nothing"),
            [{"relation": relation, "key": key} for relation, key in keys.items()],
        )

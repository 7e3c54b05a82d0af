"""The project's own dbt tests fail on the rows they exist to catch, and say where: here not_null_columns, the one
not-null test per model, on the published warehouse's last build (marts_build, which no reader uses), and the
point-in-time test of staging, which reads a kept table only for an input key not validated yet."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.transform import dbt_runner


def _compiled_models():
    """The SQL of the tests the last dbt invocation compiled."""
    return dbt_runner.target_dir() / "compiled" / "sme_credit" / "models"


@pytest.fixture
def engine(published, monkeypatch, tmp_path):
    """dbt and the engine on the published warehouse, with GX and dbt state of the test's own."""
    monkeypatch.setenv("WAREHOUSE_URL", published.url)
    monkeypatch.setenv("SME_STATE_DIR", str(tmp_path))
    for name, value in settings.libpq_env(published.url).items():
        monkeypatch.setenv(name, value)
    return warehouse.engine_for(published.url)


def test_a_null_fails_the_model_s_not_null_test_naming_the_column_and_its_rows(published, engine):
    as_of = f"{{as_of_date: '{published.dates[-1]}'}}"
    select = ("--select", "not_null_customer_features", "--vars", as_of)
    dbt_runner.run_dbt("test", "--quiet", *select)  # passes on the build as it is

    with engine.begin() as conn:
        firms = conn.execute(text("select uscc from marts_build.customer_features order by uscc limit 2")).scalars()
        firms = list(firms)
        saved = conn.execute(
            text("select uscc, inflow_30d, enterprise_name from marts_build.customer_features where uscc = any(:f)"),
            {"f": firms},
        ).all()
        conn.execute(
            text("update marts_build.customer_features set inflow_30d = null where uscc = any(:f)"), {"f": firms}
        )
        conn.execute(
            text("update marts_build.customer_features set enterprise_name = null where uscc = :f"), {"f": firms[0]}
        )
    try:
        with pytest.raises(RuntimeError, match="dbt test"):
            dbt_runner.run_dbt("test", "--quiet", *select)
        # the test's query (as dbt compiled it) names each column holding NULLs, with how many rows
        compiled = next(_compiled_models().rglob("not_null_customer_features.sql")).read_text(encoding="utf-8")
        with engine.connect() as conn:
            failures = dict(conn.execute(text(compiled)).all())
        assert failures == {"inflow_30d": 2, "enterprise_name": 1}
    finally:
        with engine.begin() as conn:
            for uscc, inflow_30d, enterprise_name in saved:
                conn.execute(
                    text(
                        "update marts_build.customer_features set inflow_30d = :i, enterprise_name = :n where uscc = :u"
                    ),
                    {"i": inflow_30d, "n": enterprise_name, "u": uscc},
                )


def test_a_delivery_after_the_as_of_date_fails_the_point_in_time_test_unless_its_key_was_validated(published, engine):
    as_of = published.dates[-1]
    select = ("--select", "assert_staging_sees_no_delivery_after_as_of_date", "--vars", f"{{as_of_date: '{as_of}'}}")
    table = "staging.stg_court__records"
    with engine.begin() as conn:
        record, delivered_on, key = conn.execute(
            text(f"select record_id, delivered_on, input_key from {table} order by record_id limit 1")
        ).one()
        conn.execute(
            text(f"update {table} set delivered_on = :d where record_id = :r"), {"d": "2999-01-01", "r": record}
        )
    try:
        # the key the staging gate validated: the same loads, so the rows are not read again (a daily build's case)
        dbt_runner.run_dbt("test", "--quiet", *select)
        # any other key is read, and the row delivered after the as-of date fails the test
        with engine.begin() as conn:
            conn.execute(text(f"update {table} set input_key = input_key || '-not-validated'"))
        with pytest.raises(RuntimeError, match="dbt test"):
            dbt_runner.run_dbt("test", "--quiet", *select)
        compiled = next(_compiled_models().parent.rglob("assert_staging_sees_no_delivery_after_as_of_date.sql"))
        with engine.connect() as conn:
            failures = conn.execute(text(compiled.read_text(encoding="utf-8"))).all()
        assert [(model, str(latest)) for model, latest in failures] == [("stg_court__records", "2999-01-01")]
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"update {table} set input_key = :k"), {"k": key})
            conn.execute(
                text(f"update {table} set delivered_on = :d where record_id = :r"), {"d": delivered_on, "r": record}
            )

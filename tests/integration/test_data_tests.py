"""The project's own generic dbt tests fail on the rows they exist to catch, and say where: here not_null_columns,
the one not-null test per model, on the published warehouse's last build (marts_build, which no reader uses)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.transform import dbt_runner

COMPILED_TESTS = settings.DBT_PROJECT_DIR / "target" / "compiled" / "sme_credit" / "models"


def test_a_null_fails_the_model_s_not_null_test_naming_the_column_and_its_rows(published, monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_URL", published.url)
    monkeypatch.setenv("SME_STATE_DIR", str(tmp_path))
    for name, value in settings.libpq_env(published.url).items():
        monkeypatch.setenv(name, value)
    engine = warehouse.engine_for(published.url)
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
        compiled = next(COMPILED_TESTS.rglob("not_null_customer_features.sql")).read_text(encoding="utf-8")
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

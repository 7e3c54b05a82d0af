"""The hand-made raw rows of `dbt_project/dev_raw_fixture.sql`, loaded into a database of their own.

The fixture holds rows only: the raw and audit tables come from the loader's own DDL (`loader.ensure_schemas`), so
the rows have exactly the columns, types and defaults a real load gives them, `_load_id` included.
"""

from __future__ import annotations

from sqlalchemy import text

from sme_credit import settings, warehouse
from sme_credit.contract.feeds import RAW_TABLES
from sme_credit.ingest import loader

FIXTURE = settings.DBT_PROJECT_DIR / "dev_raw_fixture.sql"
DEFAULT_DATABASE = "sme_dbt_dev"
# no manifest row stands behind the fixture's rows (so staging gives them no source_file); 0 is no load the
# loader gives out
FIXTURE_LOAD_ID = 0


def load_dev_fixture(server_url: str, database: str = DEFAULT_DATABASE, log=print) -> dict[str, int]:
    """Create `database` afresh on the server of `server_url`, with the loader's raw and audit tables, insert the
    fixture's rows and return the rows per raw table."""
    url = warehouse.create_database(server_url, database, drop_first=True)
    engine = warehouse.engine_for(url)
    try:
        loader.ensure_schemas(engine, log=log)
        with engine.begin() as conn:
            # the loader's DDL fills _load_id from this setting, as COPY does in a load
            conn.execute(text(f"set local {loader.SETTING.format('load_id')} = '{FIXTURE_LOAD_ID}'"))
            conn.exec_driver_sql(FIXTURE.read_text(encoding="utf-8").replace("%", "%%"))
            return {
                table.name: conn.execute(text(f"select count(*) from {table.qualified_name}")).scalar_one()
                for table in RAW_TABLES
            }
    finally:
        engine.dispose()

"""What this project adds to Airflow itself, registered through the `airflow.plugins` entry point (pyproject):
the build's timetable, and its documentation pages in the api-server with links in the UI's Browse menu."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from sme_credit.orchestration import docs_app
from sme_credit.orchestration.timetables import BackfillOnlyDaily


class SmeCreditPlugin(AirflowPlugin):
    name = "sme_credit"
    timetables = [BackfillOnlyDaily]
    # the docs pages, mounted by the api-server
    fastapi_apps = [{"app": docs_app.LazyDocsApp(), "url_prefix": docs_app.URL_PREFIX, "name": "sme-credit docs"}]
    # In the UI's Browse menu: the pages docs_app serves
    external_views = [
        {"name": "Data Docs (data quality)", "href": docs_app.DATA_DOCS, "category": "browse"},
        {"name": "dbt docs (models)", "href": docs_app.DBT_DOCS, "category": "browse"},
        {"name": "Daily report (risk team)", "href": docs_app.DAILY_REPORT, "category": "browse"},
    ]

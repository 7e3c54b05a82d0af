"""The project's documentation pages, served by Airflow's api-server under /sme-credit/ (see airflow_plugin), to
users signed in to Airflow:
- /sme-credit/                      an index of what follows;
- /sme-credit/data-docs/...         Great Expectations' Data Docs (offline: see data_docs);
- /sme-credit/dbt-docs/             dbt's docs page (refreshed by the build DAG after publishing);
- /sme-credit/reports/latest        the latest daily report, /sme-credit/reports/YYYY-MM-DD a date's.
The pages read the warehouse's data quality results, which may quote delivered values: never served anonymously.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

URL_PREFIX = "/sme-credit"
DATA_DOCS = f"{URL_PREFIX}/data-docs/index.html"
DBT_DOCS = f"{URL_PREFIX}/dbt-docs/"
DAILY_REPORT = f"{URL_PREFIX}/reports/latest"


def _inside(root: Path, relative: str) -> Path | None:
    """The file `relative` names under `root`, or None when it is missing or outside it."""
    path = (root / relative).resolve()
    return path if path.is_file() and root.resolve() in path.parents else None


def _latest_report() -> Path:
    from sme_credit import settings
    from sme_credit.publish import daily_report

    return daily_report.latest_report() or settings.export_dir() / "no-report-yet"


def create_app():
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse

    from sme_credit.quality import gates
    from sme_credit.transform import dbt_runner

    app = FastAPI(title="sme-credit docs", dependencies=[Depends(get_user)], docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        pages = [
            ("Data quality: Great Expectations Data Docs", DATA_DOCS, gates.data_docs_index()),
            ("Models, columns and tests: dbt docs", DBT_DOCS, dbt_runner.docs_page()),
            ("The latest daily report (tiers, candidates, warnings, monitoring)", DAILY_REPORT, _latest_report()),
        ]
        items = "".join(
            f'<li><a href="{href}">{html.escape(name)}</a>'
            + ("" if path.exists() else " (not generated yet: it is, once a build has published)")
            + "</li>"
            for name, href, path in pages
        )
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>SME credit docs</title></head><body>"
            f"<h1>SME credit pipeline: documentation</h1><ul>{items}</ul></body></html>"
        )

    @app.get("/data-docs/{relative:path}")
    def data_docs(relative: str) -> FileResponse:
        path = _inside(gates.data_docs_index().parent, relative)
        if path is None:
            raise HTTPException(404, f"no Data Docs page {relative!r} (Data Docs appear once a gate has run)")
        return FileResponse(path)

    @app.get("/dbt-docs/")
    def dbt_docs() -> FileResponse:
        if not dbt_runner.docs_page().is_file():
            raise HTTPException(404, "dbt's docs are not generated yet: the build DAG does it, or `make dbt-docs`")
        return FileResponse(dbt_runner.docs_page(), media_type="text/html")

    @app.get("/reports/{day}")
    def daily_report_page(day: str) -> FileResponse:
        from sme_credit.publish import daily_report

        latest = daily_report.latest_report()
        if day == "latest" and latest:
            return FileResponse(latest, media_type="text/html")
        try:
            path = daily_report.report_path(dt.date.fromisoformat(day))
        except ValueError:
            raise HTTPException(404, f"{day!r} is not a date (YYYY-MM-DD) or latest") from None
        if not path.is_file():
            raise HTTPException(404, f"no daily report for {day}: the build DAG writes one per published date")
        return FileResponse(path, media_type="text/html")

    return app


class LazyDocsApp:
    """The app, built on its first request. Every Airflow component loads the plugin, and most (scheduler,
    workers, task processes) never serve a page: building the app imports the api-server's security (~1 s)."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope, receive, send) -> None:
        if self._app is None:
            self._app = create_app()
        await self._app(scope, receive, send)

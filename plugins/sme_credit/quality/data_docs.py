"""Great Expectations' Data Docs, made to render offline.

GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and more from CDNs: on a bank's network without
internet they render unstyled, and the index, which bootstrap-table fills from JavaScript, lists no validation.
After every gate, the pages GX has just written are pointed at copies of those files (`data_docs_static/`,
see its SOURCES.md) placed in the site's `static/offline/`; what the pages do not need (charts of profiling
runs, a dark theme, GX's remote logo and tracking image) is dropped or replaced by the site's own files.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).with_name("data_docs_static")
OFFLINE = Path("static") / "offline"  # inside the site

# CDN address -> the file of ASSETS that replaces it
LOCAL_COPIES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome.min.css",
}
# Loaded by the pages but not needed by ours: charts (vega) of profiling runs, a dark theme.
_DROPPED = re.compile(
    r'<(script|link)\b[^>]*(?:src|href)="https://cdn\.jsdelivr\.net/npm/[^"]*"[^>]*>(?:\s*</script>)?', re.IGNORECASE
)
# GX's logo from its web-assets bucket (with a tracking query): the site ships the same logo.
_REMOTE_LOGO = re.compile(r'"https://great-expectations-web-assets\.s3\.[^"]*"')
_ANY_REMOTE_LOAD = re.compile(r'<(?:script|link|img)\b[^>]*(?:src|href)="https?://', re.IGNORECASE)


def _install_assets(site: Path) -> Path:
    target = site / OFFLINE
    if (
        not (target / "SOURCES.md").is_file()
        or (target / "SOURCES.md").read_bytes() != (ASSETS / "SOURCES.md").read_bytes()
    ):
        shutil.copytree(ASSETS, target, dirs_exist_ok=True)
    return target


def make_offline(site: Path, since: float | None = None) -> int:
    """Point the site's pages (those written at or after `since`, a time.time(); all when None) at the local
    copies; returns how many pages changed. Pages already offline are left as they are."""
    if not (site / "index.html").is_file():
        return 0
    offline = _install_assets(site)
    changed = 0
    for page in site.rglob("*.html"):
        if offline in page.parents or (since is not None and page.stat().st_mtime < since):
            continue
        html = page.read_text(encoding="utf-8")
        if "https://" not in html:
            continue
        prefix = Path(os.path.relpath(offline, page.parent)).as_posix()
        logo = Path(os.path.relpath(site / "static" / "images" / "logo-long.png", page.parent)).as_posix()
        updated = html
        for remote, local in LOCAL_COPIES.items():
            updated = updated.replace(f'"{remote}"', f'"{prefix}/{local}"')
        updated = _DROPPED.sub("", updated)
        updated = _REMOTE_LOGO.sub(f'"{logo}"', updated)
        if updated != html:
            page.write_text(updated, encoding="utf-8")
            changed += 1
    return changed


def remote_loads(page: Path) -> list[str]:
    """The tags of a page that would still load something from the network (for checks and tests)."""
    html = page.read_text(encoding="utf-8")
    return [html[m.start() : html.find(">", m.start()) + 1] for m in _ANY_REMOTE_LOAD.finditer(html)]

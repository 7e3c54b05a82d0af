"""What is in the landing area: the files a load may process, and every other file with the reason it is not.

A file is processed only when it sits where the contract puts it, under a real delivery date that is not after
today, with a name of its feed's contract whose date is its folder's::

    <landing>/<feed>/delivery_date=YYYY-MM-DD/<table>_YYYYMMDD[_<part>].<csv|jsonl>

Every other file is *irregular*, and the loader records it in `audit.load_manifest` with its status and reason
(`ingest.record_irregular`), so that nothing under the landing area goes unseen:
- `unexpected`: a name or place that matches no file of the contract (an unknown folder, a `.CSV` extension, a
  file date that is not its folder's);
- `rejected`: a folder date that is not a calendar date, or a symbolic link that leaves the landing area (it is
  not followed);
- `future`: a delivery date after today; not processed before that date (a run never picks it);
- `ignored`: hidden files (the name starts with `.`), which upload tools write while a file is in transit, and
  system files such as `.DS_Store`; the only pattern the contract lets pass.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sme_credit.contract.feeds import FEEDS, LandedFile, is_delivery_day, tables_of
from sme_credit.ingest.file_statuses import FUTURE, IGNORED, REJECTED, UNEXPECTED

DELIVERY_FOLDER = re.compile(r"^delivery_date=(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class IrregularFile:
    path: Path
    feed: str | None  # None: outside every feed's folder
    delivery_date: dt.date | None  # the folder's, when it is a real date
    status: str  # unexpected | rejected | future | ignored
    reason: str


@dataclass
class Survey:
    files: list[LandedFile]  # to process, oldest delivery first, in name order within a delivery
    irregular: list[IrregularFile]


def today() -> dt.date:
    """The pipeline's today: the bank's calendar date (China time), whatever the machine's time zone."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def survey_feed(landing: Path, feed: str, up_to: dt.date | None = None, on: dt.date | None = None) -> Survey:
    """The files of `feed` delivered on or before `up_to` to process, and every irregular file of the feed's
    folder (whatever its date). `on` is today (the bank's date by default)."""
    on = on or today()
    root = landing / feed
    survey = Survey([], [])
    if not root.is_dir():
        return survey
    boundary = landing.resolve()
    if _leaves(root, boundary):
        return survey  # the feed's folder is a link out of the landing area: `survey_outside_feeds` records it
    tables = tables_of(feed)
    for path in _files_under(root):
        relative = path.relative_to(root).parts
        irregular = _irregular(path, boundary, feed, relative, tables, on)
        if irregular:
            survey.irregular.append(irregular)
            continue
        folder = DELIVERY_FOLDER.match(relative[0])
        assert folder is not None, relative  # _irregular has set aside every file outside a delivery folder
        delivery_date = dt.date.fromisoformat(folder.group(1))
        if up_to is None or delivery_date <= up_to:
            table = next(t for t in tables if t.file_pattern().match(path.name))
            survey.files.append(LandedFile(table, path, delivery_date))
    survey.files.sort(key=lambda f: (f.delivery_date, tables.index(f.table), f.path.name))
    return survey


def survey_outside_feeds(landing: Path) -> list[IrregularFile]:
    """Files of the landing area outside every feed's folder: each is unexpected (or ignored, or a link out)."""
    if not landing.is_dir():
        return []
    boundary = landing.resolve()
    found = []
    for child in sorted(landing.iterdir()):
        if child.name in FEEDS and child.is_dir() and not _leaves(child, boundary):
            continue
        for path in _files_under(child) if child.is_dir() and not child.is_symlink() else [child]:
            outside = _link_out(path, boundary) or _hidden(path, None, None)
            found.append(
                outside
                or IrregularFile(
                    path, None, None, UNEXPECTED, f"not in a feed's folder (the feeds: {', '.join(FEEDS)})"
                )
            )
    return found


def missing_deliveries(survey: Survey, feed: str, up_to: dt.date) -> list[str]:
    """The main files the contract expected between the feed's first delivery and `up_to` that are not there
    (a settlement day, a month's file), as landing paths; tables delivered only with rows to carry are not
    expected."""
    dates = sorted({f.delivery_date for f in survey.files})
    if not dates:
        return []
    delivered = {(f.table.name, f.delivery_date) for f in survey.files if not f.is_part}
    missing = []
    day = dates[0]
    while day <= up_to:
        for table in tables_of(feed):
            if table.always_delivered and is_delivery_day(table, day) and (table.name, day) not in delivered:
                missing.append(f"{feed}/delivery_date={day}/{table.file_name(day)}")
        day += dt.timedelta(days=1)
    return missing


def latest_delivery_date(landing: Path, on: dt.date | None = None) -> dt.date | None:
    """The latest delivery date, not after today, on which some feed delivered a file of its contract: never a
    bare folder, an unexpected name or a future date."""
    on = on or today()
    dates = [f.delivery_date for feed in FEEDS for f in survey_feed(landing, feed, up_to=on, on=on).files]
    return max(dates, default=None)


def _files_under(folder: Path) -> list[Path]:
    """Every file and symbolic link below `folder`; links to folders are listed, not entered."""
    found = []
    for directory, subdirectories, names in os.walk(folder):
        here = Path(directory)
        found += [here / name for name in names]
        found += [here / name for name in subdirectories if (here / name).is_symlink()]
    return sorted(found)


def _irregular(path: Path, boundary: Path, feed: str, relative: tuple[str, ...], tables, on: dt.date):
    folder = DELIVERY_FOLDER.match(relative[0]) if len(relative) == 2 else None
    delivery_date = _calendar_date(folder.group(1)) if folder else None
    if found := _link_out(path, boundary, feed, delivery_date) or _hidden(path, feed, delivery_date):
        return found
    if path.is_dir():
        return IrregularFile(path, feed, delivery_date, UNEXPECTED, "a link to a folder (not followed)")
    if folder is None:
        where = "directly in the feed's folder" if len(relative) == 1 else f"in {'/'.join(relative[:-1])}"
        return IrregularFile(
            path, feed, None, UNEXPECTED, f"{where}, not in a delivery folder {feed}/delivery_date=YYYY-MM-DD/"
        )
    if delivery_date is None:
        return IrregularFile(
            path, feed, None, REJECTED, f"the folder's delivery date {folder.group(1)} is not a calendar date"
        )
    if delivery_date > on:
        return IrregularFile(
            path, feed, delivery_date, FUTURE, f"delivery date {delivery_date} is after today ({on}): not loaded before"
        )
    matches = [m for t in tables if (m := t.file_pattern().match(path.name))]
    if not matches:
        expected = ", ".join(f"{t.name}_YYYYMMDD[_part].{t.file_format}" for t in tables)
        return IrregularFile(
            path, feed, delivery_date, UNEXPECTED, f"the name matches no file of the {feed} feed ({expected})"
        )
    if matches[0].group(1) != f"{delivery_date:%Y%m%d}":
        return IrregularFile(
            path,
            feed,
            delivery_date,
            UNEXPECTED,
            f"the file's date {matches[0].group(1)} is not its folder's delivery date {delivery_date}",
        )
    return None


def _calendar_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _leaves(path: Path, boundary: Path) -> bool:
    return path.is_symlink() and not path.resolve().is_relative_to(boundary)


def _link_out(path: Path, boundary: Path, feed: str | None = None, delivery_date: dt.date | None = None):
    if not _leaves(path, boundary):
        return None
    return IrregularFile(
        path, feed, delivery_date, REJECTED, "a symbolic link to outside the landing area (not followed)"
    )


def _hidden(path: Path, feed: str | None, delivery_date: dt.date | None) -> IrregularFile | None:
    if not any(part.startswith(".") for part in path.parts[-2:]):
        return None
    return IrregularFile(
        path,
        feed,
        delivery_date,
        IGNORED,
        "a hidden file (its name starts with '.'): a file in transit or a system file, ignored by the contract",
    )

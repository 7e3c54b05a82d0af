"""The survey of the landing area: only files where the contract puts them, under a real date not after today,
are processed; every other file comes out irregular, with its status and a reason that names the rule."""

from __future__ import annotations

import datetime as dt

import pytest

from sme_credit.ingest.landing_survey import (
    FUTURE,
    IGNORED,
    REJECTED,
    UNEXPECTED,
    latest_delivery_date,
    survey_feed,
    survey_outside_feeds,
)

TODAY = dt.date(2026, 11, 4)


def _write(landing, relative, text="txn_id\n"):
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def landing(tmp_path):
    landing = tmp_path / "landing"
    for day in ("2026-11-02", "2026-11-03"):
        _write(landing, f"settlement/delivery_date={day}/settlement_transactions_{day.replace('-', '')}.csv")
    _write(landing, "settlement/delivery_date=2026-11-03/settlement_transactions_20261103_resend.csv")
    return landing


def _irregular(survey, landing):
    return {f.path.relative_to(landing).as_posix(): (f.status, f.reason) for f in survey.irregular}


def test_regular_files_only_are_processed_in_delivery_order(landing):
    survey = survey_feed(landing, "settlement", on=TODAY)
    assert [f.path.name for f in survey.files] == [
        "settlement_transactions_20261102.csv",
        "settlement_transactions_20261103.csv",
        "settlement_transactions_20261103_resend.csv",
    ]
    assert survey.irregular == []
    assert [f.path.name for f in survey_feed(landing, "settlement", up_to=dt.date(2026, 11, 2), on=TODAY).files] == [
        "settlement_transactions_20261102.csv"
    ]


def test_every_other_file_is_irregular_with_the_reason(landing, tmp_path):
    _write(landing, "settlement/delivery_date=2026-02-30/settlement_transactions_20260230.csv")
    _write(landing, "settlement/delivery_date=2099-01-01/settlement_transactions_20990101.csv")
    _write(landing, "settlement/delivery_date=2026-11-03/settlement_transactions_20261103.CSV")
    _write(landing, "settlement/delivery_date=2026-11-03/settlement_transactions_20261102.csv")
    _write(landing, "settlement/delivery_date=2026-11-03/.settlement_transactions_20261103.csv.part")
    _write(landing, "settlement/settlement_transactions_20261103.csv")
    _write(landing, "settlement/2026-11-03/settlement_transactions_20261103.csv")
    outside = _write(tmp_path / "elsewhere", "secret.csv")
    (landing / "settlement/delivery_date=2026-11-03/settlement_transactions_20261103_link.csv").symlink_to(outside)

    survey = survey_feed(landing, "settlement", on=TODAY)
    found = _irregular(survey, landing)
    day = "settlement/delivery_date=2026-11-03"
    assert {path: status for path, (status, _) in found.items()} == {
        "settlement/delivery_date=2026-02-30/settlement_transactions_20260230.csv": REJECTED,
        "settlement/delivery_date=2099-01-01/settlement_transactions_20990101.csv": FUTURE,
        f"{day}/settlement_transactions_20261103.CSV": UNEXPECTED,
        f"{day}/settlement_transactions_20261102.csv": UNEXPECTED,
        f"{day}/.settlement_transactions_20261103.csv.part": IGNORED,
        f"{day}/settlement_transactions_20261103_link.csv": REJECTED,
        "settlement/settlement_transactions_20261103.csv": UNEXPECTED,
        "settlement/2026-11-03/settlement_transactions_20261103.csv": UNEXPECTED,
    }
    assert (
        "2026-02-30 is not a calendar date"
        in found["settlement/delivery_date=2026-02-30/settlement_transactions_20260230.csv"][1]
    )
    assert (
        "after today (2026-11-04)"
        in found["settlement/delivery_date=2099-01-01/settlement_transactions_20990101.csv"][1]
    )
    assert (
        "date 20261102 is not its folder's delivery date 2026-11-03"
        in found[f"{day}/settlement_transactions_20261102.csv"][1]
    )
    assert "outside the landing area" in found[f"{day}/settlement_transactions_20261103_link.csv"][1]
    assert "settlement_transactions_YYYYMMDD[_part].csv" in found[f"{day}/settlement_transactions_20261103.CSV"][1]
    # the regular files are still processed
    assert len(survey.files) == 3


def test_files_outside_the_feeds_folders_are_unexpected(landing):
    _write(landing, "misc/readme.txt")
    _write(landing, "notes.txt")
    found = {f.path.relative_to(landing).as_posix(): f.status for f in survey_outside_feeds(landing)}
    assert found == {"misc/readme.txt": UNEXPECTED, "notes.txt": UNEXPECTED}


def test_the_latest_date_is_never_a_bare_folder_a_stray_name_or_a_day_to_come(landing):
    (landing / "settlement/delivery_date=2026-11-04").mkdir()  # a bare folder
    _write(landing, "settlement/delivery_date=2026-11-04/readme.txt")  # no file of the contract
    _write(landing, "settlement/delivery_date=2099-01-01/settlement_transactions_20990101.csv")
    assert latest_delivery_date(landing, on=TODAY) == dt.date(2026, 11, 3)
    assert latest_delivery_date(landing, on=dt.date(2026, 11, 2)) == dt.date(2026, 11, 2)

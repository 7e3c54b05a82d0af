"""The sample world follows the landing contract, has valid keys, and is deterministic."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest

from sme_credit import uscc
from sme_credit.feeds import FEEDS, landed_files
from sme_credit.generate import LandingNotEmpty, generate_world


def _rows(path):
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _digest(landing):
    digest = hashlib.sha256()
    for path in sorted(landing.rglob("*.*")):
        digest.update(path.relative_to(landing).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def test_files_follow_the_contract_and_keys_are_valid(tiny_world):
    master = set()
    for landed in landed_files(tiny_world, "enterprise"):
        master.update(row["uscc"] for row in _rows(landed.path))
    assert master and all(uscc.is_valid(code) for code in master)
    for feed in FEEDS:
        files = landed_files(tiny_world, feed)
        assert files, feed
        for landed in files:
            if landed.table.file_format == "csv":
                with landed.path.open(encoding="utf-8") as handle:
                    assert next(csv.reader(handle)) == list(landed.table.columns), landed.path
            for row in _rows(landed.path):
                assert set(row) == set(landed.table.columns)
                key = row.get("uscc") or row.get("party_uscc")
                if key and feed != "court":
                    assert key in master, (landed.path, key)


def test_court_records_sometimes_name_the_firm_only_by_name(tiny_world):
    records = [r for f in landed_files(tiny_world, "court") for r in _rows(f.path)]
    assert any(r["party_uscc"] is None for r in records)
    assert any(r["party_uscc"] is not None for r in records)


def test_ids_are_unique_and_ratings_are_valid(tiny_world):
    txn_ids = [r["txn_id"] for f in landed_files(tiny_world, "settlement") for r in _rows(f.path)]
    assert len(txn_ids) == len(set(txn_ids)) > 1000
    ratings = [r["credit_rating"] for f in landed_files(tiny_world, "tax") if f.table.name == "tax_credit_ratings"
               for r in _rows(f.path)]
    assert ratings and set(ratings) <= set("ABMCD")


def test_same_seed_same_bytes_other_seed_other_world(tmp_path):
    first = generate_world(tmp_path / "a" / "landing", scale="tiny", seed=3, months=6, progress=None)
    generate_world(tmp_path / "b" / "landing", scale="tiny", seed=3, months=6, progress=None)
    generate_world(tmp_path / "c" / "landing", scale="tiny", seed=4, months=6, progress=None)
    assert first.months == 6 and len(first.delivery_dates) == 6
    assert _digest(tmp_path / "a" / "landing") == _digest(tmp_path / "b" / "landing")
    assert _digest(tmp_path / "a" / "landing") != _digest(tmp_path / "c" / "landing")
    assert (tmp_path / "a" / "ground_truth" / "defaults.csv").exists()


def test_refuses_to_overwrite_without_replace(tmp_path):
    generate_world(tmp_path / "landing", scale="tiny", months=2, progress=None)
    with pytest.raises(LandingNotEmpty):
        generate_world(tmp_path / "landing", scale="tiny", months=2, progress=None)
    generate_world(tmp_path / "landing", scale="tiny", months=2, replace=True, progress=None)

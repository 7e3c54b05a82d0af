"""Renders the raw layer's expectation suites, `expectations/raw/<table>.json`, from the contract in `feeds.py`.

The loader checks every value of every row against the contract and quarantines what breaks it, so the raw gate
does not check values again: it checks only each table's `delivery_checks`, the rules a delivery can break while
each of its rows is valid. A table without any has no suite (the raw gate then has nothing to add to the
loader). Like the contract document, the files are generated (`sme-credit contracts`) and a test fails when they
are stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from sme_credit import settings
from sme_credit.contract.feeds import CONTRACT_VERSION, RAW_TABLES, RawTable


def suite(table: RawTable) -> dict:
    """GX's suite format for the table's delivery checks; `{batch}` is the rows of the loads being gated."""
    return {
        "expectations": [
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {"unexpected_rows_query": f"select * from {{batch}} where {check.breaking_rows}"},
                "meta": {"check": check.name, "notes": check.description},
            }
            for check in table.delivery_checks
        ],
        "meta": {"layer": "raw", "generated_from": f"sme_credit/contract/feeds.py, contract {CONTRACT_VERSION}"},
        "notes": f"{table.description} Rendered from the contract by `sme-credit contracts`: do not edit.",
    }


def rendered() -> dict[Path, str]:
    folder = settings.EXPECTATIONS_DIR / "raw"
    return {
        folder / f"{table.name}.json": json.dumps(suite(table), indent=2, ensure_ascii=False) + "\n"
        for table in RAW_TABLES
        if table.delivery_checks
    }


def update(*, write: bool = True) -> list[Path]:
    """Bring expectations/raw/ in line with the contract; the files that changed (written only if `write`)."""
    wanted = rendered()
    present = set((settings.EXPECTATIONS_DIR / "raw").glob("*.json"))
    changed = [path for path, text in wanted.items() if not path.exists() or path.read_text("utf-8") != text]
    stale = sorted(present - set(wanted))
    if write:
        for path in changed:
            path.write_text(wanted[path], encoding="utf-8")
        for path in stale:
            path.unlink()
    return sorted(changed) + stale

"""Renders the tables of `docs/data-contracts.md` from the contract in `feeds.py` and the fault catalogue.

The prose of the document is written by hand; the parts between `<!-- generated:NAME -->` and
`<!-- /generated:NAME -->` come from here, so the document cannot drift from what the code enforces
(a test runs `update(..., write=False)`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from sme_credit.contract.feeds import (
    COLUMN_TYPES,
    CONTRACT_CHANGES,
    CONTRACT_VERSION,
    DELIVERY_DAY,
    FEED_POLICIES,
    RAW_TABLES,
    Column,
    RawTable,
)
from sme_credit_sample.faults import CATALOGUE

_SECTION = re.compile(r"(<!-- generated:(?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def _table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _rules(column: Column) -> str:
    if column.type == "enum":
        return ", ".join(f"`{v}`" for v in column.allowed)
    if column.type == "code":
        return f"`{column.pattern}`"
    if column.minimum is not None:
        return f">= {column.minimum}"
    return ""


def _cadence(table: RawTable) -> str:
    if table.cadence == "daily":
        return "daily (T+1)"
    return f"monthly, on the {DELIVERY_DAY}rd"


def _overview() -> str:
    rows = [
        [
            f"`{t.feed}`",
            f"`{t.name}`",
            t.file_format.upper() if t.file_format == "csv" else "JSON Lines",
            t.encoding.upper(),
            _cadence(t),
            t.covers,
            ", ".join(f"`{k}`" for k in t.key),
        ]
        for t in RAW_TABLES
    ]
    return _table(
        [
            "feed",
            "file / raw table",
            "format",
            "encoding",
            "delivered",
            "one delivery carries",
            "key of a delivered row",
        ],
        rows,
    )


def _columns(table: RawTable) -> str:
    rows = [
        [
            f"`{c.name}`",
            c.type,
            "yes" if c.required else "no (empty = null)",
            _rules(c),
            "PII" if c.pii else "",
            c.description,
        ]
        for c in table.columns
    ]
    body = _table(["column", "type", "required", "rules", "", "meaning"], rows)
    return (
        body
        + "\nExample"
        + (" (PII masked)" if any(c.pii for c in table.columns) else "")
        + ":\n\n"
        + _example(table)
        + "\n"
    )


def _example(table: RawTable) -> str:
    if table.file_format == "jsonl":
        record = {}
        for column in table.columns:
            example = column.example
            record[column.name] = float(example) if column.type == "amount" and example is not None else example
        return "```json\n" + json.dumps(record, ensure_ascii=False) + "\n```\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerow([c.example or "" for c in table.columns])
    return "```csv\n" + buffer.getvalue() + "```\n"


def _types() -> str:
    return _table(["type", "a valid value"], [[f"`{name}`", meaning] for name, meaning in COLUMN_TYPES.items()])


def _faults() -> str:
    rows = [[f"`{f.id}`", f"`{f.table}`", f.defect, f.handling] for f in CATALOGUE]
    return _table(["fault", "file", "defect", "what the pipeline must do"], rows)


def _policies() -> str:
    rows = [
        [
            f"`{feed}`",
            policy.rejected_file,
            f"fail above {policy.max_quarantined_share:.0%} of the day's rows, else warn",
            f"{policy.wait_hours:g} h, then {policy.late_delivery}",
            policy.why,
        ]
        for feed, policy in FEED_POLICIES.items()
    ]
    return _table(["feed", "a file rejected", "rows quarantined", "wait for the day's files", "why"], rows)


def _changes() -> str:
    rows = [[f"**{version}**" if version == CONTRACT_VERSION else version, text] for version, text in CONTRACT_CHANGES]
    return _table(["version", "change"], rows)


def sections() -> dict[str, str]:
    rendered = {
        "overview": _overview(),
        "types": _types(),
        "faults": _faults(),
        "changes": _changes(),
        "policies": _policies(),
        "version": f"Contract version **{CONTRACT_VERSION}**.\n",
    }
    rendered.update({f"columns.{t.name}": _columns(t) for t in RAW_TABLES})
    return rendered


def update(path: Path, *, write: bool = True) -> bool:
    """Re-render the generated sections of `path`; True when anything changed (written only if `write`)."""
    text = path.read_text(encoding="utf-8")
    wanted = sections()
    found = set()

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in wanted:
            raise KeyError(f"{path}: unknown generated section {name!r}; known: {', '.join(wanted)}")
        found.add(name)
        return match.group(1) + wanted[name] + match.group(4)

    new_text = _SECTION.sub(replace, text)
    missing = set(wanted) - found
    if missing:
        raise KeyError(f"{path} lacks the generated section(s) {', '.join(sorted(missing))}")
    if new_text != text and write:
        path.write_text(new_text, encoding="utf-8")
    return new_text != text

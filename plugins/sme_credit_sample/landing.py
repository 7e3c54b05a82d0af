"""Writing deliveries to the landing area exactly as the contract (`sme_credit.contract.feeds`) says.

Every table is handed over as a dict of column name -> array of ready-made strings (or None for null), in
contract order, or, for the big settlement table, as raw arrays plus the function that formats them (`Formatted`),
applied a slice at a time. This module checks the columns against the contract and writes the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sme_credit.contract.feeds import FEEDS, RawTable, delivery_dir
from sme_credit_sample.randomness import replace_all

Columns = dict[str, np.ndarray]

_CENTS = np.array([f"{c:02d}" for c in range(100)])
ROWS_PER_SLICE = 50_000


@dataclass(frozen=True)
class Formatted:
    """A big table kept as raw arrays and turned into contract columns a slice at a time while it is written."""

    frame: dict[str, np.ndarray]
    format: Callable[[dict[str, np.ndarray]], Columns]

    def __len__(self) -> int:
        return len(next(iter(self.frame.values()))) if self.frame else 0

    def rows(self, selection) -> Formatted:
        """The rows in `selection` (a slice, mask or index array), still unformatted."""
        return Formatted({name: values[selection] for name, values in self.frame.items()}, self.format)


class LandingNotEmpty(FileExistsError):
    pass


def ground_truth_path(landing: Path) -> Path:
    return landing.parent / "ground_truth" / "defaults.csv"


def prepare(landing: Path, *, replace: bool) -> None:
    """Refuse to mix with earlier files unless `replace`, which first removes the feed folders and the ground truth
    folder beside the landing area."""
    existing = [p for p in landing.rglob("*") if p.is_file()] if landing.exists() else []
    if existing and not replace:
        raise LandingNotEmpty(
            f"{landing} already holds {len(existing)} files (e.g. {existing[0].relative_to(landing)}); "
            "pass replace=True (sme-credit generate --replace) to replace them"
        )
    if replace:
        for feed in FEEDS:
            shutil.rmtree(landing / feed, ignore_errors=True)
        shutil.rmtree(ground_truth_path(landing).parent, ignore_errors=True)
    landing.mkdir(parents=True, exist_ok=True)


def write_table(landing: Path, table: RawTable, delivery: dt.date, data: Columns | Formatted) -> int:
    """Write one delivered file, in the contract's encoding; returns its number of rows."""
    if not isinstance(data, Formatted):
        data = Formatted(data, lambda columns: columns)
    path = delivery_path(landing, table, delivery)
    path.parent.mkdir(parents=True, exist_ok=True)
    if table.file_format == "csv":
        write_csv(path, table.column_names, _rows(table, data), encoding=table.encoding)
    else:
        _write_jsonl(path, table, _rows(table, data))
    return len(data)


def delivery_path(landing: Path, table: RawTable, delivery: dt.date, part: str | None = None) -> Path:
    return delivery_dir(landing, table.feed, delivery) / table.file_name(delivery, part)


def row_count(data: Columns | Formatted) -> int:
    return len(data) if isinstance(data, Formatted) else len(next(iter(data.values())))


def _rows(table: RawTable, data: Formatted) -> Iterator[tuple]:
    """Row tuples, formatted a slice at a time: a million rows as Python strings at once would not fit."""
    for start in range(0, max(len(data), 1), ROWS_PER_SLICE):
        part = data.format({name: values[start : start + ROWS_PER_SLICE] for name, values in data.frame.items()})
        if tuple(part) != table.column_names:
            raise ValueError(f"{table.name}: columns {tuple(part)} differ from the contract {table.column_names}")
        yield from zip(*(values.tolist() for values in part.values()))


def write_csv(path: Path, header, rows, encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_jsonl(path: Path, table: RawTable, rows) -> None:
    """One object per line with every contract key; values are strings or null, except amounts, which are numbers
    with two decimals (hence the hand-made number: json.dumps would write 1234.5)."""
    with path.open("w", encoding=table.encoding, newline="") as out:
        for row in rows:
            fields = []
            for key, value in zip(table.column_names, row):
                if value is None:
                    text = "null"
                elif key == "amount":
                    text = value  # already "1234.50"
                else:
                    text = json.dumps(value, ensure_ascii=False)
                fields.append(f"{json.dumps(key)}: {text}")
            out.write("{" + ", ".join(fields) + "}\n")


# --- value formats ------------------------------------------------------------------------------------------


def money(cents: np.ndarray) -> np.ndarray:
    """Yuan with exactly two decimals from integer cents (no float rounding anywhere)."""
    cents = np.asarray(cents, dtype=np.int64)
    sign = np.where(cents < 0, "-", "")
    absolute = np.abs(cents)
    return np.strings.add(
        np.strings.add(np.strings.add(sign, (absolute // 100).astype(str)), "."), _CENTS[absolute % 100]
    )


def days(values: np.ndarray) -> np.ndarray:
    """YYYY-MM-DD; NaT becomes null (None)."""
    values = np.asarray(values, dtype="datetime64[D]")
    text = np.datetime_as_string(values, unit="D").astype(object)
    text[np.isnat(values)] = None
    return text


def timestamps(values: np.ndarray) -> np.ndarray:
    """YYYY-MM-DD HH:MM:SS (China local time, no zone)."""
    text = np.datetime_as_string(np.asarray(values, dtype="datetime64[s]"), unit="s")
    return replace_all(text, "T", " ")


def months(values: np.ndarray) -> np.ndarray:
    """YYYY-MM from month numbers."""
    return np.datetime_as_string(np.asarray(values, dtype=np.int64).astype("datetime64[M]"), unit="M")


def flags(values: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "1", "0")


def optional(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Strings where `present`, null elsewhere."""
    out = np.asarray(values).astype(object)
    out[~np.asarray(present, dtype=bool)] = None
    return out

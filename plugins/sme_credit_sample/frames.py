"""Tables in flight: a dict of equally long numpy arrays (column name -> values)."""

from __future__ import annotations

import numpy as np

Frame = dict[str, np.ndarray]


def take(frame: Frame, rows) -> Frame:
    """The rows selected by a boolean mask or an index array."""
    return {name: values[rows] for name, values in frame.items()}


def concat(frames: list[Frame]) -> Frame:
    frames = [f for f in frames if f]
    if not frames:
        return {}
    return {name: np.concatenate([f[name] for f in frames]) for name in frames[0]}


def length(frame: Frame) -> int:
    return len(next(iter(frame.values()))) if frame else 0


class Backlog:
    """Rows that belong to the delivery of a later month (late tax filings, bills paid late, court events)."""

    def __init__(self) -> None:
        self._waiting: Frame = {}
        self._month = np.empty(0, dtype=np.int64)

    def add(self, frame: Frame, deliver_month: np.ndarray) -> None:
        if length(frame):
            self._waiting = concat([self._waiting, frame])
            self._month = np.concatenate([self._month, deliver_month])

    def due(self, month: int) -> Frame:
        """Remove and return the rows for `month` (oldest first); rows for earlier months are dropped."""
        if not self._waiting:
            return {}
        now = self._month == month
        due = take(self._waiting, now)
        later = self._month > month
        self._waiting, self._month = take(self._waiting, later), self._month[later]
        return due

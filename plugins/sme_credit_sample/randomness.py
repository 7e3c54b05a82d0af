"""Seeded random streams, vectorised draws and small numpy string helpers shared by the generator modules."""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, topic: str, *keys: int) -> np.random.Generator:
    """An independent generator per topic (and month): adding or changing one topic never shifts another's draws.

    Everything random in the generator comes from here, so a seed fully determines the output.
    """
    return np.random.default_rng([seed % 2**63, zlib.crc32(topic.encode()), *(key + 2**40 for key in keys)])


def weighted_choice(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indices drawn with probability proportional to `weights`."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def digit_strings(rng: np.random.Generator, size: int, length: int) -> np.ndarray:
    """`size` random strings of `length` decimal digits (leading zeros kept)."""
    out = np.full(size, "", dtype=f"<U{length}")
    if size == 0:
        return out  # np.strings.zfill cannot handle empty arrays
    remaining = length
    while remaining > 0:
        block = min(remaining, 9)
        values = rng.integers(0, 10**block, size=size).astype(str)
        out = np.strings.add(out, np.strings.zfill(values, block))
        remaining -= block
    return out


def luhn_digits(numbers: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each digit string in `numbers` (all the same length), as a string array."""
    digits = np.frombuffer("".join(numbers.tolist()).encode("ascii"), dtype=np.uint8).reshape(len(numbers), -1)
    doubled = digits[:, ::-1].astype(np.int64) - ord("0")
    doubled[:, ::2] *= 2  # from the right, every other digit starting with the rightmost payload digit
    doubled[doubled > 9] -= 9
    return ((10 - doubled.sum(axis=1) % 10) % 10).astype(str)


def with_luhn(numbers: np.ndarray) -> np.ndarray:
    return np.strings.add(numbers, luhn_digits(numbers))


def split_by_weights(rng: np.random.Generator, owner: np.ndarray, totals: np.ndarray, shape: float = 1.5) -> np.ndarray:
    """Split each owner's total over its rows with random gamma weights; returns one amount per row.

    `owner` gives, per row, the index into `totals`; owners without rows simply get nothing.
    """
    weights = rng.gamma(shape, size=len(owner))
    weight_sums = np.bincount(owner, weights=weights, minlength=len(totals))
    return totals[owner] * weights / weight_sums[owner]


def to_cents(yuan: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(yuan, dtype=float) * 100).astype(np.int64)


def replace_all(text: np.ndarray, old: str, new: str) -> np.ndarray:
    """np.strings.replace that also accepts empty arrays (numpy's own raises on them)."""
    text = np.asarray(text)
    return np.strings.replace(text, old, new) if text.size else text.astype(str)


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """Decimal strings left-padded with zeros (np.strings.zfill, but empty arrays allowed)."""
    text = np.asarray(numbers).astype(str)
    return np.strings.zfill(text, width) if text.size else text

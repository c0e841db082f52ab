r"""The claims ledger: what a chapter claims, what it measured, and whether the claim held.

Each executed chapter writes ``<claims dir>/<chapter file stem>.json``, the claims directory being
``$MINIMAX_CLAIMS_DIR`` (default ``_build/claims``)::

    {"chapter": "book/part1/02_bilinear_games.ipynb", "profile": "quick", "seed": 0,
     "claims": [{"id": "eg-converges", "statement": "...", "source": "...",
                 "measured": 0.866, "expected": 0.866, "holds": true}]}

A claim is a statement of a paper (or of a theorem) tested in the chapter's setting. Its verdict is
recorded whatever it is: a claim that does not hold stays in the ledger, with its evidence.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.stats

from minimax import _validation

DEFAULT_CLAIMS_DIR = "_build/claims"


class Claim(NamedTuple):
    """One recorded claim."""

    id: str
    statement: str
    source: str
    measured: Any
    expected: Any
    holds: bool


def claims_dir() -> Path:
    """``$MINIMAX_CLAIMS_DIR`` if set, else ``_build/claims`` (relative to the working directory)."""
    return Path(os.environ.get("MINIMAX_CLAIMS_DIR", DEFAULT_CLAIMS_DIR))


def _plain(value):
    """JSON-friendly numbers: numpy/JAX scalars to Python floats, NaN/inf to strings."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Ledger:
    """Collects a chapter's claims and writes them as JSON.

    Example:
      >>> ledger = Ledger("book/part1/02_bilinear_games.ipynb", profile="quick", seed=0)
      >>> ledger.record("eg-converges", "Extragradient converges for eta*sigma < 1.",
      ...               source="Korpelevich (1976)", measured=0.9, expected="< 1", holds=0.9 < 1)
      True
    """

    def __init__(self, chapter: str, profile: str, seed: int):
        _validation.check_string("chapter", chapter)
        _validation.check_string("profile", profile)
        _validation.check_seed("seed", seed)
        self.chapter = chapter
        self.profile = profile
        self.seed = int(seed)
        self.claims: list[Claim] = []

    def record(self, id: str, statement: str, *, source: str, measured, expected, holds) -> bool:
        """Add a claim with its verdict; returns the verdict. Recording the same ``id`` twice is an error."""
        for name, value in (("id", id), ("statement", statement), ("source", source)):
            _validation.check_string(name, value)
        _validation.check_bool_like("holds", holds)
        if any(claim.id == id for claim in self.claims):
            raise ValueError(f"claim id {id!r} is already recorded in this ledger; ids must be unique.")
        holds = bool(holds)
        self.claims.append(Claim(id, statement, source, _plain(measured), _plain(expected), holds))
        return holds

    @property
    def path(self) -> Path:
        return claims_dir() / f"{Path(self.chapter).stem}.json"

    def to_dict(self) -> dict:
        return {
            "chapter": self.chapter,
            "profile": self.profile,
            "seed": self.seed,
            "claims": [claim._asdict() for claim in self.claims],
        }

    def write(self) -> Path:
        """Write the ledger JSON and return its path."""
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def verdict_table(self, digits: int = 3) -> str:
        """A fixed-width table (claim, measured, expected, verdict), numbers rounded to ``digits``."""
        _validation.check_nonnegative_int("digits", digits)

        def show(value):
            if isinstance(value, float):
                return f"{value:.{digits}f}"
            if isinstance(value, list):
                return "[" + ", ".join(show(v) for v in value) + "]"
            return str(value)

        rows = [("claim", "measured", "expected", "verdict")]
        rows += [(c.id, show(c.measured), show(c.expected), "holds" if c.holds else "does NOT hold") for c in self.claims]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)


class Interval(NamedTuple):
    """A mean and a two-sided confidence interval around it."""

    mean: float
    low: float
    high: float


def mean_interval(values, level: float = 0.9) -> Interval:
    r"""Student-t interval for the mean of ``values`` (e.g. one score per seed).

    With :math:`n` values of mean :math:`\bar v` and sample standard deviation :math:`s`,

    .. math::

       \bar v \pm t_{n-1,\,(1+\text{level})/2}\; s / \sqrt{n}.

    Args:
      values: a 1-D array of :math:`n \ge 2` finite numbers.
      level: the confidence level, in (0, 1).

    Example:
      >>> interval = mean_interval([5.0, 6.0, 7.0])
      >>> interval.mean, round(interval.low, 2), round(interval.high, 2)
      (6.0, 4.31, 7.69)
    """
    values = _validation.check_numbers("values", values, "a 1-D array of numbers, one value per seed")
    _validation.check_open_interval("level", level, 0.0, 1.0)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be a 1-D array of length >= 2 (one value per seed); got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite (score a diverged run, e.g. as 0 modes, before comparing).")
    mean = float(values.mean())
    half_width = float(scipy.stats.t.ppf((1 + level) / 2, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return Interval(mean, mean - half_width, mean + half_width)


def paired_difference_interval(first, second, level: float = 0.9) -> Interval:
    r"""Student-t interval for the mean of ``first - second`` over paired runs (e.g. the same seeds).

    The :func:`mean_interval` of the differences :math:`d_s = a_s - b_s`. A claim "A is within :math:`m`
    of B" is then scored on the interval rather than on the mean difference alone: it *holds* only when
    the whole interval is within the margin, and its negation holds only when the whole interval is beyond
    it. When the true difference sits near the margin, neither holds, instead of a verdict that flips from
    one set of seeds to the next.

    Args:
      first, second: 1-D arrays of the same length :math:`n \ge 2`, one value per seed, finite.
      level: the confidence level, in (0, 1).

    Example:
      >>> interval = paired_difference_interval([7.0, 6.5, 7.5], [5.0, 5.5, 5.0])
      >>> round(interval.mean, 3), interval.low < interval.mean < interval.high
      (1.833, True)
    """
    first = _validation.check_numbers("first", first, "a 1-D array of numbers, one value per seed")
    second = _validation.check_numbers("second", second, "a 1-D array of numbers, one value per seed")
    if first.ndim != 1 or first.shape != second.shape or first.size < 2:
        raise ValueError(f"first and second must be 1-D arrays of the same length >= 2 (one value per seed); "
                         f"got shapes {first.shape} and {second.shape}.")
    return mean_interval(first - second, level)


def load(path) -> dict:
    """Read one ledger JSON file."""
    _validation.check_path("path", path)
    return json.loads(Path(path).read_text())

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
        self.chapter = chapter
        self.profile = profile
        self.seed = int(seed)
        self.claims: list[Claim] = []

    def record(self, id: str, statement: str, *, source: str, measured, expected, holds) -> bool:
        """Add a claim with its verdict; returns the verdict. Recording the same ``id`` twice is an error."""
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


def load(path) -> dict:
    """Read one ledger JSON file."""
    return json.loads(Path(path).read_text())

r"""The claims ledger: what a chapter claims, what it measured, and what the measurement says.

Each executed chapter writes ``<claims dir>/<chapter file stem>.json``, the claims directory being
``$MINIMAX_CLAIMS_DIR`` (default ``_build/claims``)::

    {"chapter": "book/part1/02_bilinear_games.ipynb", "profile": "quick", "seed": 0,
     "claims": [{"id": "eg-converges", "statement": "...", "source": "...", "kind": "verification",
                 "measured": 0.866, "expected": 0.866, "verdict": "holds",
                 "seeds_to_decide": null, "revised": null,
                 "measured_text": "0.866", "expected_text": "0.866"}],
     "step_sizes": []}

A claim has a **kind**:

- *empirical* — a paper's claim (or a theorem's prediction) tested in the chapter's setting, on runs
  whose outcome could go either way;
- *verification* — an identity or a closed form that only a bug in the code can fail.

and one of three **verdicts**: *holds*, *does not hold*, or *undecided*. A claim about a quantity
measured over seeds is scored on its confidence interval against a margin fixed before the runs
(:func:`above`, :func:`below`, :func:`within`): it holds when the whole interval is on the claimed side,
does not hold when the whole interval is on the other side, and is undecided when the interval contains
the margin, with the number of seeds that would decide it at the observed spread
(:func:`seeds_to_decide`). A claim whose margin or statement was set after its results were seen says
so (``revised``). Every verdict is recorded whatever it is: a claim that does not hold stays in the
ledger, with its evidence.

Example:
  >>> ledger = Ledger("book/part1/03_optimize_vs_learn.ipynb", profile="quick", seed=0)
  >>> lead = paired_difference_interval([7.0, 6.5, 7.5, 6.0], [5.0, 5.5, 5.0, 6.5])
  >>> ledger.record("adam-learns-best", "Adam covers more than one mode more than SGDA.", kind=EMPIRICAL,
  ...               source="Talk", measured=lead, expected=above(1.0))
  'undecided'
  >>> ledger.claims[0].seeds_to_decide
  78
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
# Where a ledger learns which notebook it belongs to: the book's pipeline sets the first; Jupyter's server
# sets the second to the notebook's path (relative to the server's root: the repository under `make lab`).
CHAPTER_ENV_VARS = ("MINIMAX_CHAPTER", "JPY_SESSION_NAME")
UNNAMED_CHAPTER = "unnamed-notebook.ipynb"

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
UNDECIDED = "undecided"
VERDICTS = (HOLDS, DOES_NOT_HOLD, UNDECIDED)

EMPIRICAL = "empirical"
VERIFICATION = "verification"
KINDS = (EMPIRICAL, VERIFICATION)

#: The largest number of seeds :func:`seeds_to_decide` searches; beyond it a claim is called undecidable in practice.
MAX_SEEDS_TO_DECIDE = 100_000


class Interval(NamedTuple):
    """A mean and a two-sided confidence interval around it, from ``n`` values at confidence ``level``."""

    mean: float
    low: float
    high: float
    n: int = 0
    level: float = 0.9


class Share(NamedTuple):
    """How many of ``total`` runs (seeds, cells of a grid…) had a property: ``count`` of ``total`` ``unit``."""

    count: int
    total: int
    unit: str


class Margin(NamedTuple):
    """What a claim expects of an :class:`Interval`: the whole interval ``side`` of ``value``.

    ``side`` is ``"above"`` (low > value), ``"below"`` (high < value) or ``"within"`` (-value < low and
    high < value).
    """

    side: str
    value: float


class Claim(NamedTuple):
    """One recorded claim."""

    id: str
    statement: str
    source: str
    kind: str
    measured: Any
    expected: Any
    verdict: str
    seeds_to_decide: int | None = None
    revised: str | None = None


def above(margin: float) -> Margin:
    """Expect the whole interval above ``margin`` (e.g. a lead of more than one mode)."""
    _validation.check_finite("margin", margin)
    return Margin("above", float(margin))


def below(margin: float) -> Margin:
    """Expect the whole interval below ``margin`` (e.g. a Fréchet distance under 20)."""
    _validation.check_finite("margin", margin)
    return Margin("below", float(margin))


def within(margin: float) -> Margin:
    """Expect the whole interval inside ``(-margin, margin)`` (e.g. two methods "match" to within a mode)."""
    _validation.check_positive("margin", margin)
    _validation.check_finite("margin", margin)
    return Margin("within", float(margin))


def share(flags, unit: str) -> Share:
    """Count the true entries of a boolean array, e.g. ``share(adam_modes > sgda_modes, "seeds")``.

    Example:
      >>> share(np.array([True, True, False]), "seeds")
      Share(count=2, total=3, unit='seeds')
    """
    _validation.check_string("unit", unit)
    array = np.asarray(flags)
    if array.dtype != bool or array.size == 0:
        raise _validation.ArgumentTypeError(f"flags must be a non-empty boolean array (one entry per run, e.g. a "
                                            f"comparison); got {flags!r} (dtype {array.dtype}, shape {array.shape}).")
    flags = array
    return Share(int(flags.sum()), int(flags.size), unit)


def interval_verdict(interval: Interval, margin: Margin) -> str:
    """*holds* if the whole interval is on the margin's side, *does not hold* if the whole interval is on the
    other side, *undecided* if it contains the margin (or, for :func:`within`, straddles either end).

    Example:
      >>> interval_verdict(Interval(1.5, 1.2, 1.8), above(1.0)), interval_verdict(Interval(0.9, 0.5, 1.3), above(1.0))
      ('holds', 'undecided')
      >>> interval_verdict(Interval(0.3, -0.2, 0.8), within(1.0)), interval_verdict(Interval(2.0, 1.5, 2.5), within(1.0))
      ('holds', 'does not hold')
    """
    _check_interval("interval", interval)
    _check_margin("margin", margin)
    value = margin.value
    if margin.side == "above":
        inside, outside = interval.low > value, interval.high <= value
    elif margin.side == "below":
        inside, outside = interval.high < value, interval.low >= value
    else:
        inside = -value < interval.low and interval.high < value
        outside = interval.low >= value or interval.high <= -value
    return HOLDS if inside else DOES_NOT_HOLD if outside else UNDECIDED


def seeds_to_decide(interval: Interval, margin: Margin) -> int | None:
    r"""How many seeds would make an undecided interval decide, if the mean and spread stayed as observed.

    With :math:`n` values of sample standard deviation :math:`s` (recovered from the half-width
    :math:`h = t_{n-1} s/\sqrt n`) and a mean at distance :math:`\delta` from the nearest end of the margin,
    the smallest :math:`n' > n` with :math:`t_{n'-1}\, s / \sqrt{n'} < \delta`. ``None`` when the interval
    already decides, when the mean sits on the margin (no sample size decides), or beyond
    :data:`MAX_SEEDS_TO_DECIDE`.

    Example:
      >>> seeds_to_decide(mean_interval([0.5, 1.5, 1.0, 2.0]), above(1.0))
      20
    """
    if interval_verdict(interval, margin) != UNDECIDED or interval.n < 2:
        return None
    ends = (margin.value,) if margin.side != "within" else (-margin.value, margin.value)
    distance = min(abs(interval.mean - end) for end in ends)
    quantile = (1 + interval.level) / 2
    spread = (interval.high - interval.low) / 2 * math.sqrt(interval.n) / scipy.stats.t.ppf(quantile, interval.n - 1)
    if distance == 0:
        return None
    # t_{n-1} > z, so (z s / δ)² is a lower bound on the answer: search upwards from it.
    n = max(interval.n + 1, math.ceil((scipy.stats.norm.ppf(quantile) * spread / distance) ** 2))
    while n <= MAX_SEEDS_TO_DECIDE:
        if scipy.stats.t.ppf(quantile, n - 1) * spread / math.sqrt(n) < distance:
            return n
        n += 1
    return None


def current_chapter() -> str:
    """The notebook this kernel runs: ``$MINIMAX_CHAPTER`` (set by ``booktools run``), else Jupyter's
    ``$JPY_SESSION_NAME``, else :data:`UNNAMED_CHAPTER` (e.g. a chapter downloaded and opened in Colab)."""
    for name in CHAPTER_ENV_VARS:
        value = os.environ.get(name, "")
        if value.endswith(".ipynb"):
            return value
    return UNNAMED_CHAPTER


def claims_dir() -> Path:
    """``$MINIMAX_CLAIMS_DIR`` if set, else ``_build/claims`` (relative to the working directory)."""
    return Path(os.environ.get("MINIMAX_CLAIMS_DIR", DEFAULT_CLAIMS_DIR))


def _plain(value):
    """JSON-friendly values: numpy/JAX scalars to Python floats, NaN/inf to strings, our tuples to dicts."""
    if isinstance(value, (Interval, Share, Margin)):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def describe(value, digits: int = 3) -> str:
    """A recorded ``measured`` or ``expected`` value as a reader sees it (also from its JSON form).

    Example:
      >>> describe(Interval(1.25, 0.5, 2.0, n=4)), describe(Share(3, 5, "seeds")), describe(above(1.0))
      ('1.250 [0.500, 2.000], n = 4', '3 of 5 seeds', '> 1')
      >>> describe(2.5e-13), describe(-1.7e-07), describe(0.0)
      ('2.50e-13', '-1.70e-07', '0.000')
    """
    _validation.check_nonnegative_int("digits", digits)
    if isinstance(value, (Interval, Share, Margin)):
        value = _plain(value)
    if isinstance(value, dict) and {"mean", "low", "high"} <= set(value):
        text = f"{describe(value['mean'], digits)} [{describe(value['low'], digits)}, {describe(value['high'], digits)}]"
        return text + (f", n = {value['n']}" if value.get("n") else "")
    if isinstance(value, dict) and {"count", "total", "unit"} <= set(value):
        return f"{value['count']} of {value['total']} {value['unit']}"
    if isinstance(value, dict) and {"side", "value"} <= set(value):
        shown = f"{value['value']:g}"
        return {"above": f"> {shown}", "below": f"< {shown}"}.get(value["side"], f"|·| < {shown}")
    if isinstance(value, float):
        # An error of 1e-13 is a measurement, not "0.000": numbers that would round to zero keep their exponent.
        return f"{value:.{max(digits - 1, 1)}e}" if 0 < abs(value) < 0.5 * 10.0**-digits else f"{value:.{digits}f}"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v, digits) for v in value) + "]"
    return str(value)


class Ledger:
    """Collects a chapter's claims and writes them as JSON.

    A chapter creates it with ``Ledger(profile=profile, seed=seed)``: the ledger knows its chapter from
    :func:`current_chapter`. ``chapter`` names it explicitly (tests, scripts).

    Example:
      >>> ledger = Ledger("book/part1/02_bilinear_games.ipynb", profile="quick", seed=0)
      >>> ledger.record("eg-converges", "Extragradient converges for eta*sigma < 1.", kind=VERIFICATION,
      ...               source="Korpelevich (1976)", measured=0.9, expected="< 1", holds=0.9 < 1)
      'holds'
      >>> print(ledger.summary())
      1 claim: verification 1 holds
    """

    def __init__(self, chapter: str | None = None, *, profile: str, seed: int):
        if chapter is None:
            chapter = current_chapter()
        _validation.check_string("chapter", chapter)
        _validation.check_string("profile", profile)
        _validation.check_seed("seed", seed)
        self.chapter = chapter
        self.profile = profile
        self.seed = int(seed)
        self.claims: list[Claim] = []
        self.step_sizes: list[dict] = []

    def record_step_size(self, method: str, etas, choice) -> dict:
        """Record the step size a comparison chose for ``method`` (a :class:`minimax.studies.HeldOutChoice`
        over the grid ``etas``): its value, where it sits in the grid, and the seeds it was tuned and scored on.

        Example:
          >>> from minimax import studies
          >>> ledger = Ledger("chapter.ipynb", profile="quick", seed=0)
          >>> choice = studies.choose_on_tuning_seeds(np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]), num_tuning=1)
          >>> ledger.record_step_size("adam", [1e-3, 1e-2, 1e-1], choice)["where"]
          'interior'
        """
        _validation.check_string("method", method)
        etas = _validation.check_grid_axis("etas", etas)
        if not hasattr(choice, "index") or not hasattr(choice, "bracketed"):
            raise _validation.ArgumentTypeError(f"choice must be a studies.HeldOutChoice; got {choice!r}.")
        if any(entry["method"] == method for entry in self.step_sizes):
            raise ValueError(f"a step size for method {method!r} is already recorded in this ledger.")
        where = ("interior" if choice.interior else
                 "largest stable (the next one diverged)" if choice.bracketed else f"{choice.edge}")
        entry = {"method": method, "eta": float(etas[choice.index]), "grid": [float(etas.min()), float(etas.max())],
                 "grid_size": int(etas.size), "where": where, "bracketed": bool(choice.bracketed),
                 "tuning_seeds": len(choice.tuning), "scoring_seeds": len(choice.scoring)}
        self.step_sizes.append(entry)
        return entry

    def record(self, id: str, statement: str, *, kind: str, source: str, measured, expected, holds=None,
               revised: str | None = None) -> str:
        """Add a claim and return its verdict (one of :data:`VERDICTS`).

        Args:
          id: a short unique name (``"adam-learns-best"``).
          statement: the claim, as the chapter states it.
          kind: :data:`EMPIRICAL` or :data:`VERIFICATION`.
          source: the paper, talk or theorem it comes from.
          measured: the quantity itself — a number, a list, a :class:`Share` of runs, or an
            :class:`Interval` over seeds; never a bool standing for the verdict.
          expected: for an :class:`Interval`, the :class:`Margin` it is scored against (:func:`above`,
            :func:`below`, :func:`within`), and ``holds`` is left out: the verdict is computed here.
            Otherwise a description of what the claim expects, and ``holds`` says whether ``measured`` meets it.
          holds: the verdict of a claim that is not an interval against a margin (a bool).
          revised: if the margin or the claim was set after seeing results, what changed and why.
        """
        for name, value in (("id", id), ("statement", statement), ("source", source)):
            _validation.check_string(name, value)
        _validation.check_choice("kind", kind, KINDS)
        if revised is not None:
            _validation.check_string("revised", revised)
        if isinstance(measured, (bool, np.bool_)):
            raise _validation.ArgumentTypeError(
                f"measured must be the measured quantity (a number, a Share of runs, an Interval), not the verdict "
                f"{measured!r}; pass the verdict as holds=.")
        if any(claim.id == id for claim in self.claims):
            raise ValueError(f"claim id {id!r} is already recorded in this ledger; ids must be unique.")
        to_decide = None
        if isinstance(measured, Interval):
            _check_margin("expected", expected)
            if holds is not None:
                raise ValueError(f"claim {id!r}: an Interval is scored against its margin (expected={expected}); "
                                 "leave holds out, the verdict is computed from them.")
            verdict = interval_verdict(measured, expected)
            to_decide = seeds_to_decide(measured, expected)
        else:
            if isinstance(expected, Margin):
                raise ValueError(f"claim {id!r}: a margin scores an Interval (from mean_interval or "
                                 f"paired_difference_interval); got measured={measured!r}.")
            _validation.check_bool_like("holds", holds)
            verdict = HOLDS if bool(holds) else DOES_NOT_HOLD
        self.claims.append(Claim(id, statement, source, kind, _plain(measured), _plain(expected), verdict,
                                 to_decide, revised))
        return verdict

    @property
    def path(self) -> Path:
        return claims_dir() / f"{Path(self.chapter).stem}.json"

    def to_dict(self) -> dict:
        return {
            "chapter": self.chapter,
            "profile": self.profile,
            "seed": self.seed,
            # The *_text fields are what readers see (the ledger page shows them without importing minimax).
            "claims": [{**claim._asdict(), "measured_text": describe(claim.measured),
                        "expected_text": describe(claim.expected)} for claim in self.claims],
            "step_sizes": self.step_sizes,
        }

    def write(self) -> Path:
        """Write the ledger JSON and return its path."""
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def summary(self) -> str:
        """The claims counted by kind and verdict, e.g. ``9 claims: empirical 3 hold, 1 undecided; verification 5 hold``."""
        return count_summary([claim._asdict() for claim in self.claims])

    def verdict_table(self, digits: int = 3) -> str:
        """A fixed-width table (claim, kind, measured, expected, verdict), numbers rounded to ``digits``,
        followed by :meth:`summary`."""
        _validation.check_nonnegative_int("digits", digits)
        rows = [("claim", "kind", "measured", "expected", "verdict")]
        for c in self.claims:
            verdict = c.verdict if c.verdict == HOLDS else c.verdict.upper()
            if c.seeds_to_decide:
                verdict += f" (about {c.seeds_to_decide} seeds would decide)"
            rows.append((c.id + (" (revised)" if c.revised else ""), c.kind, describe(c.measured, digits),
                         describe(c.expected, digits), verdict))
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        lines += ["", self.summary()]
        if self.step_sizes:
            lines += ["", "step sizes chosen on tuning seeds, scored on the others:"]
            lines += [f"  {entry['method']}: η = {entry['eta']:.3g} ({entry['where']} of {entry['grid_size']} in "
                      f"[{entry['grid'][0]:.3g}, {entry['grid'][1]:.3g}]; {entry['tuning_seeds']} tuning, "
                      f"{entry['scoring_seeds']} scoring seeds)" for entry in self.step_sizes]
        return "\n".join(lines)


def count_summary(claims: list[dict]) -> str:
    """Claims (as recorded in a ledger's JSON) counted by kind and verdict.

    Example:
      >>> count_summary([{"kind": "empirical", "verdict": "holds"}, {"kind": "empirical", "verdict": "undecided"},
      ...                {"kind": "verification", "verdict": "holds"}])
      '3 claims: empirical 1 holds, 1 undecided; verification 1 holds'
    """
    parts = []
    for kind in KINDS:
        verdicts = [claim.get("verdict") for claim in claims if claim.get("kind") == kind]
        counts = [f"{verdicts.count(verdict)} {verdict}" for verdict in VERDICTS if verdicts.count(verdict)]
        if counts:
            parts.append(f"{kind} {', '.join(counts)}")
    total = f"{len(claims)} claim{'s' if len(claims) != 1 else ''}"
    return f"{total}: {'; '.join(parts)}" if parts else total


def _check_interval(name: str, value) -> None:
    if not isinstance(value, Interval):
        raise _validation.ArgumentTypeError(f"{name} must be a claims.Interval (from mean_interval or "
                                            f"paired_difference_interval); got {value!r}.")


def _check_margin(name: str, value) -> None:
    if not isinstance(value, Margin):
        raise _validation.ArgumentTypeError(f"{name} must be a margin, claims.above(m), below(m) or within(m), "
                                            f"set before the runs; got {value!r}.")


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
      >>> interval.mean, round(interval.low, 2), round(interval.high, 2), interval.n
      (6.0, 4.31, 7.69, 3)
    """
    values = _validation.check_numbers("values", values, "a 1-D array of numbers, one value per seed")
    _validation.check_open_interval("level", level, 0.0, 1.0)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be a 1-D array of length >= 2 (one value per seed); got shape {values.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite (score a diverged run, e.g. as 0 modes, before comparing).")
    mean = float(values.mean())
    half_width = float(scipy.stats.t.ppf((1 + level) / 2, values.size - 1) * values.std(ddof=1) / math.sqrt(values.size))
    return Interval(mean, mean - half_width, mean + half_width, int(values.size), float(level))
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

r"""Studies: what a comparison of methods on one game repeats, in one place.

A comparison runs each method over a grid of step sizes and seeds (one compiled, vmapped sweep per
method), scores each run at the end of training, and picks the method's best step size:

.. math::

   \hat\eta = \arg\max_{\eta} \frac1S \sum_{s=1}^S \bar m(\eta, s),
   \qquad \bar m(\eta, s) = \frac1K \sum_{k=N-K+1}^{N} m_k(\eta, s),

where :math:`m_k(\eta, s)` is the metric logged at the :math:`k`-th of :math:`N` logs of the run with step
size :math:`\eta` and seed :math:`s` (a diverged run scores 0 by default), and ties go to the higher mean
of a second metric. On a plane of step-size pairs such as :math:`(\eta_G, \eta_D)` the choice is a block of
neighbouring pairs (:func:`best_block`), searched again in a window around it (:func:`widened_block`) when
the setting changes.

Example:
  >>> import jax, jax.numpy as jnp
  >>> from minimax import games, metrics, rules, schemes
  >>> game = games.bilinear(jnp.eye(2))
  >>> init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
  >>> sweep = step_size_sweep(game, schemes.from_rule(rules.sgd, schemes.extragradient), init,
  ...                         [0.1, 0.7, 1.5], seeds=[0, 1], num_steps=200, log_every=40,
  ...                         metrics=metrics.distance_to_origin)
  >>> sweep.metrics["distance"].shape, sweep.diverged.tolist()
  ((3, 2, 6), [[False, False], [False, False], [True, True]])
  >>> closeness = -sweep.final_score("distance", diverged=np.inf)   # higher is better; a diverged run is worst
  >>> float(sweep.etas[best_step_size_index(closeness)])
  0.7
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import numpy as np

from minimax import _validation, rules, runner
from minimax import metrics as metrics_lib
from minimax.games import Game
from minimax.schemes import Scheme, SchemeState

PyTree = Any


class StepSizeSweep(NamedTuple):
    """One method over step sizes × seeds, every array with the axes ``(step size, seed, ...)``.

    Attributes:
      etas: the step sizes, shape ``(num_etas,)``.
      steps: the iterations at which the metrics were logged, shape ``(num_logs,)``.
      metrics: ``{name: array of shape (num_etas, num_seeds, num_logs)}``.
      final: the final :class:`~minimax.schemes.SchemeState` of every run (leaves ``(num_etas, num_seeds, ...)``).
      diverged: whether each run diverged, shape ``(num_etas, num_seeds)``.
    """

    etas: np.ndarray
    steps: np.ndarray
    metrics: dict
    final: SchemeState
    diverged: np.ndarray

    def final_score(self, name: str, num_logs: int = 1, diverged: float = 0.0) -> np.ndarray:
        """Metric ``name`` at the end of training, shape ``(num_etas, num_seeds)``: the mean of its last
        ``num_logs`` logs, the logs after a divergence counting as ``diverged`` (0 by default: a GAN
        that blew up covers no mode; see :func:`minimax.metrics.final_mean`)."""
        _validation.check_string("name", name)
        if name not in self.metrics:
            raise KeyError(f"no metric {name!r} in this sweep; it logged {sorted(self.metrics)}")
        return metrics_lib.final_mean(self.metrics[name], num_logs, diverged=diverged)

    def at(self, eta_index: int, seed_index: int) -> SchemeState:
        """The final state of one run (e.g. ``.x``, the generator it trained)."""
        shape = self.diverged.shape
        for name, index, size in (("eta_index", eta_index, shape[0]), ("seed_index", seed_index, shape[1])):
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < size:
                raise IndexError(f"{name} must be an integer in [0, {size}), got {index!r}")
        return jax.tree_util.tree_map(lambda leaf: leaf[eta_index, seed_index], self.final)


def step_size_sweep(game: Game, make_scheme: Callable[..., Scheme], init: Callable, learning_rates: Sequence[float],
                    seeds: Sequence[int], *, num_steps: int, log_every: int = 1,
                    metrics=metrics_lib.field_norm) -> StepSizeSweep:
    """Run ``make_scheme(learning_rate)`` for every step size × seed in one compiled, vmapped sweep.

    ``init(key)`` draws the players of a seed (:func:`minimax.runner.sweep`); the result has the axes
    ``(step size, seed, ...)``.
    """
    _validation.check_grid_axis("learning_rates", learning_rates)
    _validation.check_seeds("seeds", _validation.check_grid_axis("seeds", seeds))
    points = runner.grid(learning_rate=learning_rates, seed=seeds)
    result = runner.sweep(game, make_scheme, init, points, num_steps=num_steps, log_every=log_every,
                          metrics=metrics).on_grid(points)
    return StepSizeSweep(np.asarray(learning_rates), result.steps, result.metrics, result.final,
                         np.asarray(result.diverged))


def methods_sweep(game: Game, scheme: Callable[..., Scheme], rules_of: dict[str, Callable], grids: dict[str, Sequence[float]],
                  init: Callable, seeds: Sequence[int], *, num_steps: int, log_every: int = 1,
                  metrics=metrics_lib.field_norm) -> dict[str, StepSizeSweep]:
    r"""Several methods that share a scheme, × each one's step-size grid × seeds, in one compiled, vmapped sweep.

    Method :math:`k` at grid position :math:`j` runs ``scheme(rule_x, rule_y)`` with the rules
    ``rules_of[name_k](grids[name_k][j])``. Its steps cost about what the others' cost (same scheme, same
    field, elementwise rules), so a traced method index selects each player's rule
    (:func:`minimax.rules.select`) and one program is compiled instead of one per method; each step
    computes every method's update, which is small next to the field.

    Args:
      scheme: e.g. :func:`minimax.schemes.simultaneous`, called as ``scheme(rule_x, rule_y)``.
      rules_of: ``{name: eta -> rule}`` (both players) or ``eta -> (rule_x, rule_y)``.
      grids: ``{name: step sizes}`` for the same names, every grid of the same length.
      init, seeds, num_steps, log_every, metrics: as in :func:`step_size_sweep`.

    Returns:
      ``{name: StepSizeSweep}``, each with the axes ``(step size, seed, ...)`` of its own grid.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from minimax import games, metrics, rules, schemes
      >>> init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
      >>> sweeps = methods_sweep(games.bilinear(jnp.eye(2)), schemes.extragradient,
      ...                        {"eg": rules.sgd, "extra-adam": rules.adam}, {"eg": [0.1, 0.5], "extra-adam": [0.01, 0.1]},
      ...                        init, seeds=[0, 1], num_steps=100, log_every=50, metrics=metrics.distance_to_origin)
      >>> sorted(sweeps), sweeps["eg"].metrics["distance"].shape, sweeps["extra-adam"].etas.tolist()
      (['eg', 'extra-adam'], (2, 2, 3), [0.01, 0.1])
    """
    _validation.check_callable("scheme", scheme, "a scheme factory such as schemes.simultaneous")
    names = list(rules_of)
    if not names or set(grids) != set(names):
        raise ValueError(f"rules_of and grids must name the same methods, at least one; got {names} and {list(grids)}")
    lengths = {len(_validation.check_grid_axis(f"grids[{name!r}]", grids[name])) for name in names}
    if len(lengths) != 1:
        raise ValueError(f"every method's grid must have the same length (one compiled sweep); got lengths "
                         f"{ {name: len(grids[name]) for name in names} }")
    _validation.check_seeds("seeds", _validation.check_grid_axis("seeds", seeds))
    table = jax.numpy.asarray([grids[name] for name in names], jax.numpy.float32)      # (method, grid position)

    def make_scheme(method, grid_position):
        eta = table[jax.numpy.asarray(method, jax.numpy.int32), jax.numpy.asarray(grid_position, jax.numpy.int32)]
        pairs = [_rule_pair(rules_of[name](eta)) for name in names]
        return scheme(rules.select([x for x, _ in pairs], method), rules.select([y for _, y in pairs], method))

    points = runner.grid(method=range(len(names)), grid_position=range(lengths.pop()), seed=seeds)
    result = runner.sweep(game, make_scheme, init, points, num_steps=num_steps, log_every=log_every,
                          metrics=metrics).on_grid(points)
    pick = lambda tree, k: jax.tree_util.tree_map(lambda leaf: leaf[k], tree)
    return {name: StepSizeSweep(np.asarray(grids[name]), result.steps, pick(result.metrics, k), pick(result.final, k),
                                np.asarray(result.diverged)[k])
            for k, name in enumerate(names)}


def _rule_pair(made):
    """A method's rules: one rule for both players, or a pair ``(rule_x, rule_y)``."""
    return tuple(made) if isinstance(made, tuple) and len(made) == 2 and not hasattr(made, "update") else (made, made)


def best_step_size_index(scores, tie_break=None) -> int:
    """The step size whose mean score over seeds is highest; ties go to the higher mean of ``tie_break``.

    Both arrays have the axes ``(step size, seed)`` (e.g. :meth:`StepSizeSweep.final_score` of modes
    covered, then of sample quality).

    Example:
      >>> best_step_size_index(np.array([[8, 6], [8, 6], [3, 3]]), tie_break=np.array([[0.2, 0.2], [0.5, 0.4], [0.9, 0.9]]))
      1
    """
    scores = _validation.check_numbers("scores", scores, "an array of scores with the axes (step size, seed)")
    if scores.ndim != 2 or scores.shape[0] == 0:
        raise ValueError(f"scores must have the axes (step size, seed), got shape {scores.shape}")
    keys = [scores.mean(axis=1)]
    if tie_break is not None:
        tie_break = _validation.check_numbers("tie_break", tie_break, "an array of scores with the axes (step size, seed)")
        if tie_break.shape != scores.shape:
            raise ValueError(f"tie_break must have the shape of scores {scores.shape}, got {tie_break.shape}")
        keys.insert(0, tie_break.mean(axis=1))
    return int(np.lexsort(keys)[-1])



class HeldOutChoice(NamedTuple):
    """A step size chosen on tuning seeds, and the scores of the *other* seeds at that step size.

    Attributes:
      index: the chosen step size's index in the grid.
      tuning: the seed indices the choice was made on; ``scoring`` the seed indices it is scored on.
      scores: the scoring seeds' scores at the chosen step size, shape ``(len(scoring),)``: what a claim
        about the method is scored on.
      interior: whether the chosen step size has a neighbour on both sides in the grid.
      edge: ``None`` when interior; otherwise ``"smallest"`` or ``"largest"``.
      divergence_boundary: whether the next larger step size diverged on some tuning seed, i.e. the choice is
        at the edge of stability (a larger step size is no candidate), which brackets it from above.
    """

    index: int
    tuning: np.ndarray
    scoring: np.ndarray
    scores: np.ndarray
    interior: bool
    edge: str | None
    divergence_boundary: bool

    @property
    def bracketed(self) -> bool:
        """Interior, or at the largest stable step size with a diverging one above it."""
        return self.interior or (self.edge != "smallest" and self.divergence_boundary)


def choose_on_tuning_seeds(scores, num_tuning: int, tie_break=None, diverged=None) -> HeldOutChoice:
    r"""Pick the best step size on the first ``num_tuning`` seeds, and score it on the others.

    A comparison that picks each method's step size on the seeds it then scores favours the method whose
    grid is widest (the maximum of noisy means is biased upwards). Here the choice

    .. math::

       \hat\eta = \arg\max_{\eta} \frac1{|T|} \sum_{s \in T} m(\eta, s)

    uses only the tuning seeds :math:`T` (ties to the higher mean of ``tie_break``, as in
    :func:`best_step_size_index`), and the method is scored by :math:`m(\hat\eta, s)` for :math:`s \notin T`.

    Args:
      scores: the axes ``(step size, seed)``, e.g. :meth:`StepSizeSweep.final_score`.
      num_tuning: how many of the seeds (the first ones) tune; at least one seed must be left to score.
      tie_break: optional, the shape of ``scores``.
      diverged: optional boolean ``(step size, seed)`` array (:attr:`StepSizeSweep.diverged`), to say
        whether a choice at the top of the stable range is bracketed by divergence.

    Example:
      >>> scores = np.array([[1, 1, 5, 5], [4, 4, 4, 4], [3, 3, 3, 3]])
      >>> choice = choose_on_tuning_seeds(scores, num_tuning=2)
      >>> choice.index, choice.scores.tolist(), choice.interior
      (1, [4.0, 4.0], True)
    """
    scores = _validation.check_numbers("scores", scores, "an array of scores with the axes (step size, seed)")
    if scores.ndim != 2 or scores.shape[0] == 0:
        raise ValueError(f"scores must have the axes (step size, seed), got shape {scores.shape}")
    _validation.check_positive_int("num_tuning", num_tuning)
    if num_tuning >= scores.shape[1]:
        raise ValueError(f"num_tuning must leave at least one seed to score: got {num_tuning} with "
                         f"{scores.shape[1]} seeds.")
    tuning, scoring = np.arange(num_tuning), np.arange(num_tuning, scores.shape[1])
    index = best_step_size_index(scores[:, tuning], None if tie_break is None else np.asarray(tie_break)[:, tuning])
    last = scores.shape[0] - 1
    edge = None if 0 < index < last else "smallest" if index == 0 and last > 0 else "largest"
    boundary = False
    if diverged is not None:
        diverged = np.asarray(diverged)
        if diverged.shape != scores.shape or diverged.dtype != bool:
            raise ValueError(f"diverged must be a boolean array of the shape of scores {scores.shape}, "
                             f"got {diverged.dtype} {diverged.shape}")
        boundary = bool(index < last and diverged[index + 1, tuning].any())
    return HeldOutChoice(index, tuning, scoring, scores[index, scoring], edge is None, edge, boundary)


class BlockChoice(NamedTuple):
    """The best block of a score map over a grid of step sizes (see :func:`best_block`).

    Attributes:
      start: the block's lowest index on each axis of the map.
      at_edge: whether the block touches the map's edge on some axis, so that the map does not bracket the
        choice there (a better block may lie outside it).
    """

    start: tuple[int, ...]
    at_edge: bool


def best_block(scores, size: int) -> BlockChoice:
    r"""The block of ``size`` neighbouring grid points per axis whose scores add up highest.

    On a grid of step-size pairs such as :math:`(\eta_G, \eta_D)`, a method's good range is a region, not
    one cell: scoring a block of neighbours rather than the single best cell rewards a range that is wide
    and does not chase one lucky cell. In two dimensions the block starts at

    .. math::

       (\hat\imath, \hat\jmath) = \arg\max_{i, j} \sum_{a < k} \sum_{b < k} S_{i + a,\, j + b},

    with :math:`k` = ``size``; ties go to the first start in row-major order.

    Args:
      scores: the score map, one axis per step size (any number of axes), no axis shorter than ``size``.
      size: the block's length on every axis, a positive integer.

    Example:
      >>> scores = np.array([[0, 1, 0], [0, 3, 1], [0, 0, 0]])
      >>> best_block(scores, 2)
      BlockChoice(start=(0, 1), at_edge=True)
      >>> best_block(np.pad(scores, 1), 2).start     # the same block, now inside the map
      (1, 2)
    """
    scores = _validation.check_numbers("scores", scores, "a score map with one axis per step size")
    _validation.check_positive_int("size", size)
    if scores.ndim == 0 or min(scores.shape) < size:
        raise ValueError(f"every axis of scores must be at least size = {size} long; got shape {scores.shape}")
    starts = np.ndindex(*(length - size + 1 for length in scores.shape))
    totals = {start: scores[tuple(slice(i, i + size) for i in start)].sum() for start in starts}
    start = max(totals, key=totals.get)
    at_edge = any(i in (0, length - size) for i, length in zip(start, scores.shape))
    return BlockChoice(tuple(int(i) for i in start), at_edge)


def widened_block(values: Sequence, start: int, size: int, reach: int):
    """The grid values of a block (``values[start:start + size]``) with ``reach`` more on each side, clipped at
    the grid's ends: the window in which a choice is searched again when the setting changes.

    Example:
      >>> widened_block([0.01, 0.02, 0.05, 0.1, 0.2, 0.5], start=1, size=2, reach=2)
      [0.01, 0.02, 0.05, 0.1, 0.2]
    """
    _validation.check_nonnegative_int("start", start)
    _validation.check_positive_int("size", size)
    _validation.check_nonnegative_int("reach", reach)
    if start + size > len(values):
        raise ValueError(f"the block values[{start}:{start + size}] does not fit in a grid of {len(values)} values "
                         f"(start + size must be at most {len(values)})")
    return values[max(start - reach, 0):start + size + reach]

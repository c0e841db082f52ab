r"""Studies: what a comparison of methods on one game repeats, in one place.

A comparison runs each method over a grid of step sizes and seeds (one compiled, vmapped sweep per
method), scores each run at the end of training, and picks the method's best step size:

.. math::

   \hat\eta = \arg\max_{\eta} \frac1S \sum_{s=1}^S \bar m(\eta, s),
   \qquad \bar m(\eta, s) = \frac1K \sum_{k=N-K+1}^{N} m_k(\eta, s),

where :math:`m_k(\eta, s)` is the metric logged at the :math:`k`-th of :math:`N` logs of the run with step
size :math:`\eta` and seed :math:`s` (a diverged run scores 0 by default), and ties go to the higher mean
of a second metric.

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

from minimax import _validation, runner
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


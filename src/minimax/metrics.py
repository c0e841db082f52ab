r"""Metrics logged during a run: functions ``(game, state, key) -> {name: scalar}``.

They are evaluated every ``log_every`` steps inside the compiled run (:mod:`minimax.runner`), so they
must be pure JAX. :func:`combine` merges several into one; :func:`final_mean` turns a logged history into
an end-of-training score per run.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation
from minimax.games import Game, vector_field
from minimax.schemes import SchemeState

Metric = Callable[[Game, SchemeState, jax.Array], dict]


def tree_norm(tree) -> jax.Array:
    """The Euclidean norm of a pytree, scaled by its largest entry so that huge iterates do not overflow."""
    leaves = [jnp.ravel(leaf) for leaf in jax.tree_util.tree_leaves(tree)]
    flat = jnp.concatenate(leaves)
    scale = jnp.max(jnp.abs(flat))
    safe = jnp.where(scale > 0, scale, 1.0)
    return safe * jnp.sqrt(jnp.sum((flat / safe) ** 2)) * (scale > 0)


def field_norm(game: Game, state: SchemeState, key: jax.Array) -> dict:
    r"""The norm of the vector field :math:`\|F(z_t)\|`, zero exactly at stationary points."""
    grad_x, grad_y = vector_field(game, state.x, state.y, game.sample(key))
    return {"field_norm": tree_norm((grad_x, grad_y))}


def distance_to_origin(game: Game, state: SchemeState, key: jax.Array) -> dict:
    r"""The distance :math:`\|z_t\|` to :math:`z^\star = 0`, the equilibrium of the bilinear game."""
    del game, key
    return {"distance": tree_norm((state.x, state.y))}


def iterates(game: Game, state: SchemeState, key: jax.Array) -> dict:
    """The players' parameters themselves (for small games whose trajectories are plotted)."""
    del game, key
    return {"x": state.x, "y": state.y}


def combine(*metrics: Metric) -> Metric:
    """One metric function returning the union of the given metrics' dictionaries."""
    for position, metric in enumerate(metrics):
        _validation.check_callable(f"metrics[{position}]", metric, "a metric, a function (game, state, key) -> dict")

    def combined(game, state, key):
        values = {}
        for metric in metrics:
            values.update(metric(game, state, key))
        return values

    return combined


def field_norm_and_distance(game: Game, state: SchemeState, key: jax.Array) -> dict:
    """:func:`field_norm` and :func:`distance_to_origin` together, the default for bilinear games."""
    return combine(field_norm, distance_to_origin)(game, state, key)


def tree_all_finite(tree) -> jax.Array:
    """True when every entry of every leaf is finite."""
    leaves = jax.tree_util.tree_leaves(tree)
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(leaf)) for leaf in leaves]))


def final_mean(logged, num_logs: int = 1, diverged: float = np.nan) -> np.ndarray:
    r"""The end-of-training score of each run: the mean of its last ``num_logs`` logged values.

    .. math::

       \bar m = \frac1K \sum_{k=N-K+1}^{N} m_k, \qquad K = \texttt{num\_logs},

    over the last axis of ``logged`` (the logs of a run, as in :class:`~minimax.runner.RunResult`).
    A diverged run logs NaN after it blew up; those logs count as ``diverged`` (e.g. ``0.0`` for modes
    covered: a run that blew up covers none), NaN by default, so that a diverged run has no score.

    Example:
      >>> modes = np.array([[1.0, 6.0, 8.0], [2.0, np.nan, np.nan]])   # two runs, three logs each
      >>> final_mean(modes, num_logs=2, diverged=0.0).tolist()
      [7.0, 0.0]
    """
    logged = _validation.check_numbers("logged", logged, "an array of logged numbers, runs first and logs last")
    _validation.check_number("diverged", diverged, "a number (the score of a log after divergence; NaN by default)")
    num_available = logged.shape[-1] if logged.ndim else 0
    if isinstance(num_logs, bool) or not isinstance(num_logs, (int, np.integer)) or not 1 <= num_logs <= num_available:
        raise ValueError(f"num_logs must be an integer between 1 and the number of logs ({num_available}, the last "
                         f"axis of logged); got {num_logs!r}.")
    last = logged[..., -num_logs:]
    return np.where(np.isnan(last), diverged, last).mean(axis=-1)

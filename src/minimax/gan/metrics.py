r"""Sample-quality metrics for mixtures of Gaussians (Srivastava et al., 2017; Lin et al., 2018).

Each generated sample is assigned to its nearest mode :math:`\mu_k`; it is *high quality* when it lies
within ``threshold_std`` standard deviations of that mode,

.. math::

   q(s) = \mathbb 1\bigl[\min_k \|s - \mu_k\|_2 \le c\,\sigma\bigr], \qquad c = 3 \text{ by default},

and a mode is *covered* when at least ``min_count`` high-quality samples fall near it. The standard
protocol draws 2,500 samples; PacGAN (Lin et al., 2018) counts a mode as lost with fewer than 20 of them,
hence the default ``min_count = 20``. For the ring and the grid the modes are more than :math:`2c\sigma`
apart, so "nearest mode" is unambiguous for every high-quality sample.

All functions are pure JAX (``jit``- and ``vmap``-able over runs); :func:`sample_quality` wraps them as a
metric for :func:`minimax.runner.run` and :func:`minimax.runner.sweep`.

Example:
  >>> from minimax.gan import data
  >>> mixture = data.ring()
  >>> int(modes_covered(mixture.means, mixture, min_count=1))
  8
  >>> float(high_quality_fraction(mixture.means + 1.0, mixture))
  0.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from minimax import _validation
from minimax.gan.data import Mixture

PyTree = Any


def _check(samples, mixture: Mixture, threshold_std) -> None:
    _validation.check_instance("mixture", mixture, Mixture, "e.g. minimax.gan.data.ring()")
    _validation.check_array("samples", samples)
    _validation.check_positive("threshold_std", threshold_std)
    shape = jnp.shape(samples)
    dim = mixture.means.shape[1]
    if len(shape) != 2 or shape[1] != dim:
        raise ValueError(f"samples must have shape (n, {dim}) to match the mixture's means; got shape {shape}.")


def _nearest(samples, mixture: Mixture, threshold_std):
    """Index of each sample's nearest mode and whether it is within ``threshold_std`` std of it."""
    squared = jnp.sum((samples[:, None, :] - mixture.means[None, :, :]) ** 2, axis=-1)
    nearest = jnp.argmin(squared, axis=1)
    close = jnp.min(squared, axis=1) <= (threshold_std * mixture.std) ** 2
    return nearest, close


def high_quality_fraction(samples: jax.Array, mixture: Mixture, threshold_std: float = 3.0) -> jax.Array:
    r"""The fraction of samples within ``threshold_std`` :math:`\sigma` of some mode, :math:`\frac1n\sum_i q(s_i)`.

    Args:
      samples: generated points, shape ``(n, d)``.
      mixture: the :class:`~minimax.gan.data.Mixture` they should reproduce.
      threshold_std: :math:`c > 0`, the radius in units of the mixture's :math:`\sigma`.
    """
    _check(samples, mixture, threshold_std)
    _, close = _nearest(samples, mixture, threshold_std)
    return jnp.mean(close.astype(jnp.float32))


def mode_counts(samples: jax.Array, mixture: Mixture, threshold_std: float = 3.0) -> jax.Array:
    """The number of high-quality samples at each mode, shape ``(K,)``."""
    _check(samples, mixture, threshold_std)
    nearest, close = _nearest(samples, mixture, threshold_std)
    return jnp.zeros(mixture.means.shape[0], jnp.int32).at[nearest].add(close.astype(jnp.int32))


def modes_covered(samples: jax.Array, mixture: Mixture, threshold_std: float = 3.0, min_count: int = 20) -> jax.Array:
    r"""The number of modes with at least ``min_count`` high-quality samples, an int32 in :math:`[0, K]`.

    Args:
      samples: generated points, shape ``(n, d)`` (2,500 in the standard protocol).
      mixture: the :class:`~minimax.gan.data.Mixture` they should reproduce.
      threshold_std: :math:`c > 0`, the radius in units of the mixture's :math:`\sigma`.
      min_count: an integer >= 1; with few samples lower it (``min_count=1``: a mode counts once hit).
    """
    _validation.check_positive_int("min_count", min_count)
    return jnp.sum(mode_counts(samples, mixture, threshold_std) >= min_count).astype(jnp.int32)


def sample_quality(
    mixture: Mixture,
    generator: Callable[[PyTree, jax.Array], jax.Array],
    latent_dim: int,
    num_samples: int = 2500,
    threshold_std: float = 3.0,
    min_count: int = 20,
):
    """A run metric ``(game, state, key) -> {"modes_covered", "high_quality_fraction"}``.

    It draws ``num_samples`` latents, maps them through ``generator(state.x, latents)`` and scores the
    points against ``mixture``; pass it as ``metrics=`` to :func:`minimax.runner.run` or ``sweep``.
    """
    _validation.check_instance("mixture", mixture, Mixture, "e.g. minimax.gan.data.ring()")
    _validation.check_callable("generator", generator, "a function (params, latents) -> points")
    _validation.check_positive_int("latent_dim", latent_dim)
    _validation.check_positive_int("num_samples", num_samples)
    _validation.check_positive("threshold_std", threshold_std)
    _validation.check_positive_int("min_count", min_count)

    def metric(game, state, key):
        del game
        samples = generator(state.x, jax.random.normal(key, (num_samples, latent_dim)))
        return {
            "modes_covered": modes_covered(samples, mixture, threshold_std, min_count),
            "high_quality_fraction": high_quality_fraction(samples, mixture, threshold_std),
        }

    return metric

r"""Toy data for GANs: mixtures of isotropic 2-D Gaussians.

A :class:`Mixture` with means :math:`\mu_1, \dots, \mu_K` and standard deviation :math:`\sigma` has the
density

.. math::

   p(x) = \frac1K \sum_{k=1}^K \mathcal N\bigl(x;\, \mu_k,\, \sigma^2 I\bigr),

every mode equally likely. The two standard benchmarks (Metz et al., 2017; Srivastava et al., 2017;
Lin et al., 2018) are :func:`ring` (8 modes on a circle of radius 2, :math:`\sigma = 0.02`) and
:func:`grid_mixture` (a 5 × 5 grid of spacing 2, :math:`\sigma = 0.05`). The modes are far apart compared with
:math:`\sigma`, which makes missing modes easy to count (:mod:`minimax.gan.metrics`).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from minimax import _validation


class Mixture(NamedTuple):
    """An equal-weight mixture of isotropic Gaussians (a pytree: it can be passed through ``jit``).

    Attributes:
      means: the modes :math:`\\mu_k`, shape ``(K, d)``.
      std: the common standard deviation :math:`\\sigma` of every component.
    """

    means: jax.Array
    std: float

    @property
    def num_modes(self) -> int:
        """The number of components :math:`K`."""
        return self.means.shape[0]

    @property
    def dim(self) -> int:
        """The dimension :math:`d` of the data points."""
        return self.means.shape[1]

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        r"""``n`` i.i.d. points, shape ``(n, d)``: a uniform mode :math:`k`, then :math:`\mu_k + \sigma\varepsilon`.

        Example:
          >>> points = ring().sample(jax.random.PRNGKey(0), 5)
          >>> points.shape
          (5, 2)
        """
        _validation.check_key("key", key)
        _validation.check_positive_int("n", n)
        mode_key, noise_key = jax.random.split(key)
        modes = jax.random.randint(mode_key, (n,), 0, self.num_modes)
        noise = jax.random.normal(noise_key, (n, self.dim), dtype=self.means.dtype)
        return self.means[modes] + self.std * noise


def ring(num_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> Mixture:
    r"""``num_modes`` Gaussians evenly spaced on a circle: :math:`\mu_k = r(\cos\tfrac{2\pi k}{K}, \sin\tfrac{2\pi k}{K})`.

    Args:
      num_modes: :math:`K \ge 1`.
      radius: :math:`r > 0`.
      std: :math:`\sigma > 0`.

    Example:
      >>> mixture = ring(num_modes=4)
      >>> mixture.means.shape, mixture.means[0].tolist()
      ((4, 2), [2.0, 0.0])
    """
    _validation.check_positive_int("num_modes", num_modes)
    _validation.check_positive("radius", radius)
    _validation.check_positive("std", std)
    angles = 2 * jnp.pi * jnp.arange(num_modes, dtype=jnp.float32) / num_modes
    means = radius * jnp.stack([jnp.cos(angles), jnp.sin(angles)], axis=1)
    return Mixture(means.astype(jnp.float32), float(std))


def grid_mixture(size: int = 5, spacing: float = 2.0, std: float = 0.05) -> Mixture:
    r"""A ``size`` × ``size`` grid of Gaussians centred on the origin, :math:`\mu_{ij} = s\,(i - \tfrac{n-1}2,\ j - \tfrac{n-1}2)`.

    The default 5 × 5 grid has its modes at :math:`\{-4, -2, 0, 2, 4\}^2`.

    Args:
      size: :math:`n \ge 1` modes per side (:math:`K = n^2`).
      spacing: :math:`s > 0`, the distance between neighbouring modes.
      std: :math:`\sigma > 0`.

    Example:
      >>> grid_mixture().means.shape
      (25, 2)
    """
    _validation.check_positive_int("size", size)
    _validation.check_positive("spacing", spacing)
    _validation.check_positive("std", std)
    coordinates = spacing * (jnp.arange(size, dtype=jnp.float32) - (size - 1) / 2)
    rows, columns = jnp.meshgrid(coordinates, coordinates, indexing="ij")
    means = jnp.stack([rows.ravel(), columns.ravel()], axis=1)
    return Mixture(means.astype(jnp.float32), float(std))

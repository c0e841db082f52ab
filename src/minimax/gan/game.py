r"""A GAN as a :class:`minimax.games.Game`: the generator is player ``x``, the discriminator player ``y``.

For a data distribution :math:`p`, a generator :math:`G_x` fed with latents :math:`z \sim \mathcal N(0, I)`
and a discriminator with logits :math:`\ell_y` (so :math:`D_y = \sigma(\ell_y)`), each evaluation draws a
batch of :math:`n` real points and :math:`n` latents, and the players minimize

.. math::

   \text{saturating (zero-sum):}\quad
   \ell_x = f, \quad \ell_y = -f, \qquad
   f(x, y) = \tfrac1n\textstyle\sum_i \log D_y(x_i) + \tfrac1n\sum_i \log\bigl(1 - D_y(G_x(z_i))\bigr);

   \text{non-saturating:}\quad
   \ell_x = -\tfrac1n\textstyle\sum_i \log D_y(G_x(z_i)), \quad \ell_y = -f .

The non-saturating game is not zero-sum, so it is built as ``Game(loss_x, loss_y, sample)`` directly;
every scheme of :mod:`minimax.schemes` plays both.

Example:
  >>> from minimax.gan import data, networks
  >>> game = gan_game(data.ring(), networks.mlp_apply, networks.mlp_apply, latent_dim=2, batch_size=64)
  >>> generator = networks.mlp_init(jax.random.PRNGKey(0), [2, 32, 32, 2])
  >>> discriminator = networks.mlp_init(jax.random.PRNGKey(1), [2, 32, 32, 1])
  >>> batch = game.sample(jax.random.PRNGKey(2))
  >>> batch.real.shape, batch.latent.shape
  ((64, 2), (64, 2))
  >>> game.loss_y(generator, discriminator, batch).shape
  ()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax

from minimax import _validation
from minimax.games import Game, zero_sum
from minimax.gan import losses
from minimax.gan.data import Mixture

PyTree = Any
LOSSES = ("non_saturating", "saturating")


class GanBatch(NamedTuple):
    """One evaluation's data: ``real`` points, shape ``(n, d)``, and ``latent`` codes, shape ``(n, latent_dim)``."""

    real: jax.Array
    latent: jax.Array


def gan_game(
    data: Mixture,
    generator: Callable[[PyTree, jax.Array], jax.Array],
    discriminator: Callable[[PyTree, jax.Array], jax.Array],
    latent_dim: int,
    batch_size: int,
    loss: str = "non_saturating",
) -> Game:
    r"""The GAN game on ``data`` with the given networks.

    Args:
      data: the real distribution, anything with ``sample(key, n) -> (n, d)`` (e.g. :func:`~minimax.gan.data.ring`).
      generator: ``(x, latent) -> points``, e.g. :func:`~minimax.gan.networks.mlp_apply`; maps
        ``(n, latent_dim)`` latents to ``(n, d)`` points.
      discriminator: ``(y, points) -> logits``, shape ``(n,)`` or ``(n, 1)``; :math:`D = \sigma(\text{logits})`.
      latent_dim: the dimension of :math:`z \sim \mathcal N(0, I)`, an integer >= 1.
      batch_size: :math:`n`, real points and latents drawn per evaluation, an integer >= 1.
      loss: ``"non_saturating"`` (default) or ``"saturating"`` (the zero-sum minimax game).

    Returns:
      a :class:`~minimax.games.Game` whose ``sample(key)`` returns a :class:`GanBatch`.
    """
    _validation.check_sampler("data", data)
    _validation.check_callable("generator", generator, "a function (params, latent) -> points")
    _validation.check_callable("discriminator", discriminator, "a function (params, points) -> logits")
    _validation.check_positive_int("latent_dim", latent_dim)
    _validation.check_positive_int("batch_size", batch_size)
    _validation.check_choice("loss", loss, LOSSES)

    def sample(key: jax.Array) -> GanBatch:
        real_key, latent_key = jax.random.split(key)
        return GanBatch(data.sample(real_key, batch_size), jax.random.normal(latent_key, (batch_size, latent_dim)))

    def logits(x, y, batch):
        fake = generator(x, batch.latent)
        return discriminator(y, batch.real), discriminator(y, fake)

    def loss_y(x, y, batch):
        return losses.discriminator_loss(*logits(x, y, batch))

    if loss == "saturating":
        return zero_sum(lambda x, y, batch: losses.payoff(*logits(x, y, batch)), sample)

    def loss_x(x, y, batch):
        return losses.non_saturating_generator_loss(discriminator(y, generator(x, batch.latent)))

    return Game(loss_x=loss_x, loss_y=loss_y, sample=sample)

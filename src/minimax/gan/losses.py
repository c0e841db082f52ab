r"""The GAN losses, written on the discriminator's *logits* :math:`D = \sigma(\ell)`.

With :math:`\ell_r = \ell(x)` on real points and :math:`\ell_f = \ell(G(z))` on generated ones, the value
of the original GAN game (Goodfellow et al., 2014) is

.. math::

   f(G, D) = \E_x \log D(x) + \E_z \log\bigl(1 - D(G(z))\bigr)
           = -\E\,\operatorname{softplus}(-\ell_r) - \E\,\operatorname{softplus}(\ell_f),

using :math:`\log\sigma(t) = -\operatorname{softplus}(-t)` and :math:`\log(1 - \sigma(t)) =
-\operatorname{softplus}(t)`, which are exact and never overflow. The discriminator maximizes :math:`f`.
The generator either minimizes :math:`f` (*saturating*, the zero-sum game) or minimizes
:math:`-\E_z \log D(G(z)) = \E\operatorname{softplus}(-\ell_f)` (*non-saturating*, whose gradient does not
vanish when the discriminator confidently rejects the fakes).

Example:
  >>> zeros = jnp.zeros(4)
  >>> float(payoff(zeros, zeros))  # 2 log(1/2)  # doctest: +ELLIPSIS
  -1.386...
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def payoff(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    r""":math:`f = \E \log\sigma(\ell_r) + \E \log(1 - \sigma(\ell_f))`, maximized by the discriminator."""
    return -jnp.mean(jax.nn.softplus(-real_logits)) - jnp.mean(jax.nn.softplus(fake_logits))


def discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
    r"""The discriminator's loss :math:`-f`, the cross-entropy of telling real (1) from fake (0)."""
    return -payoff(real_logits, fake_logits)


def saturating_generator_loss(fake_logits: jax.Array) -> jax.Array:
    r"""The zero-sum generator loss :math:`\E\log(1 - \sigma(\ell_f)) = -\E\operatorname{softplus}(\ell_f)`.

    It differs from :math:`f` by a term independent of the generator, so it has the same gradient.
    """
    return -jnp.mean(jax.nn.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits: jax.Array) -> jax.Array:
    r"""The non-saturating generator loss :math:`-\E\log\sigma(\ell_f) = \E\operatorname{softplus}(-\ell_f)`."""
    return jnp.mean(jax.nn.softplus(-fake_logits))

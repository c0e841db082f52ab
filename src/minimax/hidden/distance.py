r"""The distance to the target: the Lyapunov function of natural-gradient flows (Mladenovic et al., 2022).

.. math::

   V(\theta, \phi) = \tfrac12\|F_\theta - F^*\|^2 + \tfrac12\|G_\phi - G^*\|^2
   = \frac{w_x}2\sum_i \|F_\theta(x_i) - F^*(x_i)\|^2 + \frac{w_y}2\sum_j \|G_\phi(x'_j) - G^*(x'_j)\|^2 .

Along the natural flow with pseudo-inverse metric, the outputs follow the output-space gradient flow
:math:`\dot F = -\tfrac1{w_x}\nabla_F L`, :math:`\dot G = \tfrac1{w_y}\nabla_G L`, as long as the per-sample
Jacobians span the output directions; then

.. math::

   \dot V = -\langle \nabla_F L, F - F^*\rangle + \langle \nabla_G L, G - G^*\rangle
   \le L(F^*, G) - L(F, G^*) \le 0,

by convexity in :math:`F`, concavity in :math:`G`, and the saddle-point property of :math:`(F^*, G^*)`
(:func:`lyapunov_derivative` is this formula).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from minimax import _validation
from minimax.hidden.games import HiddenGame, output_gradients
from minimax.hidden.target import Target


def _check(hidden, target) -> None:
    _validation.check_instance("hidden", hidden, HiddenGame, "e.g. minimax.hidden.matching_pennies(player_x, player_y)")
    _validation.check_instance("target", target, Target, "e.g. minimax.hidden.matching_pennies_target()")


def lyapunov(hidden: HiddenGame, target: Target, x, y) -> jax.Array:
    r""":math:`V = \tfrac12\|F_\theta - F^*\|^2 + \tfrac12\|G_\phi - G^*\|^2` in the empirical norms.

    Example:
      >>> from minimax.hidden import games, target
      >>> game = games.matching_pennies(lambda t: jax.nn.sigmoid(t), lambda p: jax.nn.sigmoid(p))
      >>> float(lyapunov(game, target.matching_pennies_target(), jnp.zeros(1), jnp.zeros(1)))
      0.0
    """
    _check(hidden, target)
    F, G = hidden.outputs_x(x), hidden.outputs_y(y)
    return 0.5 * hidden.weight_x * jnp.sum((F - jnp.reshape(target.F, F.shape)) ** 2) + 0.5 * hidden.weight_y * jnp.sum(
        (G - jnp.reshape(target.G, G.shape)) ** 2
    )


def lyapunov_derivative(hidden: HiddenGame, target: Target, x, y) -> jax.Array:
    r"""The theorem's :math:`\dot V = -\langle\nabla_F L, F - F^*\rangle + \langle\nabla_G L, G - G^*\rangle`."""
    _check(hidden, target)
    F, G = hidden.outputs_x(x), hidden.outputs_y(y)
    grad_F, grad_G = output_gradients(hidden, x, y)
    return -jnp.sum(grad_F * (F - jnp.reshape(target.F, F.shape))) + jnp.sum(grad_G * (G - jnp.reshape(target.G, G.shape)))


def lyapunov_metric(hidden: HiddenGame, target: Target):
    """A run metric ``(game, state, key) -> {"V": ...}`` for :func:`minimax.runner.run` and ``sweep``."""
    _check(hidden, target)

    def metric(game, state, key):
        del game, key
        return {"V": lyapunov(hidden, target, state.x, state.y)}

    return metric

r"""Discrete natural-gradient methods as :class:`minimax.schemes.Scheme`\ s.

Natural GDA takes a step along the natural directions of both players at the current point,

.. math::

   \theta_{t+1} = \theta_t - \eta\,(A_{\theta_t} + \delta I)^{-1}\nabla_\theta\Psi(\theta_t, \phi_t), \qquad
   \phi_{t+1} = \phi_t + \eta\,(B_{\phi_t} + \delta I)^{-1}\nabla_\phi\Psi(\theta_t, \phi_t),

the Euler discretization of the natural flow (:mod:`minimax.natural.flows`). Natural extragradient
looks ahead first and steps from :math:`z_t` with the natural direction of the look-ahead gradient, the
metric being evaluated at the look-ahead point.

Natural GDA is the library's own :func:`minimax.schemes.simultaneous` with the per-player rule
``optax.chain(precondition(player), rules.sgd(eta))``; natural extragradient is its own
:class:`~minimax.schemes.Scheme` (same state, same rules). Both run in :func:`minimax.runner.run` and
:func:`minimax.runner.sweep` like any other scheme.
"""

from __future__ import annotations

import optax

from minimax import _validation, rules, schemes
from minimax.hidden.games import HiddenGame
from minimax.natural.solvers import precondition


def natural_rule(player, learning_rate, method="dual", damping=1e-3, scale=1.0, **options) -> optax.GradientTransformation:
    r"""One player's rule :math:`u = -\eta\,(A_\theta + \delta I)^{-1} g`."""
    return optax.chain(precondition(player, method, damping, scale, **options), rules.sgd(learning_rate))


def _rules(hidden, learning_rate, method, damping, player_x, player_y, options):
    _validation.check_instance("hidden", hidden, HiddenGame, "e.g. minimax.hidden.matching_pennies(player_x, player_y)")
    px = hidden.outputs_x if player_x is None else player_x
    py = hidden.outputs_y if player_y is None else player_y
    return (natural_rule(px, learning_rate, method, damping, hidden.weight_x, **options),
            natural_rule(py, learning_rate, method, damping, hidden.weight_y, **options))


def natural_gda(hidden: HiddenGame, learning_rate, method="dual", damping=1e-3, player_x=None, player_y=None,
                **options) -> schemes.Scheme:
    r"""Simultaneous natural gradient descent–ascent on a hidden game.

    Args:
      hidden: the :class:`~minimax.hidden.HiddenGame` whose output maps define the metrics.
      learning_rate: :math:`\eta > 0`.
      method: how to solve with the metric: ``"dense"``, ``"dual"``, ``"cg"`` or ``"kfac"``.
      damping: :math:`\delta \ge 0`.
      player_x, player_y: :class:`~minimax.hidden.MLPPlayer`\ s (needed by ``"kfac"``); default the output maps.

    On a CPU, a vmapped sweep with ``"dense"``, ``"dual"`` or ``"kfac"`` on large metrics can hang with
    jaxlib 0.10: its batched eigendecompositions wait for tasks inside XLA's thread pool, and when both players'
    solves occupy every thread of the pool no thread is left to run them. Set ``NPROC=1`` in the environment
    before JAX starts (chapter 2.4, on finite sums, does), or use ``"cg"``, which calls no LAPACK kernel.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from minimax import hidden, runner
      >>> game = hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization=1.0)
      >>> result = runner.run(hidden.as_game(game), natural_gda(game, 0.1), jnp.ones(1), jnp.ones(1), num_steps=10)
      >>> result.metrics["field_norm"].shape
      (11,)
    """
    rule_x, rule_y = _rules(hidden, learning_rate, method, damping, player_x, player_y, options)
    return schemes.simultaneous(rule_x, rule_y)


def natural_extragradient(hidden: HiddenGame, learning_rate, method="dual", damping=1e-3, player_x=None,
                          player_y=None, **options) -> schemes.Scheme:
    r"""Extragradient with natural directions, each computed where its gradient is evaluated.

    .. math::

       z_{t+\frac12} = z_t - \eta\,P_{z_t}^{-1}F(z_t), \qquad
       z_{t+1} = z_t - \eta\,P_{z_{t+1/2}}^{-1}F(z_{t+1/2}),

    with :math:`P_z = \operatorname{diag}(A_\theta + \delta I, B_\phi + \delta I)`. The metric must be taken at the
    look-ahead point: the gradient there lies in the row space of *its* Jacobian, and preconditioning it with
    the metric of :math:`z_t` amplifies the mismatch by :math:`1/\delta`. This is
    :func:`minimax.schemes.extragradient` with ``precondition_at_look_ahead=True`` and the natural rules.
    """
    rule_x, rule_y = _rules(hidden, learning_rate, method, damping, player_x, player_y, options)
    return schemes.extragradient(rule_x, rule_y, precondition_at_look_ahead=True)

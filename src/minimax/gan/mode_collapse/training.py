r"""The training rules of the mode-collapse study, as module-level scheme factories of the step sizes (so that
compiled sweeps are cached): SGDA, normalized SGDA (per player and layer-wise) and paced SGDA."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from minimax import _validation, rules, schemes
from minimax.games import vector_field


def _decayed(eta, decay):
    r"""The step size :math:`\eta/(1 + \kappa t)` as an optax schedule (``decay`` = :math:`\kappa \ge 0`; 0 keeps it constant)."""
    _validation.check_nonnegative("decay", decay)
    return lambda count: eta / (1.0 + decay * count)


def _check_step_sizes(eta_g, eta_d) -> None:
    _validation.check_positive("eta_g", eta_g)
    _validation.check_positive("eta_d", eta_d)


def sgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Simultaneous SGDA with step sizes :math:`\eta_G, \eta_D`, optionally decayed as :math:`\eta/(1 + \kappa t)`.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \nabla_V f, \qquad (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \nabla_{W,b} f,
       \qquad \eta_{\cdot,t} = \frac{\eta_\cdot}{1 + \kappa t},

    both gradients taken on the same mini-batch at the same point (``decay`` = :math:`\kappa`).

    Example:
      >>> scheme = sgda(0.1, 0.2)  # a scheme for minimax.runner.run / sweep
    """
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(rules.sgd(_decayed(eta_g, decay)), rules.sgd(_decayed(eta_d, decay)))


def nsgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Simultaneous normalized SGDA: each player moves by exactly :math:`\eta_{\cdot,t}` per step.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \frac{\nabla_V f}{\lVert\nabla_V f\rVert}, \qquad
       (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \frac{\nabla_{W,b} f}{\lVert\nabla_{W,b} f\rVert},

    the norm taken over all of a player's parameters (g-nSGDA of Jelassi et al.), with the optional decay
    :math:`\eta_{\cdot,t} = \eta_\cdot/(1 + \kappa t)` of :func:`sgda`. The step *length* no longer depends on
    the size of the gradient: both players advance at the pace their step sizes set.

    Example:
      >>> scheme = nsgda(0.01, 0.03)
    """
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(rules.normalized_sgda(_decayed(eta_g, decay)), rules.normalized_sgda(_decayed(eta_d, decay)))


def paced_sgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""SGDA whose step ratio compensates the players' gradient-norm ratio: the pace of nSGDA, the lengths of SGDA.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \frac{\lVert\nabla_{W,b} f\rVert}{\lVert\nabla_V f\rVert} \nabla_V f, \qquad
       (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \nabla_{W,b} f,

    so the generator moves :math:`\eta_G/\eta_D` times as far as the discriminator at every step, as under
    :func:`nsgda`, while the discriminator's step (and with it both lengths) still scales with its gradient as
    under :func:`sgda`. The intervention that separates the pace argument (the ratio of the players' steps is
    what matters) from normalization itself. ``decay`` as in :func:`sgda`; a zero generator gradient gives a
    zero generator step.

    Example:
      >>> scheme = paced_sgda(0.1, 0.2)
    """
    _check_step_sizes(eta_g, eta_d)
    rule_x, rule_y = rules.sgd(_decayed(eta_g, decay)), rules.sgd(_decayed(eta_d, decay))

    def init(x, y):
        return schemes.SchemeState(x, y, rule_x.init(x), rule_y.init(y), jnp.zeros((), jnp.int32))

    def step(game, state, key):
        grad_x, grad_y = vector_field(game, state.x, state.y, game.sample(key))
        norm_x = optax.tree.norm(grad_x)
        pace = jnp.where(norm_x > 0, optax.tree.norm(grad_y) / jnp.where(norm_x > 0, norm_x, 1.0), 0.0)
        updates_x, rule_state_x = rule_x.update(jax.tree_util.tree_map(lambda g: pace * g, grad_x), state.rule_state_x, state.x)
        updates_y, rule_state_y = rule_y.update(grad_y, state.rule_state_y, state.y)
        return schemes.SchemeState(optax.apply_updates(state.x, updates_x), optax.apply_updates(state.y, updates_y),
                                   rule_state_x, rule_state_y, state.step + 1, state.memory)

    return schemes.Scheme(init, step)


def layerwise_nsgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Layer-wise normalized SGDA (l-nSGDA): :math:`V`, :math:`W` and :math:`b` are each normalized on their own."""
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(rules.normalized_sgda(_decayed(eta_g, decay), layerwise=True),
                                rules.normalized_sgda(_decayed(eta_d, decay), layerwise=True))

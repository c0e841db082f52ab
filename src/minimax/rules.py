r"""Per-player update rules, each an :class:`optax.GradientTransformation`.

A rule maps a player's gradient :math:`g_t` to the update :math:`u_t` that is *added* to its parameters
(so plain gradient descent is :math:`u_t = -\eta g_t`). Rules know nothing about games: the ascent
player simply passes the gradient of its own loss, :math:`-\nabla_y f`.

The rules of the book, written for one player with step size :math:`\eta` — a number, or, as in optax,
a schedule :math:`t \mapsto \eta_t` (e.g. :func:`optax.exponential_decay`):

* :func:`sgd` — :math:`m_t = g_t + \beta m_{t-1},\ u_t = -\eta m_t` (optax's ``sgd``; heavy-ball
  momentum, and *negative* momentum for :math:`\beta < 0`).
* :func:`adam` — optax's Adam, :math:`u_t = -\eta\,\hat m_t / (\sqrt{\hat v_t} + \epsilon)`.
* :func:`normalized_sgda` — :math:`u_t = -\eta\, m_t / (\|m_t\|_2 + \epsilon)`, the norm taken over the whole
  player (global) or over each parameter array separately (layer-wise).
* :func:`graft` — the magnitude of one rule with the direction of another,
  :math:`u_t = \|u^{\text{mag}}_t\|\, u^{\text{dir}}_t / (\|u^{\text{dir}}_t\| + \epsilon)`;
  :func:`adalr` (Adam's magnitude, SGD-momentum's direction) and :func:`adadir` (SGD's magnitude,
  Adam's direction) dissect Adam as in Jelassi et al. (2022).
* :func:`select` — one of several rules, chosen by a (traceable) index, so that they share a compiled sweep.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from minimax import _validation

PyTree = Any


def sgd(learning_rate, momentum=0.0) -> optax.GradientTransformation:
    r"""Gradient descent with optional heavy-ball (or negative) momentum.

    .. math::

       m_t = g_t + \beta\, m_{t-1}, \qquad u_t = -\eta\, m_t .

    With ``momentum = 0`` this is plain gradient descent. ``momentum`` may be negative: Gidel et al. (2019)
    show that negative momentum stabilizes *alternating* gradient descent-ascent on bilinear games.

    Args:
      learning_rate: :math:`\eta > 0`.
      momentum: :math:`\beta \in (-1, 1)`.

    Example:
      >>> rule = sgd(0.1, momentum=-0.5)
      >>> state = rule.init(jnp.zeros(2))
      >>> rule.update(jnp.ones(2), state)[0].tolist()
      [-0.1, -0.1]
    """
    _validation.check_step_size("learning_rate", learning_rate)
    _validation.check_open_interval("momentum", momentum, -1.0, 1.0)
    return optax.chain(optax.trace(decay=momentum), optax.scale_by_learning_rate(learning_rate))


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8) -> optax.GradientTransformation:
    r"""Adam (Kingma and Ba, 2015), exactly :func:`optax.adam`.

    .. math::

       m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
       u_t = -\eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with the bias corrections :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`.
    """
    _validation.check_step_size("learning_rate", learning_rate)
    _validation.check_decay("b1", b1)
    _validation.check_decay("b2", b2)
    _validation.check_positive("eps", eps)
    return optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)


def normalize(layerwise: bool = False, eps: float = 1e-8) -> optax.GradientTransformation:
    r"""Divide the updates by their Euclidean norm: :math:`u \mapsto u / (\|u\|_2 + \epsilon)`.

    Global (``layerwise=False``): one norm over all of the player's parameters, so the whole update has
    unit length — optax's :func:`optax.normalize_by_update_norm`. Layer-wise: each parameter array (each
    leaf of the pytree, e.g. one weight matrix or one bias) is normalized on its own, so every layer moves
    by the same distance (optax has no layer-wise version).
    """
    _validation.check_bool("layerwise", layerwise)
    _validation.check_positive("eps", eps)
    if not layerwise:
        return optax.normalize_by_update_norm(scale_factor=1.0, eps=eps)

    def update_fn(updates, state, params=None):
        del params
        return jax.tree_util.tree_map(lambda u: u / (jnp.linalg.norm(u.ravel()) + eps), updates), state

    return optax.GradientTransformation(optax.init_empty_state, update_fn)


def normalized_sgda(learning_rate, momentum=0.0, layerwise: bool = False, eps: float = 1e-8):
    r"""Normalized SGD for one player: :math:`u_t = -\eta\, m_t / (\|m_t\|_2 + \epsilon)`.

    :math:`m_t = g_t + \beta m_{t-1}` is the (optional) momentum buffer. Used by both players of a game
    this is nSGDA (global norm) or l-nSGDA (``layerwise=True``), the rules that Jelassi et al. (2022) find
    to match Adam on GANs. Every step has length exactly :math:`\eta` (global) up to :math:`\epsilon`.

    Example:
      >>> rule = normalized_sgda(0.5)
      >>> update, _ = rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))
      >>> float(jnp.linalg.norm(update))  # doctest: +ELLIPSIS
      0.5...
    """
    _validation.check_step_size("learning_rate", learning_rate)
    _validation.check_open_interval("momentum", momentum, -1.0, 1.0)
    _validation.check_bool("layerwise", layerwise)
    _validation.check_positive("eps", eps)
    return optax.chain(
        optax.trace(decay=momentum), normalize(layerwise=layerwise, eps=eps), optax.scale_by_learning_rate(learning_rate)
    )


class GraftState(NamedTuple):
    """The states of the magnitude rule and of the direction rule."""

    magnitude: optax.OptState
    direction: optax.OptState


def graft(
    magnitude: optax.GradientTransformation,
    direction: optax.GradientTransformation,
    layerwise: bool = False,
    eps: float = 1e-16,
) -> optax.GradientTransformation:
    r"""Grafting (Agarwal et al., 2020): the step length of one rule, the direction of another.

    Both rules see the same gradients and keep their own state; the update is

    .. math::

       u_t = \|u^{\text{mag}}_t\|_2\; \frac{u^{\text{dir}}_t}{\|u^{\text{dir}}_t\|_2 + \epsilon},

    norms taken over the whole player, or per parameter array with ``layerwise=True``. The sign comes
    from the direction rule, so it must be a descent rule (e.g. ``sgd(1.0)``, which returns :math:`-g`).
    """
    _validation.check_rule("magnitude", magnitude)
    _validation.check_rule("direction", direction)
    _validation.check_bool("layerwise", layerwise)
    _validation.check_positive("eps", eps)

    def init_fn(params):
        return GraftState(magnitude.init(params), direction.init(params))

    def update_fn(updates, state, params=None):
        magnitude_updates, magnitude_state = magnitude.update(updates, state.magnitude, params)
        direction_updates, direction_state = direction.update(updates, state.direction, params)
        if layerwise:
            grafted = jax.tree_util.tree_map(
                lambda m, d: jnp.linalg.norm(m.ravel()) * d / (jnp.linalg.norm(d.ravel()) + eps),
                magnitude_updates,
                direction_updates,
            )
        else:
            ratio = optax.tree.norm(magnitude_updates) / (optax.tree.norm(direction_updates) + eps)
            grafted = jax.tree_util.tree_map(lambda d: ratio * d, direction_updates)
        return grafted, GraftState(magnitude_state, direction_state)

    return optax.GradientTransformation(init_fn, update_fn)


def adalr(learning_rate, b1=0.9, b2=0.999, eps=1e-8, layerwise: bool = False):
    r"""AdaLR: Adam's step length along the SGD-momentum direction.

    .. math::

       u_t = \|A_t\|_2 \, \frac{-M_t}{\|M_t\|_2 + \epsilon}, \qquad
       A_t = -\eta\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}, \quad M_t = \beta_1 M_{t-1} + (1-\beta_1) g_t .

    If Adam's gains came from its *magnitude*, AdaLR keeps them (Jelassi et al., 2022).
    """
    return graft(
        magnitude=adam(learning_rate, b1=b1, b2=b2, eps=eps),
        direction=optax.chain(optax.ema(decay=b1, debias=False), optax.scale(-1.0)),
        layerwise=layerwise,
    )


def adadir(learning_rate, b1=0.9, b2=0.999, eps=1e-8, layerwise: bool = False):
    r"""AdaDir: SGD-momentum's step length along Adam's direction.

    .. math::

       u_t = \eta\,\|M_t\|_2\, \frac{A_t}{\|A_t\|_2 + \epsilon}, \qquad
       A_t = -\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}, \quad M_t = \beta_1 M_{t-1} + (1-\beta_1) g_t .

    If Adam's gains came from its *direction*, AdaDir keeps them (Jelassi et al., 2022).
    """
    _validation.check_step_size("learning_rate", learning_rate)
    _validation.check_decay("b1", b1)
    return graft(
        magnitude=optax.chain(optax.ema(decay=b1, debias=False), optax.scale_by_learning_rate(learning_rate)),
        direction=adam(1.0, b1=b1, b2=b2, eps=eps),
        layerwise=layerwise,
    )


def as_index(index) -> jax.Array:
    """An int32 option index from an integer, a boolean or a float with an integer value (traced or not)."""
    _validation.check_index_like("index", index)
    index = jnp.asarray(index)
    return (index if index.dtype == jnp.bool_ else jnp.round(index)).astype(jnp.int32)


def select_tree(index, trees):
    """``trees[index]`` leaf by leaf, for a (possibly traced) integer-valued ``index``; the trees share a structure."""
    trees = _validation.check_options("pytrees", trees, "trees")
    _validation.check_option_index("index", index, len(trees))
    chosen = trees[0]
    index = as_index(index)
    for k, tree in enumerate(trees[1:], start=1):
        chosen = jax.tree_util.tree_map(lambda current, candidate, k=k: jnp.where(index == k, candidate, current),
                                        chosen, tree)
    return chosen


def select(options, index) -> optax.GradientTransformation:
    r"""The update of ``options[index]``: several rules in one compiled sweep, chosen by a traceable index.

    .. math::

       u_t = u^{(k)}_t, \qquad k = \texttt{index} \in \{0, \dots, K - 1\}.

    Every rule sees every gradient and keeps its own state (a tuple of the states), so each behaves
    exactly as it would alone; ``index`` (an integer, a boolean, or a float with an integer value) may be traced, e.g.
    a hyper-parameter of :func:`minimax.runner.sweep`, so that runs of several rules (say Adam and SGD)
    share one compiled program. The gradient is computed once; each step costs all the rules' updates,
    which for elementwise rules is small next to the gradient.

    Example:
      >>> rule = select([sgd(0.1), normalized_sgda(1.0)], index=1)
      >>> update, _ = rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))
      >>> [round(float(u), 4) for u in update]        # normalized: length 1 (sgd(0.1) would give -0.3, -0.4)
      [-0.6, -0.8]
    """
    options = _validation.check_options("optax.GradientTransformation", options)
    for position, option in enumerate(options):
        _validation.check_rule(f"options[{position}]", option)
    _validation.check_option_index("index", index, len(options))

    def init_fn(params):
        return tuple(option.init(params) for option in options)

    def update_fn(updates, state, params=None):
        results = [option.update(updates, option_state, params) for option, option_state in zip(options, state)]
        return select_tree(index, [update for update, _ in results]), tuple(new_state for _, new_state in results)

    return optax.GradientTransformation(init_fn, update_fn)


_RULES = {"sgd": sgd, "adam": adam, "normalized_sgda": normalized_sgda, "adalr": adalr, "adadir": adadir}


def rule_names() -> tuple[str, ...]:
    """The names accepted by :func:`make_rule`."""
    return tuple(_RULES)


def make_rule(name: str, **hyperparameters) -> optax.GradientTransformation:
    """Build a rule by name, e.g. ``make_rule("sgd", learning_rate=0.1, momentum=-0.5)``."""
    _validation.check_choice("rule", name, _RULES)
    return _RULES[name](**hyperparameters)

r"""Schemes: how the two players' steps are combined into one iteration of a game.

A scheme takes one update rule per player (:mod:`minimax.rules`) and decides *where* the gradients are
evaluated and *in which order* the players move. Writing :math:`z = (x, y)`, :math:`F` for the game's
vector field and :math:`\mathcal{R}` for the per-player rules (for plain SGD, :math:`\mathcal{R}(g) = -\eta g`):

=====================  ====================================================================================
simultaneous           :math:`z_{t+1} = z_t + \mathcal{R}(F(z_t))`
alternating            :math:`x_{t+1} = x_t + \mathcal{R}_x(F_x(x_t, y_t))`, then
                       :math:`y_{t+1} = y_t + \mathcal{R}_y(F_y(x_{t+1}, y_t))`
extragradient          :math:`z_{t+1/2} = z_t + \mathcal{R}(F(z_t))`, :math:`z_{t+1} = z_t + \mathcal{R}(F(z_{t+1/2}))`
optimistic             :math:`z_{t+1} = z_t + 2u_t - u_{t-1}` with :math:`u_t = \mathcal{R}(F(z_t))`
hamiltonian            :math:`z_{t+1} = z_t + \mathcal{R}(\nabla H(z_t))`, :math:`H = \tfrac12\|F\|^2`, :math:`\nabla H = J^\top F`
consensus              :math:`z_{t+1} = z_t + \mathcal{R}(F + \gamma J^\top F)`
sga                    :math:`z_{t+1} = z_t + \mathcal{R}(F + \gamma A^\top F)`, :math:`A = \tfrac12(J - J^\top)`
anchoring              optimistic steps along :math:`F(z_t) + \tfrac{\gamma}{t+1}(z_t - z_0)`
=====================  ====================================================================================

Two-timescale updates are any scheme with different step sizes in ``rule_x`` and ``rule_y``; heavy-ball
and negative momentum are the ``simultaneous`` and ``alternating`` schemes with
``rules.sgd(eta, momentum=beta)``. Every scheme accepts every rule, so Extra-Adam is
``extragradient(rules.adam(eta))`` and Optimistic Adam is ``optimistic(rules.adam(eta))``.
:func:`select` picks one of several schemes by a traceable index, so that they share one compiled sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from minimax import _validation, rules
from minimax.games import Game, field_jvp, field_vjp, vector_field

PyTree = Any


class SchemeState(NamedTuple):
    """The iterate, the rules' states, the step counter and what the scheme must remember.

    Attributes:
      x, y: the players' parameters.
      rule_state_x, rule_state_y: the states of the players' update rules.
      step: the number of iterations done (int32 scalar).
      memory: scheme-specific (previous updates for ``optimistic``, the anchor for ``anchoring``), else ``()``.
    """

    x: PyTree
    y: PyTree
    rule_state_x: optax.OptState
    rule_state_y: optax.OptState
    step: jax.Array
    memory: PyTree = ()


class Scheme(NamedTuple):
    """``init(x, y) -> SchemeState`` and ``step(game, state, key) -> SchemeState``."""

    init: Callable[[PyTree, PyTree], SchemeState]
    step: Callable[[Game, SchemeState, jax.Array], SchemeState]


def _check_rules(rule_x, rule_y):
    """Both players' rules, checked; ``rule_y`` defaults to ``rule_x``."""
    _validation.check_rule("rule_x", rule_x)
    if rule_y is not None:
        _validation.check_rule("rule_y", rule_y)
    return rule_x if rule_y is None else rule_y


def _apply(rule: optax.GradientTransformation, grads, rule_state, params):
    updates, rule_state = rule.update(grads, rule_state, params)
    return optax.apply_updates(params, updates), rule_state


def _tree_axpy(scale, x, y):
    """``scale * x + y`` leaf by leaf."""
    return jax.tree_util.tree_map(lambda a, b: scale * a + b, x, y)


def _plain_init(rule_x, rule_y, memory_fn=lambda x, y: ()):
    def init(x, y):
        return SchemeState(x, y, rule_x.init(x), rule_y.init(y), jnp.zeros((), jnp.int32), memory_fn(x, y))

    return init


def _field_scheme(rule_x, rule_y, field_fn, memory_fn=lambda x, y: ()) -> Scheme:
    """A simultaneous step along a (possibly modified) field ``field_fn(game, state, batch)``."""

    def step(game, state, key):
        grad_x, grad_y = field_fn(game, state, game.sample(key))
        x, rule_state_x = _apply(rule_x, grad_x, state.rule_state_x, state.x)
        y, rule_state_y = _apply(rule_y, grad_y, state.rule_state_y, state.y)
        return SchemeState(x, y, rule_state_x, rule_state_y, state.step + 1, state.memory)

    return Scheme(_plain_init(rule_x, rule_y, memory_fn), step)


def _plain_field(game, state, batch):
    return vector_field(game, state.x, state.y, batch)


def simultaneous(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None) -> Scheme:
    r"""Simultaneous updates: both players move from :math:`z_t` along :math:`F(z_t)`.

    Example:
      >>> from minimax import games, rules
      >>> scheme = simultaneous(rules.sgd(0.1))
      >>> state = scheme.step(games.bilinear(jnp.eye(1)), scheme.init(jnp.ones(1), jnp.ones(1)), None)
      >>> state.x.tolist(), state.y.tolist()
      ([0.9], [1.1])
    """
    rule_y = _check_rules(rule_x, rule_y)
    return _field_scheme(rule_x, rule_y, _plain_field)


def alternating(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None) -> Scheme:
    r"""Alternating (Gauss-Seidel) updates: :math:`x` moves first, then :math:`y` responds to the new :math:`x`.

    The two players draw independent batches, as in the usual GAN training loop.
    """
    rule_y = _check_rules(rule_x, rule_y)

    def step(game, state, key):
        key_x, key_y = _split(key)
        grad_x = jax.grad(game.loss_x, argnums=0)(state.x, state.y, game.sample(key_x))
        x, rule_state_x = _apply(rule_x, grad_x, state.rule_state_x, state.x)
        grad_y = jax.grad(game.loss_y, argnums=1)(x, state.y, game.sample(key_y))
        y, rule_state_y = _apply(rule_y, grad_y, state.rule_state_y, state.y)
        return SchemeState(x, y, rule_state_x, rule_state_y, state.step + 1, state.memory)

    return Scheme(_plain_init(rule_x, rule_y), step)


def _split(key):
    """Two keys from one; deterministic games run with ``key=None``."""
    if key is None:
        return None, None
    return tuple(jax.random.split(key))


def extragradient(
    rule_x: optax.GradientTransformation,
    rule_y: optax.GradientTransformation | None = None,
    extrapolation_updates_state: bool = True,
    precondition_at_look_ahead: bool = False,
) -> Scheme:
    r"""Extragradient (Korpelevich, 1976): look ahead, then step from the current point with the look-ahead field.

    .. math::

       z_{t+1/2} = z_t + \mathcal{R}_{z_t}(F(z_t)), \qquad z_{t+1} = z_t + \mathcal{R}_{z'}(F(z_{t+1/2})),

    where :math:`\mathcal{R}_z` is the rule given the parameters :math:`z` (which only a rule that reads them
    uses, e.g. a natural-gradient preconditioner :math:`P_z^{-1}`), and :math:`z' = z_t` by default.

    Args:
      rule_x, rule_y: the players' rules (``rule_y`` defaults to ``rule_x``).
      extrapolation_updates_state: with stateful rules (Adam, momentum), whether the extrapolation step
        also advances the rules' state (the default, as in Extra-Adam of Gidel et al., 2019: both
        gradients enter the moment estimates); when false, the extrapolation uses the state without
        updating it and only the second gradient is accumulated.
      precondition_at_look_ahead: whether the second update sees the look-ahead point,
        :math:`z' = z_{t+1/2}`. A preconditioner must be taken where its gradient is evaluated: the
        gradient at :math:`z_{t+1/2}` lies in the row space of *its* Jacobian, and the metric of :math:`z_t`
        amplifies the mismatch by :math:`1/\delta` (the damping); see
        :func:`minimax.natural.natural_extragradient`.
    """
    rule_y = _check_rules(rule_x, rule_y)
    _validation.check_bool("extrapolation_updates_state", extrapolation_updates_state)
    _validation.check_bool("precondition_at_look_ahead", precondition_at_look_ahead)

    def step(game, state, key):
        key_extrapolate, key_update = _split(key)
        grad_x, grad_y = vector_field(game, state.x, state.y, game.sample(key_extrapolate))
        x_half, rule_state_x = _apply(rule_x, grad_x, state.rule_state_x, state.x)
        y_half, rule_state_y = _apply(rule_y, grad_y, state.rule_state_y, state.y)
        if not extrapolation_updates_state:
            rule_state_x, rule_state_y = state.rule_state_x, state.rule_state_y
        grad_x, grad_y = vector_field(game, x_half, y_half, game.sample(key_update))
        seen_x, seen_y = (x_half, y_half) if precondition_at_look_ahead else (state.x, state.y)
        update_x, rule_state_x = rule_x.update(grad_x, rule_state_x, seen_x)
        update_y, rule_state_y = rule_y.update(grad_y, rule_state_y, seen_y)
        x, y = optax.apply_updates(state.x, update_x), optax.apply_updates(state.y, update_y)
        return SchemeState(x, y, rule_state_x, rule_state_y, state.step + 1, state.memory)

    return Scheme(_plain_init(rule_x, rule_y), step)


def _optimistic_scheme(rule_x, rule_y, field_fn, memory_fn) -> Scheme:
    """Optimistic steps along ``field_fn``; ``state.memory["previous"]`` holds the previous updates."""

    def step(game, state, key):
        grad_x, grad_y = field_fn(game, state, game.sample(key))
        update_x, rule_state_x = rule_x.update(grad_x, state.rule_state_x, state.x)
        update_y, rule_state_y = rule_y.update(grad_y, state.rule_state_y, state.y)
        first = state.step == 0
        previous = jax.tree_util.tree_map(
            lambda memory, update: jnp.where(first, update, memory), state.memory["previous"], (update_x, update_y)
        )
        x = jax.tree_util.tree_map(lambda p, u, v: p + 2 * u - v, state.x, update_x, previous[0])
        y = jax.tree_util.tree_map(lambda p, u, v: p + 2 * u - v, state.y, update_y, previous[1])
        memory = {**state.memory, "previous": (update_x, update_y)}
        return SchemeState(x, y, rule_state_x, rule_state_y, state.step + 1, memory)

    return Scheme(_plain_init(rule_x, rule_y, memory_fn), step)


def _zeros_like_players(x, y):
    return jax.tree_util.tree_map(jnp.zeros_like, (x, y))


def optimistic(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None) -> Scheme:
    r"""Optimistic updates (Daskalakis et al., 2018): extrapolate from the previous update.

    .. math::

       u_t = \mathcal{R}(F(z_t)), \qquad z_{t+1} = z_t + 2u_t - u_{t-1},

    which for SGD is optimistic GDA, :math:`z_{t+1} = z_t - 2\eta F(z_t) + \eta F(z_{t-1})`, and for Adam
    is Optimistic Adam. The first step takes :math:`u_{-1} := u_0`, i.e. a plain step (as optax's
    ``scale_by_optimistic_gradient``).
    """
    rule_y = _check_rules(rule_x, rule_y)
    return _optimistic_scheme(rule_x, rule_y, _plain_field, lambda x, y: {"previous": _zeros_like_players(x, y)})


def hamiltonian(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None) -> Scheme:
    r"""Hamiltonian gradient descent (Balduzzi et al., 2018): both players descend :math:`H = \tfrac12\|F\|^2`.

    :math:`\nabla H = J_F^\top F` is one vector-Jacobian product. On the bilinear game every equilibrium is
    a minimum of :math:`H`, and SGD on :math:`H` contracts by :math:`|1 - \eta\sigma^2|` per singular value.
    """
    rule_y = _check_rules(rule_x, rule_y)

    def field(game, state, batch):
        grad_x, grad_y = vector_field(game, state.x, state.y, batch)
        return field_vjp(game, state.x, state.y, grad_x, grad_y, batch)

    return _field_scheme(rule_x, rule_y, field)


def consensus(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None, gamma=1.0) -> Scheme:
    r"""Consensus optimization (Mescheder et al., 2017): follow :math:`F + \gamma J_F^\top F = F + \gamma\nabla H`."""
    _validation.check_positive("gamma", gamma)
    rule_y = _check_rules(rule_x, rule_y)

    def field(game, state, batch):
        grad_x, grad_y = vector_field(game, state.x, state.y, batch)
        adjust_x, adjust_y = field_vjp(game, state.x, state.y, grad_x, grad_y, batch)
        return _tree_axpy(gamma, adjust_x, grad_x), _tree_axpy(gamma, adjust_y, grad_y)

    return _field_scheme(rule_x, rule_y, field)


def sga(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation | None = None, gamma=1.0) -> Scheme:
    r"""Symplectic gradient adjustment (Balduzzi et al., 2018) with a fixed coefficient.

    .. math::

       F + \gamma A^\top F, \qquad A = \tfrac12 (J_F - J_F^\top), \quad A^\top F = \tfrac12 (J_F^\top F - J_F F).

    In a zero-sum game with no self-interaction (e.g. bilinear) :math:`J_F` is antisymmetric and SGA
    coincides with consensus optimization. The sign-alignment rule of the original paper is omitted.
    """
    _validation.check_positive("gamma", gamma)
    rule_y = _check_rules(rule_x, rule_y)

    def field(game, state, batch):
        grad_x, grad_y = vector_field(game, state.x, state.y, batch)
        transposed_x, transposed_y = field_vjp(game, state.x, state.y, grad_x, grad_y, batch)
        direct_x, direct_y = field_jvp(game, state.x, state.y, grad_x, grad_y, batch)
        half = 0.5 * gamma
        adjust = jax.tree_util.tree_map(lambda a, b: half * (a - b), (transposed_x, transposed_y), (direct_x, direct_y))
        return _tree_axpy(1.0, adjust[0], grad_x), _tree_axpy(1.0, adjust[1], grad_y)

    return _field_scheme(rule_x, rule_y, field)


def anchoring(
    rule_x: optax.GradientTransformation,
    rule_y: optax.GradientTransformation | None = None,
    gamma=1.0,
    base: str = "optimistic",
) -> Scheme:
    r"""Anchoring (Ryu, Yuan and Yin, 2019): a pull toward the starting point that fades like :math:`1/t`.

    The continuous-time model is :math:`\dot z = -F(z) + \frac{\gamma}{t}(z_0 - z)`. We add the anchor to the
    field and step with the ``base`` scheme,

    .. math::

       \tilde F(z_t) = F(z_t) + \frac{\gamma}{t+1}(z_t - z_0),

    with optimistic steps by default, as in Ryu et al.'s anchored optimistic method; ``base="simultaneous"``
    anchors plain simultaneous GDA, which the fading pull cannot save from divergence on bilinear games.
    The discrete coefficients are our choice (the paper's analysis is of the flows).
    """
    _validation.check_positive("gamma", gamma)
    _validation.check_choice("base", base, ("optimistic", "simultaneous"))
    rule_y = _check_rules(rule_x, rule_y)

    def field(game, state, batch):
        grad_x, grad_y = vector_field(game, state.x, state.y, batch)
        weight = gamma / (state.step + 1).astype(jnp.float32)
        anchor_x, anchor_y = state.memory["anchor"]
        pull_x = jax.tree_util.tree_map(lambda p, a: p - a, state.x, anchor_x)
        pull_y = jax.tree_util.tree_map(lambda p, a: p - a, state.y, anchor_y)
        return _tree_axpy(weight, pull_x, grad_x), _tree_axpy(weight, pull_y, grad_y)

    if base == "simultaneous":
        return _field_scheme(rule_x, rule_y, field, memory_fn=lambda x, y: {"anchor": (x, y)})
    return _optimistic_scheme(
        rule_x, rule_y, field, lambda x, y: {"anchor": (x, y), "previous": _zeros_like_players(x, y)}
    )


def select(options, index) -> Scheme:
    r"""The step of ``options[index]``: several schemes in one compiled sweep, chosen by a traceable index.

    .. math::

       z_{t+1} = S_k(z_t), \qquad k = \texttt{index} \in \{0, \dots, K - 1\},

    with ``index`` an integer (a boolean, or a float with an integer value), which may be traced: made a
    hyper-parameter of :func:`minimax.runner.sweep`, it lets runs of several schemes share one compiled,
    vmapped program instead of compiling one each. Every scheme steps from the same state, so they must
    keep the same state (same rules, same memory; e.g. ``simultaneous`` and ``alternating`` with one rule),
    and each step costs all of them. The state starts from ``options[0].init``.

    Example:
      >>> from minimax import games, rules
      >>> gda = rules.sgd(0.1)
      >>> scheme = select([simultaneous(gda), alternating(gda)], index=1)
      >>> state = scheme.step(games.bilinear(jnp.eye(1)), scheme.init(jnp.ones(1), jnp.ones(1)), None)
      >>> state.x.tolist(), state.y.tolist()        # y responded to the new x = 0.9
      ([0.9], [1.09])
    """
    options = _validation.check_options("schemes", options)
    for position, option in enumerate(options):
        _validation.check_instance(f"options[{position}]", option, Scheme, "e.g. minimax.schemes.simultaneous(rules.sgd(0.1))")
    _validation.check_option_index("index", index, len(options))

    def init(x, y):
        state = options[0].init(x, y)
        for option in options[1:]:
            other = jax.eval_shape(option.init, x, y)
            if jax.tree_util.tree_structure(state) != jax.tree_util.tree_structure(other):
                raise ValueError("select needs schemes that keep the same state; got states "
                                 f"{jax.tree_util.tree_structure(state)} and {jax.tree_util.tree_structure(other)}.")
        return state

    def step(game, state, key):
        return rules.select_tree(index, [option.step(game, state, key) for option in options])

    return Scheme(init, step)


_SCHEMES = {
    "simultaneous": simultaneous,
    "alternating": alternating,
    "extragradient": extragradient,
    "optimistic": optimistic,
    "hamiltonian": hamiltonian,
    "consensus": consensus,
    "sga": sga,
    "anchoring": anchoring,
}


def from_rule(rule: Callable[..., optax.GradientTransformation], scheme: Callable[..., Scheme] = simultaneous,
              **options) -> Callable[[Any], Scheme]:
    r"""``make_scheme(learning_rate)``: ``scheme(rule(learning_rate, **options))``, one rule for both players.

    What :func:`minimax.runner.sweep` takes to sweep a method over step sizes, e.g. simultaneous Adam with
    :math:`\beta_1 = 0.5`, or alternating SGDA.

    Example:
      >>> from minimax import games, runner
      >>> game, x0, y0 = games.bilinear(jnp.eye(1)), jnp.ones(1), jnp.ones(1)
      >>> adam_gda = from_rule(rules.adam, b1=0.5)            # simultaneous Adam with beta_1 = 0.5
      >>> by_hand = simultaneous(rules.adam(0.1, b1=0.5))
      >>> a = runner.run(game, adam_gda(0.1), x0, y0, num_steps=3).final.x
      >>> b = runner.run(game, by_hand, x0, y0, num_steps=3).final.x
      >>> bool(jnp.all(a == b))
      True
    """
    _validation.check_callable("rule", rule, "a rule factory such as rules.adam (called with the step size)")
    _validation.check_callable("scheme", scheme, "a scheme such as schemes.simultaneous")

    def make_scheme(learning_rate) -> Scheme:
        return scheme(rule(learning_rate, **options))

    return make_scheme


def scheme_names() -> tuple[str, ...]:
    """The names accepted by :func:`make_scheme`."""
    return tuple(_SCHEMES)


def make_scheme(name: str, rule_x, rule_y=None, **options) -> Scheme:
    """Build a scheme by name, e.g. ``make_scheme("consensus", rules.sgd(0.1), gamma=1.0)``."""
    _validation.check_choice("scheme", name, _SCHEMES)
    return _SCHEMES[name](rule_x, rule_y, **options)

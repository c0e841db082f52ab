r"""What the mode-collapse study measures: which modes the generator recovers, how much of its output has
collapsed along :math:`\hat s`, and the metric that logs them along a run (:func:`recovery_metric`)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimax import _validation
from minimax.gan.mode_collapse.setting import (
    TwoModeSetting,
    _check_pair_prob,
    _check_setting,
    _full_support,
    _support_probs,
    generate,
)


def _unit(v, eps=1e-30):
    return v / jnp.maximum(jnp.linalg.norm(v, axis=-1, keepdims=True), eps)


def reference_directions(modes: jax.Array) -> jax.Array:
    r"""The rows :math:`u_1`, :math:`u_2`, :math:`\hat s = \frac{u_1+u_2}{\lVert u_1+u_2\rVert}` and
    :math:`\hat\delta = \frac{u_1-u_2}{\lVert u_1-u_2\rVert}`, shape ``(4, d)``.

    :math:`\hat s` is the collapse direction of Theorem 4.1; :math:`\hat\delta`, orthogonal to it in the
    plane of the modes, is the direction that tells the modes apart.
    """
    return jnp.stack([modes[0], modes[1], _unit(modes[0] + modes[1]), _unit(modes[0] - modes[1])])


def cosines(vectors: jax.Array, modes: jax.Array) -> jax.Array:
    r"""Cosines of each row of ``vectors`` with :math:`u_1, u_2, \hat s, \hat\delta`, shape ``(k, 4)`` (0 for a zero row).

    Example:
      >>> from minimax.gan.mode_collapse.setting import two_modes
      >>> modes = two_modes(3, 0.5)
      >>> cosines(modes, modes)[:, :2].round(3).tolist()
      [[1.0, 0.5], [0.5, 1.0]]
    """
    return _unit(vectors) @ reference_directions(modes).T


def default_epsilon(modes: jax.Array) -> jax.Array:
    r"""Half the distance from a mode to the collapse direction, :math:`\varepsilon = \tfrac12\lVert \hat s - u_1\rVert = \tfrac12\sqrt{2 - \sqrt{2(1+\gamma)}}`.

    An output within :math:`\varepsilon` of :math:`u_\ell` is nearer to that mode than to the midpoint between
    it and the collapse direction :math:`\hat s`, so a collapsed generator recovers nothing, whatever
    :math:`\gamma`. For :math:`\gamma = 0.3`, :math:`\varepsilon \approx 0.31`, a cosine of at least :math:`0.95`.

    Example:
      >>> from minimax.gan.mode_collapse.setting import two_modes
      >>> round(float(default_epsilon(two_modes(4, 0.3))), 3)
      0.311
    """
    s_hat = _unit(modes[0] + modes[1])
    return 0.5 * jnp.linalg.norm(s_hat - modes[0])


def _check_epsilon(epsilon) -> None:
    values = np.asarray(epsilon, dtype=float)
    if not np.all(np.isfinite(values)) or not np.all((values > 0) & (values < 2)):
        raise ValueError(f"epsilon must lie in the open interval (0, 2) (a distance between unit vectors); got {epsilon!r}.")


def _support_cosines(generator, modes):
    latents, _ = _full_support(generator.shape[0])
    return cosines(generate(generator, jnp.asarray(latents)), modes)


def _directions_recovered(generator, modes, epsilon, probs):
    """Pr_z[cos(G(z), u1)], Pr_z[.. u2], Pr_z[.. s_hat] >= 1 - eps²/2, over the full support with ``probs``."""
    cos = _support_cosines(generator, modes)[:, :3]
    return probs @ (cos >= 1.0 - epsilon**2 / 2).astype(jnp.float32)


def _epsilon_or_default(epsilon, modes):
    if epsilon is None:
        return default_epsilon(modes)
    if not isinstance(epsilon, jax.core.Tracer):
        _check_epsilon(epsilon)
    return epsilon


def mode_recovery(generator: jax.Array, modes: jax.Array, epsilon: float | None = None, pair_prob: float = 0.0) -> jax.Array:
    r"""The probabilities :math:`\Pr_z\bigl[\lVert G(z)/\lVert G(z)\rVert - u_\ell\rVert \le \varepsilon\bigr]`, :math:`\ell = 1, 2`.

    Exact over :math:`\mathcal D_z` (:func:`latent_support`): every latent weighted by its probability.
    The condition is :math:`\cos(G(z), u_\ell) \ge 1 - \varepsilon^2/2`.

    Args:
      generator: :math:`V`, shape ``(m_G, d)``.
      modes: ``(2, d)``.
      epsilon: :math:`\varepsilon \in (0, 2)`; ``None`` (the default) is :func:`default_epsilon` of the modes.
      pair_prob: :math:`\rho` of the latent law.

    Returns:
      shape ``(2,)``.

    Example:
      >>> from minimax.gan.mode_collapse.setting import two_modes
      >>> modes = two_modes(4, 0.3)
      >>> mode_recovery(jnp.stack([modes[0], modes[0], modes[1], modes[0] + modes[1]]), modes).tolist()
      [0.5, 0.25]
    """
    epsilon = _epsilon_or_default(epsilon, modes)
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _directions_recovered(generator, modes, epsilon, _support_probs(generator.shape[0], pair_prob))[:2]


def collapse_recovery(generator: jax.Array, modes: jax.Array, epsilon: float | None = None, pair_prob: float = 0.0) -> jax.Array:
    r"""The probability :math:`\Pr_z\bigl[\lVert G(z)/\lVert G(z)\rVert - \hat s\rVert \le \varepsilon\bigr]` that an output points along :math:`u_1 + u_2`.

    The test of :func:`mode_recovery` for the collapse direction :math:`\hat s` of Theorem 4.1. With
    :func:`default_epsilon` the balls around :math:`u_1`, :math:`u_2` and :math:`\hat s` are disjoint, so an
    output counts for at most one of the three.

    Example:
      >>> from minimax.gan.mode_collapse.setting import two_modes
      >>> modes = two_modes(4, 0.3)
      >>> float(collapse_recovery(jnp.stack([modes[0] + modes[1], modes[0]]), modes))
      0.5
    """
    epsilon = _epsilon_or_default(epsilon, modes)
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _directions_recovered(generator, modes, epsilon, _support_probs(generator.shape[0], pair_prob))[2]


def output_shares(generator: jax.Array, modes: jax.Array, pair_prob: float = 0.0) -> jax.Array:
    r"""How :math:`\lVert G(z)\rVert^2` splits, on average over :math:`z`: along :math:`\hat s`, along :math:`\hat\delta`, and the rest.

    .. math::

       \Bigl(\E_z \cos^2(G(z), \hat s),\ \E_z \cos^2(G(z), \hat\delta),\ 1 - \text{both}\Bigr):

    the *collapse share* (along :math:`u_1 + u_2`), the *separation share* (the part that tells the modes
    apart) and the part outside the plane of the modes.

    Example:
      >>> from minimax.gan.mode_collapse.setting import two_modes
      >>> modes = two_modes(4, 0.3)
      >>> output_shares(modes[:1] + modes[1:], modes).round(3).tolist()
      [1.0, 0.0, 0.0]
    """
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _shares(generator, modes, _support_probs(generator.shape[0], pair_prob))


def _shares(generator, modes, probs):
    cos = _support_cosines(generator, modes)
    collapse, separation = probs @ cos[:, 2] ** 2, probs @ cos[:, 3] ** 2
    return jnp.stack([collapse, separation, jnp.maximum(1.0 - collapse - separation, 0.0)])


def recovery_metric(setting: TwoModeSetting, epsilon: float | None = None, neurons: bool = True, gradients: bool = False):
    r"""A run metric ``(game, state, key) -> dict`` for :func:`minimax.runner.run` and ``sweep``.

    Returns ``recovered`` (shape ``(2,)``, :func:`mode_recovery`), ``collapsed`` (:func:`collapse_recovery`),
    ``shares`` (shape ``(3,)``, :func:`output_shares`), ``gen_norm`` and ``disc_norm`` (mean norms of the
    neurons) and, with ``neurons=True``, ``gen_norms`` ``(m_G,)``, ``gen_cos`` ``(m_G, 4)`` and ``disc_cos``
    ``(m_D, 4)`` (:func:`cosines` of every neuron); with ``gradients=True`` also ``grad_norms``
    :math:`(\lVert\nabla_V f\rVert, \lVert\nabla_{W,b} f\rVert)` on a fresh mini-batch, the *pace* at which SGDA
    moves each player. ``epsilon=None`` uses :func:`default_epsilon`. Build the metric once per setting:
    compiled sweeps are cached per metric object.
    """
    _check_setting(setting)
    if epsilon is not None:
        _check_epsilon(epsilon)
    _validation.check_bool("neurons", neurons)
    _validation.check_bool("gradients", gradients)
    return _metric(setting, epsilon, neurons, gradients)


def _metric(setting, epsilon, neurons, gradients, active_gen_width=None, active_disc_width=None):
    modes = setting.modes

    def metric(game, state, key):
        generator, weights = state.x, state.y["w"]
        threshold = default_epsilon(modes) if epsilon is None else epsilon
        probs = _support_probs(setting.gen_width, setting.pair_prob, active_gen_width)
        directions = _directions_recovered(generator, modes, threshold, probs)
        disc_norms = jnp.linalg.norm(weights, axis=1)
        disc_count = setting.disc_width if active_disc_width is None else active_disc_width
        values = {
            "recovered": directions[:2],
            "collapsed": directions[2],
            "shares": _shares(generator, modes, probs),
            "gen_norm": probs[: setting.gen_width] @ jnp.linalg.norm(generator, axis=1) / jnp.sum(probs[: setting.gen_width]),
            "disc_norm": jnp.sum(disc_norms) / disc_count,
        }
        if neurons:
            values["gen_norms"] = jnp.linalg.norm(generator, axis=1)
            values["gen_cos"] = cosines(generator, modes)
            values["disc_cos"] = cosines(weights, modes)
        if gradients:
            batch = game.sample(key)
            grad_x = jax.grad(game.loss_x, argnums=0)(state.x, state.y, batch)
            grad_y = jax.grad(game.loss_y, argnums=1)(state.x, state.y, batch)
            values["grad_norms"] = jnp.stack([optax.tree.norm(grad_x), optax.tree.norm(grad_y)])
        return values

    return metric

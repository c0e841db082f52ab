r"""Natural-gradient directions in the hidden-mapping geometry, computed four ways.

All solve the damped system

.. math::

   (A_\theta + \delta I)\, v = g, \qquad A_\theta = w\,J^\top J,

for a parameter gradient :math:`g` (damping :math:`\delta \ge 0`; with :math:`\delta = 0` the
pseudo-inverse :math:`v = A_\theta^+ g` is returned, eigenvalues below ``rcond`` times the largest one
being treated as zero):

* :func:`dense_direction` — the reference: form :math:`A_\theta` (:math:`d\times d`) and solve through its
  eigendecomposition, :math:`O(pd^2 + d^3)`.
* :func:`dual_direction` — the same solution through the small :math:`p\times p` matrix :math:`K = JJ^\top`
  (cheap when outputs :math:`\ll` parameters), :math:`O(p^2 d + p^3)`. For a gradient :math:`g = J^\top c`
  of a hidden payoff, :func:`pushthrough_direction` is the push-through identity
  :math:`(wJ^\top J + \delta I)^{-1}J^\top c = J^\top(wJJ^\top + \delta I)^{-1} c`.
* :func:`cg_direction` — matrix-free conjugate gradients; each product
  :math:`A_\theta v = w\,J^\top(Jv)` is one JVP and one VJP, :math:`O(\text{iterations}\times pd)`, never
  forming :math:`J`.
* :func:`kfac_direction` — K-FAC (Martens and Grosse, 2015) for :class:`~minimax.hidden.MLPPlayer`: the
  block of layer :math:`l` is approximated by a Kronecker product :math:`w\,\bar A_l \otimes \bar G_l` of
  the covariance of the layer's inputs and the summed covariance of the output sensitivities, and
  :math:`(w\bar A_l\otimes\bar G_l + \delta I)^{-1}` is applied exactly through the eigendecompositions of the two
  factors (no factored-damping approximation, so :math:`\delta` means the same as above).

Dense, dual and CG agree to solver precision; K-FAC is exact for one input and a one-layer network, and an
approximation otherwise (block diagonal across layers, Kronecker within a layer).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from jax.flatten_util import ravel_pytree

from minimax import _validation
from minimax.hidden.games import MLPPlayer, apply_head
from minimax.natural.geometry import flat_jacobian

PyTree = Any
METHODS = ("dense", "dual", "cg", "kfac")


def _inverse_eigenvalues(eigenvalues, damping, rcond):
    """``1/(λ + δ)``, with pseudo-inverse cut-off ``λ + δ <= rcond · max λ`` set to 0."""
    shifted = eigenvalues + damping
    cutoff = rcond * jnp.max(jnp.abs(eigenvalues))
    keep = shifted > cutoff
    return jnp.where(keep, 1.0 / jnp.where(keep, shifted, 1.0), 0.0)


def _check(damping, scale, rcond=None):
    _validation.check_nonnegative("damping", damping)
    _validation.check_positive("scale", scale)
    if rcond is not None:
        _validation.check_positive("rcond", rcond)


def dense_direction(outputs_fn, params, grad, damping=1e-3, scale=1.0, rcond=1e-6):
    r"""The reference :math:`(wJ^\top J + \delta I)^{-1} g`, through the eigendecomposition of the :math:`d\times d` matrix.

    Example:
      >>> v = dense_direction(lambda t: t[:1], jnp.array([1.0, 2.0]), jnp.array([1.0, 0.0]), damping=0.0)
      >>> v.tolist()
      [1.0, 0.0]
    """
    _check(damping, scale, rcond)
    J, unravel = flat_jacobian(outputs_fn, params)
    g, _ = ravel_pytree(grad)
    eigenvalues, Q = jnp.linalg.eigh(scale * J.T @ J)
    return unravel(Q @ (_inverse_eigenvalues(eigenvalues, damping, rcond) * (Q.T @ g)))


def dual_direction(outputs_fn, params, grad, damping=1e-3, scale=1.0, rcond=1e-6):
    r"""The same solution as :func:`dense_direction`, through :math:`K = JJ^\top` (:math:`p \times p`).

    For :math:`\delta > 0` this is the Woodbury (push-through) identity

    .. math::

       (wJ^\top J + \delta I)^{-1} g = \frac1\delta\Bigl(g - wJ^\top(wJJ^\top + \delta I)^{-1}Jg\Bigr),

    and for :math:`\delta = 0` the pseudo-inverse :math:`(wJ^\top J)^+ g = \tfrac1w J^\top (K^+)^2 J g`: on the row
    space of :math:`J` the metric acts as :math:`wK`, on its complement as 0. Both cost :math:`O(p^2 d + p^3)`.
    """
    _check(damping, scale, rcond)
    J, unravel = flat_jacobian(outputs_fn, params)
    g, _ = ravel_pytree(grad)
    sigma, U = jnp.linalg.eigh(J @ J.T)
    coefficients = U.T @ (J @ g)
    safe = jnp.where(damping > 0, damping, 1.0)
    woodbury = (g - scale * J.T @ (U @ (_inverse_eigenvalues(scale * sigma, damping, rcond) * coefficients))) / safe
    sigma_inv = _inverse_eigenvalues(sigma, 0.0, rcond)
    pseudo = J.T @ (U @ (sigma_inv**2 * coefficients)) / scale
    return unravel(jnp.where(damping > 0, woodbury, pseudo))


def pushthrough_direction(outputs_fn, params, cotangent, damping=1e-3, scale=1.0, rcond=1e-6):
    r"""The push-through form :math:`J^\top (wJJ^\top + \delta I)^{-1} c` for an output cotangent :math:`c = \nabla_F L`.

    It equals :math:`(wJ^\top J + \delta I)^{-1} J^\top c`, the natural direction of the payoff gradient
    :math:`\nabla_\theta\Psi = J^\top\nabla_F L`. With :math:`\delta = 0` and linearly independent rows it
    moves the outputs exactly along :math:`-\tfrac1w\nabla_F L`: :math:`J v = \tfrac1w c`.
    """
    _check(damping, scale, rcond)
    J, unravel = flat_jacobian(outputs_fn, params)
    c = jnp.ravel(cotangent)
    sigma, U = jnp.linalg.eigh(scale * J @ J.T)
    return unravel(J.T @ (U @ (_inverse_eigenvalues(sigma, damping, rcond) * (U.T @ c))))


def cg_direction(outputs_fn, params, grad, damping=1e-3, scale=1.0, maxiter=100, tol=1e-6):
    r"""Conjugate gradients on :math:`(wJ^\top J + \delta I)v = g`, matrix-free.

    The product :math:`v \mapsto wJ^\top(Jv) + \delta v` is a JVP (:func:`jax.linearize`) followed by its
    transpose (:func:`jax.linear_transpose`); :math:`J` is never formed. Stops after ``maxiter`` iterations
    or at relative residual ``tol`` (:func:`jax.scipy.sparse.linalg.cg`). For :math:`\delta = 0` and
    :math:`g` in the row space of :math:`J`, CG from zero converges to the pseudo-inverse solution.
    """
    _validation.check_callable("outputs_fn", outputs_fn, "a function params -> outputs")
    _check(damping, scale)
    _validation.check_positive_int("maxiter", maxiter)
    _validation.check_positive("tol", tol)
    grad = jax.tree_util.tree_map(lambda g, p: jnp.asarray(g, jnp.result_type(p)), grad, params)
    _, jvp = jax.linearize(outputs_fn, params)
    vjp = jax.linear_transpose(jvp, params)

    def matvec(v):
        (back,) = vjp(jvp(v))
        return jax.tree_util.tree_map(lambda b, u: scale * b + damping * u, back, v)

    solution, _ = jax.scipy.sparse.linalg.cg(matvec, grad, tol=tol, maxiter=maxiter)
    return solution


class KFACFactors(NamedTuple):
    r"""Per layer: :math:`\bar A_l` (inputs with a bias column, ``(d_{l-1}+1)^2``) and :math:`\bar G_l` (``d_l^2``)."""

    inputs: list
    sensitivities: list


def kfac_factors(player: MLPPlayer, params) -> KFACFactors:
    r"""The Kronecker factors of the metric of an :class:`~minimax.hidden.MLPPlayer`.

    With :math:`\bar a_{l,i} = (h_{l-1}(x_i), 1)` the input of layer :math:`l` on input :math:`x_i` and
    :math:`g_{l,i,k} = \partial F_k(x_i)/\partial a_l` the sensitivity of output :math:`k` to its
    pre-activation, the exact block is :math:`w\sum_i \bar a_{l,i}\bar a_{l,i}^\top \otimes \sum_k g_{l,i,k} g_{l,i,k}^\top`
    and K-FAC uses :math:`w\,\bar A_l \otimes \bar G_l` with

    .. math::

       \bar A_l = \frac1n\sum_i \bar a_{l,i}\bar a_{l,i}^\top, \qquad \bar G_l = \sum_i\sum_k g_{l,i,k} g_{l,i,k}^\top .
    """
    _validation.check_instance("player", player, MLPPlayer, "K-FAC needs the layer structure of an MLPPlayer")
    num_layers = len(params)
    n = player.inputs.shape[0]

    def forward(perturbations):
        hidden, layer_inputs = player.inputs, []
        for index, layer in enumerate(params):
            layer_inputs.append(hidden)
            pre = hidden @ layer["w"] + layer["b"] + perturbations[index]
            hidden = player.activation(pre) if index < num_layers - 1 else pre
        outputs = apply_head(player.head, hidden)
        return jnp.reshape(outputs, (n, -1)), layer_inputs

    zeros = [jnp.zeros((n, layer["w"].shape[1]), layer["w"].dtype) for layer in params]
    outputs, pullback, layer_inputs = jax.vjp(forward, zeros, has_aux=True)
    num_outputs = outputs.shape[1]

    def sensitivities(k):
        (grads,) = pullback(jnp.zeros_like(outputs).at[:, k].set(1.0))
        return grads

    per_output = jax.vmap(sensitivities)(jnp.arange(num_outputs))  # list of (k, n, d_l)
    inputs_factors, sensitivity_factors = [], []
    for h, g in zip(layer_inputs, per_output):
        a = jnp.concatenate([h, jnp.ones((n, 1), h.dtype)], axis=1)
        inputs_factors.append(a.T @ a / n)
        sensitivity_factors.append(jnp.einsum("kip,kiq->pq", g, g))
    return KFACFactors(inputs_factors, sensitivity_factors)


def kfac_direction(player: MLPPlayer, params, grad, damping=1e-3, scale=1.0, rcond=1e-6, factored=False):
    r"""K-FAC: :math:`(w\bar A_l\otimes\bar G_l + \delta I)^{-1}` applied to each layer's gradient.

    With ``factored=True`` the damping is split between the factors as in Martens and Grosse (2015),
    :math:`(w\bar A_l + \sqrt\delta I)^{-1}\,\Gamma\,(\bar G_l + \sqrt\delta I)^{-1}` (two linear solves instead of two
    eigendecompositions: cheaper, and a further approximation of the damped inverse; needs :math:`\delta > 0`).

    For the gradient :math:`\Gamma = [\nabla W; \nabla b^\top]` of a layer, with
    :math:`\bar A = U\Lambda U^\top`, :math:`\bar G = V M V^\top`,

    .. math::

       (w\bar A\otimes\bar G + \delta I)^{-1}\operatorname{vec}\Gamma
       = \operatorname{vec}\Bigl(U\Bigl[\frac{(U^\top\Gamma V)_{ab}}{w\lambda_a\mu_b + \delta}\Bigr]V^\top\Bigr).
    """
    _check(damping, scale, rcond)
    _validation.check_bool("factored", factored)
    if factored and not isinstance(damping, jax.core.Tracer) and not damping > 0:
        raise ValueError(f"damping must be > 0 with factored=True (the damping is split between the factors); "
                         f"got {damping!r}.")
    factors = kfac_factors(player, params)
    directions = []
    for layer, a_bar, g_bar in zip(grad, factors.inputs, factors.sensitivities):
        gamma = jnp.concatenate([layer["w"], layer["b"][None, :]], axis=0)
        if factored:
            root = jnp.sqrt(damping)
            left = jnp.linalg.solve(scale * a_bar + root * jnp.eye(a_bar.shape[0], dtype=a_bar.dtype), gamma)
            solved = jnp.linalg.solve(g_bar + root * jnp.eye(g_bar.shape[0], dtype=g_bar.dtype), left.T).T
            directions.append({"w": solved[:-1], "b": solved[-1]})
            continue
        lam, U = jnp.linalg.eigh(a_bar)
        mu, V = jnp.linalg.eigh(g_bar)
        products = scale * lam[:, None] * mu[None, :]
        inverse = _inverse_eigenvalues(products.ravel(), damping, rcond).reshape(products.shape)
        solved = U @ ((U.T @ gamma @ V) * inverse) @ V.T
        directions.append({"w": solved[:-1], "b": solved[-1]})
    return directions


def natural_direction(method: str, player, params, grad, damping=1e-3, scale=1.0, **options):
    """Dispatch to ``dense``, ``dual``, ``cg`` or ``kfac``; ``player`` is an outputs function or an MLPPlayer."""
    _validation.check_choice("method", method, METHODS)
    if not isinstance(player, MLPPlayer):
        _validation.check_callable("player", player, "an MLPPlayer or a function params -> outputs")
    outputs_fn = player.apply if isinstance(player, MLPPlayer) else player
    if method == "dense":
        return dense_direction(outputs_fn, params, grad, damping, scale, **options)
    if method == "dual":
        return dual_direction(outputs_fn, params, grad, damping, scale, **options)
    if method == "cg":
        return cg_direction(outputs_fn, params, grad, damping, scale, **options)
    return kfac_direction(player, params, grad, damping, scale, **options)


class PreconditionState(NamedTuple):
    """``precondition`` is stateless: the metric is recomputed at the current parameters."""


def precondition(player, method: str = "dual", damping=1e-3, scale=1.0, **options) -> optax.GradientTransformation:
    r"""An optax transformation :math:`g \mapsto (A_\theta + \delta I)^{-1} g`, evaluated at the ``params`` it is given.

    Chain it before a rule to get natural-gradient versions of every scheme, e.g. natural GDA is
    ``schemes.simultaneous(optax.chain(precondition(px), rules.sgd(eta)), optax.chain(precondition(py), rules.sgd(eta)))``
    (see :func:`minimax.natural.natural_gda`). The schemes pass the current iterate as ``params``.

    Args:
      player: an outputs function ``params -> F`` or an :class:`~minimax.hidden.MLPPlayer` (required for ``"kfac"``).
      method: ``"dense"``, ``"dual"``, ``"cg"`` or ``"kfac"``.
      damping: :math:`\delta \ge 0`.
      scale: the weight :math:`w > 0` of the empirical norm.
    """
    _validation.check_choice("method", method, METHODS)
    _check(damping, scale)
    if method == "kfac" and not isinstance(player, MLPPlayer):
        raise ValueError(f"method='kfac' needs an MLPPlayer; got {type(player).__name__}.")
    if not isinstance(player, MLPPlayer):
        _validation.check_callable("player", player, "an MLPPlayer or a function params -> outputs")

    def init_fn(params):
        del params
        return PreconditionState()

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError("precondition needs the current parameters: call update(grads, state, params).")
        return natural_direction(method, player, params, updates, damping, scale, **options), state

    return optax.GradientTransformation(init_fn, update_fn)

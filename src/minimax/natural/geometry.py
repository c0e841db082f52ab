r"""The geometry that a player's output map induces on its parameters.

For a player with outputs :math:`F_\theta \in \R^p` (all outputs on all of its inputs, flattened) and
Jacobian :math:`J = \partial F_\theta/\partial\theta \in \R^{p\times d}`, the empirical norm
:math:`\|F\|^2 = w\sum_k F_k^2` gives

.. math::

   \|F_{\theta+\delta\theta} - F_\theta\|^2 = \langle\delta\theta, A_\theta\,\delta\theta\rangle + o(\|\delta\theta\|^2),
   \qquad A_\theta = w\,J^\top J = w\sum_{i} \nabla_\theta F_\theta(x_i)\,\nabla_\theta F_\theta(x_i)^\top,

the *hidden-mapping* metric (the Gauss–Newton matrix of a squared error). :math:`A_\theta` is
:math:`d\times d` of rank at most :math:`p`; the *output Gram matrix* :math:`K = JJ^\top` (:math:`p\times p`)
carries the same nonzero spectrum, and its smallest eigenvalue measures the linear independence of the
per-sample gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from minimax import _validation

PyTree = Any


def flat_jacobian(outputs_fn: Callable[[PyTree], jax.Array], params: PyTree) -> tuple[jax.Array, Callable]:
    r"""The Jacobian :math:`J \in \R^{p \times d}` of the flattened outputs in the flattened parameters.

    Reverse mode (:math:`p` vector-Jacobian products) when :math:`p \le d`, forward mode otherwise.
    Returns ``(J, unravel)``, ``unravel`` mapping a flat vector of length ``d`` back to the pytree.
    """
    _validation.check_callable("outputs_fn", outputs_fn, "a function params -> outputs")
    flat, unravel = ravel_pytree(params)

    def flat_outputs(v):
        return jnp.ravel(outputs_fn(unravel(v)))

    num_outputs = jax.eval_shape(flat_outputs, flat).shape[0]
    jac = jax.jacrev if num_outputs <= flat.shape[0] else jax.jacfwd

    def unravel_like_params(v):
        return jax.tree_util.tree_map(lambda leaf, p: leaf.astype(jnp.result_type(p)), unravel(v), params)

    return jac(flat_outputs)(flat), unravel_like_params


def metric_matrix(outputs_fn, params, scale: float = 1.0) -> jax.Array:
    r"""The dense metric :math:`A_\theta = w\,J^\top J`, shape ``(d, d)`` (``scale`` is :math:`w`).

    Example:
      >>> A = metric_matrix(lambda t: jnp.stack([t[0] * t[1], t[1]]), jnp.array([1.0, 2.0]))
      >>> A.tolist()
      [[4.0, 2.0], [2.0, 2.0]]
    """
    _validation.check_positive("scale", scale)
    J, _ = flat_jacobian(outputs_fn, params)
    return scale * J.T @ J


def output_gram(outputs_fn, params) -> jax.Array:
    r"""The Gram matrix :math:`K = JJ^\top` of the per-output gradients, shape ``(p, p)``.

    :math:`K_{kl} = \langle\nabla_\theta F_k, \nabla_\theta F_l\rangle`; it is invertible exactly when the
    :math:`p` gradients are linearly independent (which needs :math:`d \ge p`: over-parametrization).
    """
    J, _ = flat_jacobian(outputs_fn, params)
    return J @ J.T


def smallest_gram_eigenvalue(outputs_fn, params, restrict_to=None) -> jax.Array:
    r"""The smallest eigenvalue of :math:`K = JJ^\top`, or of :math:`Q^\top K Q` for an orthonormal ``restrict_to`` = Q.

    ``restrict_to`` handles outputs confined to a subspace: softmax outputs sum to one, so
    :math:`\mathbf 1^\top J = 0` and :math:`K` is always singular; what matters is :math:`K` on the tangent
    directions :math:`\mathbf 1^\perp` (pass an orthonormal basis of them, shape ``(p, r)``).
    """
    if restrict_to is not None:
        _validation.check_array("restrict_to", restrict_to, ndim=2, shape_hint="(p, r)")
    K = output_gram(outputs_fn, params)
    if restrict_to is not None:
        K = restrict_to.T @ K @ restrict_to
    return jnp.linalg.eigvalsh(K)[0]


def simplex_tangent_basis(num_samples: int, num_actions: int) -> jax.Array:
    r"""An orthonormal basis of :math:`(\mathbf 1^\perp)^n`: the tangent space of :math:`n` simplices in :math:`\R^{n k}`."""
    _validation.check_positive_int("num_samples", num_samples)
    _validation.check_positive_int("num_actions", num_actions)
    eye = jnp.eye(num_actions)
    q, _ = jnp.linalg.qr(eye[:, :-1] - eye[:, -1:])  # k x (k-1), columns orthogonal to 1
    return jnp.kron(jnp.eye(num_samples), q)

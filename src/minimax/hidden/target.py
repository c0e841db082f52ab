r"""The global target of a hidden game: the equilibrium of :math:`L` in output space.

With :math:`\mathcal F = \hull\{F_\theta\}` and :math:`\mathcal G = \hull\{G_\phi\}` convex and compact and
:math:`L` continuous and convex–concave, the minimax theorem gives a pair :math:`(F^*, G^*)` with

.. math::

   \min_{F\in\mathcal F}\max_{G\in\mathcal G} L(F, G) = \max_{G\in\mathcal G}\min_{F\in\mathcal F} L(F, G) = L(F^*, G^*).

For matrix games on the simplex (:math:`\lambda = 0`) it is found by linear programming
(:func:`matrix_equilibrium`, :func:`scipy.optimize.linprog`); for strictly convex–concave :math:`L` on a
convex output set by projected extragradient in output space (:func:`solve_output_game`), which
converges for strongly monotone Lipschitz fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation


class Target(NamedTuple):
    """The output-space equilibrium :math:`(F^*, G^*)`, arrays shaped like the players' outputs."""

    F: jax.Array
    G: jax.Array


def matrix_equilibrium(matrix) -> tuple[np.ndarray, np.ndarray, float]:
    r"""A Nash equilibrium :math:`(p^*, q^*)` and the value of :math:`\min_{p\in\Delta}\max_{q\in\Delta} p^\top M q`.

    Two linear programs: :math:`p^*` minimizes :math:`v` subject to :math:`M^\top p \le v\mathbf 1`,
    :math:`p \in \Delta`; :math:`q^*` maximizes :math:`w` subject to :math:`Mq \ge w\mathbf 1`,
    :math:`q\in\Delta`. Solved with :func:`scipy.optimize.linprog` (HiGHS).

    Example:
      >>> p, q, value = matrix_equilibrium([[2, -1], [-1, 1]])
      >>> p.round(3), q.round(3), round(value, 6)
      (array([0.4, 0.6]), array([0.4, 0.6]), 0.2)
    """
    from scipy.optimize import linprog

    _validation.check_matrix("matrix", matrix, "(k_x, k_y)")
    M = np.asarray(matrix, dtype=np.float64)
    kx, ky = M.shape
    # variables (p, v): minimize v, M^T p - v <= 0, sum p = 1, p >= 0
    row = linprog(np.r_[np.zeros(kx), 1.0], A_ub=np.c_[M.T, -np.ones(ky)], b_ub=np.zeros(ky),
                  A_eq=np.r_[np.ones(kx), 0.0][None], b_eq=[1.0], bounds=[(0, None)] * kx + [(None, None)],
                  method="highs")
    # variables (q, w): maximize w, -M q + w <= 0, sum q = 1, q >= 0
    col = linprog(np.r_[np.zeros(ky), -1.0], A_ub=np.c_[-M, np.ones(kx)], b_ub=np.zeros(kx),
                  A_eq=np.r_[np.ones(ky), 0.0][None], b_eq=[1.0], bounds=[(0, None)] * ky + [(None, None)],
                  method="highs")
    if not (row.success and col.success):
        raise RuntimeError(f"linprog failed: {row.message} / {col.message}")
    return row.x[:kx], col.x[:ky], float(row.x[-1])


def project_simplex(v: jax.Array) -> jax.Array:
    r"""Euclidean projection of each row (last axis) of ``v`` onto the probability simplex (sort-based)."""
    _validation.check_array("v", v)
    k = v.shape[-1]
    u = -jnp.sort(-v, axis=-1)
    css = jnp.cumsum(u, axis=-1) - 1.0
    index = jnp.arange(1, k + 1, dtype=v.dtype)
    rho = jnp.sum(u - css / index > 0, axis=-1, keepdims=True)
    tau = jnp.take_along_axis(css, rho - 1, axis=-1) / rho.astype(v.dtype)
    return jnp.maximum(v - tau, 0.0)


def project_box(v: jax.Array, low: float = 0.0, high: float = 1.0) -> jax.Array:
    """Projection onto the box ``[low, high]`` entrywise."""
    _validation.check_array("v", v)
    _validation.check_number("low", low)
    _validation.check_number("high", high)
    return jnp.clip(v, low, high)


def solve_output_game(
    loss: Callable[[jax.Array, jax.Array], jax.Array],
    F0: jax.Array,
    G0: jax.Array,
    project_x: Callable[[jax.Array], jax.Array] = lambda v: v,
    project_y: Callable[[jax.Array], jax.Array] = lambda v: v,
    step_size: float = 0.1,
    num_steps: int = 5000,
) -> tuple[Target, jax.Array]:
    r"""Solve :math:`\min_F\max_G L(F, G)` in output space by projected extragradient.

    .. math::

       (F, G)_{t+\frac12} = \Pi\bigl((F, G)_t - \eta\,V(F_t, G_t)\bigr), \quad
       (F, G)_{t+1} = \Pi\bigl((F, G)_t - \eta\,V((F, G)_{t+\frac12})\bigr), \quad
       V = (\nabla_F L, -\nabla_G L),

    which converges linearly when :math:`L` is strongly convex–strongly concave and :math:`\eta < 1/\text{Lip}(V)`.
    Returns the target and the *natural residual* :math:`\|z - \Pi(z - \eta V(z))\|/\eta`, zero exactly at
    equilibria.
    """
    _validation.check_callable("loss", loss, "a function (F, G) -> scalar")
    for name, start in (("F0", F0), ("G0", G0)):
        _validation.check_finite_array(name, start)
    _validation.check_callable("project_x", project_x, "a projection, a function array -> array")
    _validation.check_callable("project_y", project_y, "a projection, a function array -> array")
    _validation.check_positive("step_size", step_size)
    _validation.check_positive_int("num_steps", num_steps)
    grad = jax.grad(loss, argnums=(0, 1))

    def project(F, G):
        return project_x(F), project_y(G)

    def step(_, z):
        F, G = z
        gF, gG = grad(F, G)
        Fh, Gh = project(F - step_size * gF, G + step_size * gG)
        gF, gG = grad(Fh, Gh)
        return project(F - step_size * gF, G + step_size * gG)

    F, G = jax.lax.fori_loop(0, num_steps, step, (jnp.asarray(F0), jnp.asarray(G0)))
    gF, gG = grad(F, G)
    Fp, Gp = project(F - step_size * gF, G + step_size * gG)
    residual = jnp.sqrt(jnp.sum((F - Fp) ** 2) + jnp.sum((G - Gp) ** 2)) / step_size
    return Target(F, G), residual


def matrix_game_target(matrix, num_samples: int = 1, regularization: float = 0.0) -> Target:
    r"""The target of :func:`minimax.hidden.games.matrix_game`: :math:`n` copies of the output equilibrium.

    For :math:`\lambda = 0` by linear programming (:func:`matrix_equilibrium`); for :math:`\lambda > 0` by
    :func:`solve_output_game` on one input, on the simplices.
    """
    _validation.check_matrix("matrix", matrix, "(k_x, k_y)")
    _validation.check_positive_int("num_samples", num_samples)
    _validation.check_nonnegative("regularization", regularization)
    M = np.asarray(matrix, dtype=np.float64)
    if regularization == 0:
        p, q, _ = matrix_equilibrium(M)
    else:
        kx, ky = M.shape

        def loss(F, G):
            return F @ M.astype(np.float32) @ G + 0.5 * regularization * (
                jnp.sum((F - 1 / kx) ** 2) - jnp.sum((G - 1 / ky) ** 2))

        lipschitz = float(np.linalg.norm(M, 2)) + regularization
        target, _ = solve_output_game(loss, jnp.full(kx, 1 / kx) + 0.1 * jnp.eye(kx)[0], jnp.full(ky, 1 / ky),
                                      project_simplex, project_simplex, 0.5 / lipschitz, 20_000)
        p, q = np.asarray(target.F), np.asarray(target.G)
    return Target(jnp.tile(jnp.asarray(p, jnp.float32), (num_samples, 1)),
                  jnp.tile(jnp.asarray(q, jnp.float32), (num_samples, 1)))


def matching_pennies_target(num_samples: int = 1) -> Target:
    r""":math:`F^* = G^* = \tfrac12` on every input (the mixed equilibrium of matching pennies)."""
    _validation.check_positive_int("num_samples", num_samples)
    half = jnp.full((num_samples,), 0.5, jnp.float32)
    return Target(half, half)


def finite_gan_target(data_weights) -> Target:
    r""":math:`p^* = q` and :math:`D^* = \tfrac12`: the generator reproduces the data, the discriminator is undecided."""
    _validation.check_finite_array("data_weights", data_weights, ndim=1, shape_hint="(n,)")
    q = jnp.asarray(data_weights, jnp.float32)
    return Target(q, jnp.full_like(q, 0.5))

r"""Two-player differentiable games and their vector field.

A game is the two players' losses: player 1 (parameters ``x``, any pytree) minimizes
``loss_x(x, y, batch)`` and player 2 (parameters ``y``) minimizes ``loss_y(x, y, batch)``. A zero-sum
game with payoff :math:`f` (min over ``x``, max over ``y``) has ``loss_y = -f``, so both players are
minimizers and no update rule needs to know which side it plays.

The simultaneous gradient, or *vector field*, of the game is

.. math::

   F(z) = \bigl(\nabla_x \ell_x(x, y),\; \nabla_y \ell_y(x, y)\bigr)
        = \bigl(\nabla_x f,\; -\nabla_y f\bigr) \quad\text{(zero-sum)},

and every scheme in :mod:`minimax.schemes` is built from evaluations of :math:`F` and, for
Hamiltonian and consensus methods, from its Jacobian-vector products. Stochastic games draw a
``batch`` from ``sample(key)``; deterministic games ignore it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from minimax import _validation

PyTree = Any
Batch = Any


def _no_batch(key) -> None:
    del key
    return None


class Game(NamedTuple):
    """The losses of a two-player game, each minimized by its own player.

    Attributes:
      loss_x: ``(x, y, batch) -> scalar`` minimized over ``x``.
      loss_y: ``(x, y, batch) -> scalar`` minimized over ``y``.
      sample: ``key -> batch``; the data a stochastic game draws for one evaluation.
    """

    loss_x: Callable[[PyTree, PyTree, Batch], jax.Array]
    loss_y: Callable[[PyTree, PyTree, Batch], jax.Array]
    sample: Callable[[jax.Array], Batch] = _no_batch


def _check_game(game) -> None:
    """Require a :class:`Game` (e.g. :func:`bilinear`, :func:`zero_sum`, or ``minimax.hidden.as_game``)."""
    _validation.check_instance("game", game, Game, "e.g. minimax.games.bilinear(matrix) or zero_sum(payoff)")


def zero_sum(payoff: Callable[[PyTree, PyTree, Batch], jax.Array], sample=_no_batch) -> Game:
    r"""The game :math:`\min_x \max_y f(x, y)` for a payoff ``f(x, y, batch)``.

    Example:
      >>> game = zero_sum(lambda x, y, batch: x * y)
      >>> [float(v) for v in vector_field(game, 1.0, 2.0)]
      [2.0, -1.0]
    """

    _validation.check_callable("payoff", payoff, "a function (x, y, batch) -> scalar")
    _validation.check_callable("sample", sample, "a function key -> batch")

    def loss_y(x, y, batch):
        return -payoff(x, y, batch)

    return Game(loss_x=payoff, loss_y=loss_y, sample=sample)


def vector_field(game: Game, x: PyTree, y: PyTree, batch: Batch = None) -> tuple[PyTree, PyTree]:
    r"""The simultaneous gradient :math:`F(z) = (\nabla_x \ell_x, \nabla_y \ell_y)` at ``(x, y)``."""
    _check_game(game)
    grad_x = jax.grad(game.loss_x, argnums=0)(x, y, batch)
    grad_y = jax.grad(game.loss_y, argnums=1)(x, y, batch)
    return grad_x, grad_y


def field_jvp(game: Game, x, y, tangent_x, tangent_y, batch: Batch = None) -> tuple[PyTree, PyTree]:
    r"""The Jacobian-vector product :math:`J_F(z)\,v` for a tangent ``v = (tangent_x, tangent_y)``."""
    _check_game(game)

    def field(z):
        return vector_field(game, z[0], z[1], batch)

    _, product = jax.jvp(field, ((x, y),), ((tangent_x, tangent_y),))
    return product


def field_vjp(game: Game, x, y, cotangent_x, cotangent_y, batch: Batch = None) -> tuple[PyTree, PyTree]:
    r"""The vector-Jacobian product :math:`J_F(z)^\top v` for a cotangent ``v = (cotangent_x, cotangent_y)``."""
    _check_game(game)

    def field(z):
        return vector_field(game, z[0], z[1], batch)

    _, pullback = jax.vjp(field, (x, y))
    (product,) = pullback((cotangent_x, cotangent_y))
    return product


def bilinear(matrix, regularization: float = 0.0) -> Game:
    r"""The bilinear game :math:`\min_x \max_y\; x^\top A y + \tfrac{\lambda}{2}(\|x\|^2 - \|y\|^2)`.

    With :math:`\lambda = 0` the unique equilibrium (for invertible :math:`A`) is :math:`(0, 0)` and the
    vector field :math:`F(x, y) = (Ay, -A^\top x)` is a pure rotation; :math:`\lambda > 0` makes the game
    strongly convex-strongly concave.

    Args:
      matrix: the payoff matrix :math:`A`, shape ``(n, m)``.
      regularization: :math:`\lambda \ge 0`.

    Example:
      >>> game = bilinear(jnp.eye(2))
      >>> vector_field(game, jnp.ones(2), jnp.zeros(2))[1].tolist()
      [-1.0, -1.0]
    """
    _validation.check_matrix("matrix", matrix, "(n, m)")
    matrix = jnp.asarray(matrix, dtype=jnp.float32)
    _validation.check_nonnegative("regularization", regularization)

    def payoff(x, y, batch):
        del batch
        return x @ matrix @ y + 0.5 * regularization * (jnp.sum(x**2) - jnp.sum(y**2))

    return zero_sum(payoff)


def dirac_gan(loss: str = "standard") -> Game:
    r"""The Dirac-GAN of Mescheder, Geiger and Nowozin (2018).

    The data distribution is a point mass at 0, the generator outputs the point :math:`\theta` and the
    discriminator is linear, :math:`D_\psi(x) = \psi x`. The payoff is

    .. math::

       f(\theta, \psi) = h(\psi\theta) + h(0), \qquad
       h(t) = -\log(1 + e^{-t})\ \text{(standard)}\quad\text{or}\quad h(t) = t\ \text{(wasserstein)},

    minimized by the generator and maximized by the discriminator. The equilibrium is
    :math:`(0, 0)`, where the Jacobian of the field is :math:`[[0, h'(0)], [-h'(0), 0]]`: purely imaginary
    eigenvalues, the bilinear game in miniature.

    Players are scalars: ``x = theta`` (generator), ``y = psi`` (discriminator).
    """
    _validation.check_choice("loss", loss, ("standard", "wasserstein"))
    h = (lambda t: -jax.nn.softplus(-t)) if loss == "standard" else (lambda t: t)

    def payoff(theta, psi, batch):
        del batch
        return jnp.sum(h(psi * theta)) + h(0.0)

    return zero_sum(payoff)

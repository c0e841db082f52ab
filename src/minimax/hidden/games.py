r"""Hidden convex–concave games: a convex–concave payoff of the players' *outputs*.

A hidden game has two players with parameters :math:`\theta` and :math:`\phi` whose strategies are the
outputs of (usually neural) maps on finite sets of inputs,
:math:`F_\theta = (F_\theta(x_i))_{i\le n}` and :math:`G_\phi = (G_\phi(x'_j))_{j\le m}`, and a payoff
that is convex–concave in those outputs:

.. math::

   \min_\theta \max_\phi\; \Psi(\theta, \phi) = L(F_\theta, G_\phi),
   \qquad L \text{ convex in } F,\ \text{concave in } G .

:math:`\Psi` is in general neither convex in :math:`\theta` nor concave in :math:`\phi`; the convexity
is *hidden* behind the maps. The output spaces carry the empirical norms

.. math::

   \|F\|^2 = w_x \sum_{i} \|F(x_i)\|^2, \qquad \|G\|^2 = w_y \sum_j \|G(x'_j)\|^2,

with :math:`w = 1/n` for an empirical mean (``weight_x``, ``weight_y``). They define the natural
gradient geometry of :mod:`minimax.natural` and the Lyapunov function of :mod:`minimax.hidden.lyapunov`.

Built-ins: :func:`matching_pennies` (players output probabilities in :math:`(0, 1)`),
:func:`matrix_game` and :func:`rock_paper_scissors` (players output mixed strategies on the simplex),
and :func:`finite_gan` (the GAN payoff on a finite data set, rewritten pointwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation
from minimax.games import Game, zero_sum
from minimax.gan.networks import mlp_apply, mlp_init

PyTree = Any
HEADS = ("identity", "sigmoid", "softmax")


class HiddenGame(NamedTuple):
    r"""The maps :math:`\theta \mapsto F_\theta`, :math:`\phi \mapsto G_\phi` and the output payoff :math:`L`.

    Attributes:
      outputs_x: ``theta -> F`` (an array; its entries are the outputs on the player's inputs).
      outputs_y: ``phi -> G``.
      loss: ``(F, G) -> scalar``, convex in ``F`` and concave in ``G``; player ``x`` minimizes it.
      weight_x, weight_y: the weights :math:`w` of the empirical norms, :math:`\|F\|^2 = w\sum F_k^2`.
    """

    outputs_x: Callable[[PyTree], jax.Array]
    outputs_y: Callable[[PyTree], jax.Array]
    loss: Callable[[jax.Array, jax.Array], jax.Array]
    weight_x: float = 1.0
    weight_y: float = 1.0


def _check_hidden(hidden) -> None:
    _validation.check_instance("hidden", hidden, HiddenGame, "e.g. minimax.hidden.matching_pennies(player_x, player_y)")


def payoff(hidden: HiddenGame, x: PyTree, y: PyTree) -> jax.Array:
    r""":math:`\Psi(\theta, \phi) = L(F_\theta, G_\phi)`."""
    _check_hidden(hidden)
    return hidden.loss(hidden.outputs_x(x), hidden.outputs_y(y))


def as_game(hidden: HiddenGame) -> Game:
    r"""The zero-sum :class:`minimax.games.Game` :math:`\min_\theta\max_\phi \Psi` played by every scheme.

    Call it once and keep the result: the runner caches compiled sweeps per game object.
    """
    _check_hidden(hidden)
    return zero_sum(lambda x, y, batch: payoff(hidden, x, y))


def output_gradients(hidden: HiddenGame, x: PyTree, y: PyTree) -> tuple[jax.Array, jax.Array]:
    r"""The Euclidean gradients :math:`(\nabla_F L, \nabla_G L)` at :math:`(F_\theta, G_\phi)`."""
    _check_hidden(hidden)
    return jax.grad(hidden.loss, argnums=(0, 1))(hidden.outputs_x(x), hidden.outputs_y(y))


class MLPPlayer(NamedTuple):
    r"""A player :math:`F_\theta(x_i) = h(\mathrm{MLP}_\theta(x_i))` on fixed inputs, with a head :math:`h`.

    The network is :func:`minimax.gan.networks.mlp_apply` (a smooth ``tanh`` activation by default, so
    that flows are smooth); the head is ``"identity"``, ``"sigmoid"`` (a probability per input; the last
    layer must have size 1 and the output has shape ``(n,)``) or ``"softmax"`` (a distribution over the
    last layer, shape ``(n, k)``). K-FAC (:func:`minimax.natural.kfac_direction`) reads this structure.

    Example:
      >>> player = mlp_player([1, 8, 3], jnp.ones((1, 1)), head="softmax")
      >>> params = player.init(jax.random.PRNGKey(0))
      >>> player.apply(params).shape
      (1, 3)
    """

    sizes: tuple
    inputs: jax.Array
    head: str = "identity"
    activation: Callable[[jax.Array], jax.Array] = jnp.tanh

    def init(self, key: jax.Array) -> list[dict]:
        """Parameters drawn by :func:`minimax.gan.networks.mlp_init`."""
        return mlp_init(key, self.sizes)

    def logits(self, params: PyTree) -> jax.Array:
        """The network's last pre-activation, shape ``(n, sizes[-1])``."""
        return mlp_apply(params, self.inputs, self.activation)

    def apply(self, params: PyTree) -> jax.Array:
        """The outputs :math:`F_\\theta`, after the head."""
        return apply_head(self.head, self.logits(params))

    @property
    def num_samples(self) -> int:
        return int(self.inputs.shape[0])


def apply_head(head: str, logits: jax.Array) -> jax.Array:
    """``identity``, ``sigmoid`` (drops the last axis of size 1) or ``softmax`` over the last axis."""
    _validation.check_choice("head", head, HEADS)
    if head == "sigmoid":
        return jax.nn.sigmoid(logits[..., 0])
    if head == "softmax":
        return jax.nn.softmax(logits, axis=-1)
    return logits


def mlp_player(sizes: Sequence[int], inputs, head: str = "identity", activation=jnp.tanh) -> MLPPlayer:
    """An :class:`MLPPlayer`, with its arguments checked.

    Args:
      sizes: layer sizes ``(d_0, ..., d_L)``; ``d_0`` must match ``inputs.shape[1]``.
      inputs: the player's fixed inputs :math:`x_1, \\dots, x_n`, shape ``(n, d_0)``.
      head: ``"identity"``, ``"sigmoid"`` (then ``d_L = 1``) or ``"softmax"`` (then ``d_L >= 2``).
    """
    _validation.check_choice("head", head, HEADS)
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise _validation.ArgumentTypeError(f"sizes must be a list or tuple of at least two layer sizes (input and "
                                            f"output size), e.g. [1, 8, 3]; got {sizes!r}.")
    for size in sizes:
        _validation.check_positive_int("sizes (each layer size)", size)
    sizes = tuple(int(s) for s in sizes)
    _validation.check_finite_array("inputs", inputs, ndim=2, shape_hint=f"(n, {sizes[0]})")
    _validation.check_callable("activation", activation, "a function, e.g. jnp.tanh")
    inputs = jnp.asarray(inputs)
    if inputs.ndim != 2 or inputs.shape[1] != sizes[0]:
        raise ValueError(f"inputs must have shape (n, {sizes[0]}) to match sizes[0]; got shape {inputs.shape}.")
    if head == "sigmoid" and sizes[-1] != 1:
        raise ValueError(f"a sigmoid head needs a last layer of size 1; got sizes[-1]={sizes[-1]}.")
    if head == "softmax" and sizes[-1] < 2:
        raise ValueError(f"a softmax head needs a last layer of size >= 2; got sizes[-1]={sizes[-1]}.")
    return MLPPlayer(sizes, inputs, head, activation)


def _num_samples(player) -> int:
    return player.num_samples if isinstance(player, MLPPlayer) else 1


def _apply_fn(player, name: str) -> Callable:
    if isinstance(player, MLPPlayer):
        return player.apply
    _validation.check_callable(name, player, "an MLPPlayer or a function params -> outputs")
    return player


def matching_pennies(player_x, player_y, regularization: float = 0.0) -> HiddenGame:
    r"""Matching pennies with nonlinear players, on :math:`n` inputs (:math:`n = 1`: the warm-up game).

    Each player outputs the probability of "heads" on every input, :math:`F_i = f_\theta(x_i) \in (0, 1)`,
    and

    .. math::

       L(F, G) = \frac1n\sum_{i=1}^n (1 - 2F_i)(1 - 2G_i)
                 + \frac\lambda2\Bigl(\frac1n\sum_i (F_i - \tfrac12)^2 - \frac1n\sum_i (G_i - \tfrac12)^2\Bigr),

    bilinear for :math:`\lambda = 0`, strictly convex–concave for :math:`\lambda > 0`. The equilibrium in
    output space is :math:`F^* = G^* = \tfrac12` on every input, for every :math:`\lambda \ge 0`.

    Args:
      player_x, player_y: :class:`MLPPlayer` (head ``"sigmoid"``) or functions ``params -> (n,)``.
      regularization: :math:`\lambda \ge 0`.

    Example:
      >>> player = mlp_player([1, 4, 1], jnp.ones((1, 1)), head="sigmoid")
      >>> game = matching_pennies(player, player, regularization=0.5)
      >>> round(float(game.loss(jnp.array([0.5]), jnp.array([0.9]))), 6)
      -0.04
    """
    _validation.check_nonnegative("regularization", regularization)
    for name, player in (("player_x", player_x), ("player_y", player_y)):
        if isinstance(player, MLPPlayer) and player.head != "sigmoid":
            raise ValueError(f"{name} must output probabilities (head='sigmoid'); got head={player.head!r}.")

    def loss(F, G):
        return jnp.mean((1 - 2 * F) * (1 - 2 * G)) + 0.5 * regularization * (
            jnp.mean((F - 0.5) ** 2) - jnp.mean((G - 0.5) ** 2)
        )

    return HiddenGame(_apply_fn(player_x, "player_x"), _apply_fn(player_y, "player_y"), loss,
                      1.0 / _num_samples(player_x), 1.0 / _num_samples(player_y))


RPS = np.array([[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]])


def matrix_game(matrix, player_x, player_y, regularization: float = 0.0) -> HiddenGame:
    r"""A matrix game played by players whose mixed strategies are network outputs on :math:`n` inputs.

    With :math:`F_i, G_i` in the simplices :math:`\Delta^{k_x}`, :math:`\Delta^{k_y}` and centres
    :math:`c_x = \mathbf 1/k_x`, :math:`c_y = \mathbf 1/k_y`,

    .. math::

       L(F, G) = \frac1n \sum_{i=1}^n \Bigl( F_i^\top M G_i + \frac\lambda2\bigl(\|F_i - c_x\|^2 - \|G_i - c_y\|^2\bigr)\Bigr),

    bilinear for :math:`\lambda = 0` and strongly convex–strongly concave for :math:`\lambda > 0`.

    Args:
      matrix: the payoff :math:`M`, shape ``(k_x, k_y)``, paid by player ``x`` to player ``y``.
      player_x, player_y: :class:`MLPPlayer` with head ``"softmax"`` or functions ``params -> (n, k)``.
      regularization: :math:`\lambda \ge 0`.
    """
    _validation.check_matrix("matrix", matrix, "(k_x, k_y)")
    matrix = jnp.asarray(matrix, dtype=jnp.float32)
    _validation.check_nonnegative("regularization", regularization)
    for name, player, k in (("player_x", player_x, matrix.shape[0]), ("player_y", player_y, matrix.shape[1])):
        if isinstance(player, MLPPlayer) and (player.head != "softmax" or player.sizes[-1] != k):
            raise ValueError(f"{name} must output distributions over {k} actions (head='softmax', sizes[-1]={k}); "
                             f"got head={player.head!r}, sizes[-1]={player.sizes[-1]}.")
    kx, ky = matrix.shape

    def loss(F, G):
        F, G = jnp.reshape(F, (-1, kx)), jnp.reshape(G, (-1, ky))
        bilinear = jnp.mean(jnp.einsum("ik,kl,il->i", F, matrix.astype(F.dtype), G))
        return bilinear + 0.5 * regularization * (
            jnp.mean(jnp.sum((F - 1.0 / kx) ** 2, axis=-1)) - jnp.mean(jnp.sum((G - 1.0 / ky) ** 2, axis=-1))
        )

    return HiddenGame(_apply_fn(player_x, "player_x"), _apply_fn(player_y, "player_y"), loss,
                      1.0 / _num_samples(player_x), 1.0 / _num_samples(player_y))


def rock_paper_scissors(player_x, player_y, regularization: float = 0.0) -> HiddenGame:
    r"""Rock–paper–scissors, :math:`\Psi = F_\theta^\top M G_\phi + \frac\lambda2(\|F_\theta - \tfrac13\|^2 - \|G_\phi - \tfrac13\|^2)`.

    :math:`M = [[0, 1, -1], [-1, 0, 1], [1, -1, 0]]`; the unique equilibrium is uniform for both players,
    for every :math:`\lambda \ge 0`, with value 0 (Mladenovic et al., 2022, use :math:`\lambda > 0`).
    """
    return matrix_game(RPS, player_x, player_y, regularization)


def finite_gan(generator, discriminator, data_weights) -> HiddenGame:
    r"""The GAN payoff on a finite set :math:`\{x_1, \dots, x_n\}`, in its hidden convex–concave form.

    The data distribution puts mass :math:`q_i` on :math:`x_i`; the generator is a distribution
    :math:`p_\theta` on the same points and the discriminator a probability :math:`D_\phi(x_i) \in (0, 1)`.
    The GAN payoff is rewritten as an expectation over the data (Mladenovic et al., 2022):

    .. math::

       \Psi = \E_{x\sim q}\log D_\phi(x) + \E_{x\sim p_\theta}\log(1 - D_\phi(x))
            = \E_{x\sim q}\Bigl[\log D_\phi(x) + \tfrac{p_\theta(x)}{q(x)}\log(1 - D_\phi(x))\Bigr]
            = \E_{x\sim q}\, L_x\bigl(p_\theta(x), D_\phi(x)\bigr),

    with :math:`L_x(p, D) = \log D + \frac{p}{q(x)}\log(1 - D)`: linear in :math:`p`, strictly concave in
    :math:`D`. The output-space equilibrium is :math:`p^* = q`, :math:`D^* = \tfrac12`.

    Args:
      generator: ``theta -> p``, shape ``(n,)``, a distribution (e.g. an :class:`MLPPlayer` with a softmax head
        over ``n`` logits, reshaped), or any function.
      discriminator: ``phi -> D``, shape ``(n,)``, probabilities.
      data_weights: :math:`q`, shape ``(n,)``, positive, summing to one.
    """
    q = _validation.check_numbers("data_weights", data_weights, "a 1-D array of positive numbers summing to 1")
    if q.ndim != 1 or np.any(~np.isfinite(q)) or np.any(q <= 0) or abs(q.sum() - 1) > 1e-5:
        raise ValueError(f"data_weights must be a 1-D array of positive numbers summing to 1; got {data_weights!r}.")
    q = jnp.asarray(q, dtype=jnp.float32)

    def loss(p, D):
        p, D = jnp.ravel(p), jnp.ravel(D)
        return jnp.sum(q * gan_pointwise_loss(p, D, q))

    gen, disc = _apply_fn(generator, "generator"), _apply_fn(discriminator, "discriminator")
    return HiddenGame(lambda x: jnp.ravel(gen(x)), lambda y: jnp.ravel(disc(y)), loss, 1.0 / q.shape[0],
                      1.0 / q.shape[0])


def gan_pointwise_loss(p, D, q):
    r""":math:`L_x(p, D) = \log D + \frac{p}{q}\log(1 - D)`, elementwise."""
    return jnp.log(D) + (p / q) * jnp.log1p(-D)


def gan_payoff(p, D, q):
    r"""The usual form :math:`\E_{x\sim q}\log D(x) + \E_{x\sim p}\log(1 - D(x))` on a finite set."""
    return jnp.sum(q * jnp.log(D)) + jnp.sum(p * jnp.log1p(-D))

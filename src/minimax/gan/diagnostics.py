r"""Optimization diagnostics for GAN runs: vector-field and gradient norms, update norms, an MMD.

Learning metrics (:mod:`minimax.gan.metrics`) ask whether the generator's samples look like the data;
the metrics here ask what the *optimizer* is doing. For players :math:`x` (generator) and :math:`y`
(discriminator) with losses :math:`\ell_x, \ell_y`:

.. math::

   \|F(z)\| = \bigl\|(\nabla_x \ell_x, \nabla_y \ell_y)\bigr\|_2, \qquad
   \|\nabla_x \ell_x\|_2, \qquad \|\nabla_y \ell_y\|_2,

the norm of the game's vector field (zero exactly at a stationary point) and its two blocks, estimated on
``num_batches`` fresh mini-batches averaged *before* the norm is taken (so the estimate of
:math:`\|\E F\|` has less upward bias from the mini-batch noise). :func:`update_norms` reports the length
of the step each player's rule would take now,

.. math::

   \|u_t\|_2 = \bigl\|\mathcal R(g_t;\ s_t)\bigr\|_2 \quad\text{and per layer}\quad \|u_t^{(l)}\|_2,

with :math:`s_t` the rule's state (for Adam its moment estimates); for Adam,
:math:`u_t = -\eta\,\hat m_t / (\sqrt{\hat v_t} + \epsilon)`. Finally :func:`mmd` is the (biased)
maximum mean discrepancy with a sum of Gaussian kernels :math:`k(a, b) = \sum_h \exp(-\|a - b\|^2 / 2h^2)`,

.. math::

   \mathrm{MMD}^2(P, Q) = \E k(a, a') + \E k(b, b') - 2\,\E k(a, b), \qquad a, a' \sim P,\ b, b' \sim Q,

a distance between the generated and the real distributions that, unlike mode counts, moves smoothly.

Example:
  >>> import jax
  >>> from minimax import rules, runner, schemes
  >>> from minimax.gan import data, game, networks
  >>> ring = data.ring()
  >>> gan = game.gan_game(ring, networks.mlp_apply, networks.mlp_apply, latent_dim=2, batch_size=32)
  >>> x0 = networks.mlp_init(jax.random.PRNGKey(0), [2, 16, 2])
  >>> y0 = networks.mlp_init(jax.random.PRNGKey(1), [2, 16, 1])
  >>> rule = rules.adam(1e-3)
  >>> result = runner.run(gan, schemes.simultaneous(rule), x0, y0, num_steps=4, log_every=2,
  ...                     metrics=update_norms(rule, rule))
  >>> result.metrics["update_norm_x"].shape, result.metrics["update_norm_x_layers"].shape
  ((3,), (3, 4))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimax import _validation
from minimax.games import Game, vector_field
from minimax.metrics import tree_norm
from minimax.schemes import SchemeState

PyTree = Any


def layer_norms(tree: PyTree) -> jax.Array:
    r"""The Euclidean norm of every leaf (every weight matrix and bias), shape ``(num_leaves,)``.

    Example:
      >>> layer_norms({"b": jnp.array([3.0, 4.0]), "w": jnp.ones((2, 2))}).tolist()
      [5.0, 2.0]
    """
    leaves = jax.tree_util.tree_leaves(tree)
    if not leaves:
        raise ValueError("tree must have at least one array leaf; got an empty pytree.")
    return jnp.stack([jnp.linalg.norm(jnp.ravel(leaf)) for leaf in leaves])


def _mean_field(game: Game, state: SchemeState, key: jax.Array, num_batches: int):
    keys = jax.random.split(key, num_batches)
    fields = jax.vmap(lambda k: vector_field(game, state.x, state.y, game.sample(k)))(keys)
    return jax.tree_util.tree_map(lambda leaf: jnp.mean(leaf, axis=0), fields)


def gradient_norms(num_batches: int = 1) -> Callable:
    r"""A run metric: ``field_norm`` :math:`\|F\|`, ``grad_norm_x`` and ``grad_norm_y``.

    The field is averaged over ``num_batches`` fresh mini-batches before its norm is taken.

    Args:
      num_batches: an integer >= 1.
    """
    _validation.check_positive_int("num_batches", num_batches)

    def metric(game: Game, state: SchemeState, key: jax.Array) -> dict:
        grad_x, grad_y = _mean_field(game, state, key, num_batches)
        return {"field_norm": tree_norm((grad_x, grad_y)), "grad_norm_x": tree_norm(grad_x),
                "grad_norm_y": tree_norm(grad_y)}

    return metric


def update_norms(rule_x: optax.GradientTransformation, rule_y: optax.GradientTransformation,
                 num_batches: int = 1) -> Callable:
    r"""A run metric: the norm of the update each player's rule would apply now, global and per layer.

    At the logged state it evaluates the field on fresh mini-batches and calls each rule's ``update`` with
    the rule's current state (read from ``state.rule_state_x`` / ``state.rule_state_y``), without applying
    it. Returns ``update_norm_x``, ``update_norm_y`` (scalars) and ``update_norm_x_layers``,
    ``update_norm_y_layers`` (one norm per parameter array). Pass the same rules the scheme was built
    with. For the alternating scheme the discriminator's real gradient is taken after the generator has
    moved; the metric uses the simultaneous field, a close approximation for small steps.

    Args:
      rule_x, rule_y: the players' :class:`optax.GradientTransformation`\ s.
      num_batches: an integer >= 1, mini-batches averaged for the gradient.
    """
    _validation.check_rule("rule_x", rule_x)
    _validation.check_rule("rule_y", rule_y)
    _validation.check_positive_int("num_batches", num_batches)

    def metric(game: Game, state: SchemeState, key: jax.Array) -> dict:
        grad_x, grad_y = _mean_field(game, state, key, num_batches)
        update_x, _ = rule_x.update(grad_x, state.rule_state_x, state.x)
        update_y, _ = rule_y.update(grad_y, state.rule_state_y, state.y)
        return {"update_norm_x": tree_norm(update_x), "update_norm_y": tree_norm(update_y),
                "update_norm_x_layers": layer_norms(update_x), "update_norm_y_layers": layer_norms(update_y)}

    return metric


def mmd(samples: jax.Array, reference: jax.Array, bandwidths: Sequence[float] = (0.1, 0.5, 2.0)) -> jax.Array:
    r"""The biased estimate of :math:`\mathrm{MMD}(P, Q)` (the square root of :math:`\mathrm{MMD}^2 \ge 0`).

    Args:
      samples: points of :math:`P`, shape ``(n, d)``.
      reference: points of :math:`Q`, shape ``(m, d)``, same ``d``.
      bandwidths: the Gaussian kernels' widths :math:`h > 0`, summed.

    Example:
      >>> a = jax.random.normal(jax.random.PRNGKey(0), (200, 2))
      >>> float(mmd(a, a))
      0.0
      >>> bool(mmd(a, a + 3.0) > 0.5)
      True
    """
    widths = _validation.check_numbers("bandwidths", bandwidths, "a non-empty sequence of finite numbers > 0")
    if widths.ndim != 1 or widths.size == 0 or not np.all(widths > 0) or not np.all(np.isfinite(widths)):
        raise ValueError(f"bandwidths must be a non-empty sequence of finite numbers > 0; got {bandwidths!r}.")
    for name, points in (("samples", samples), ("reference", reference)):
        _validation.check_array(name, points)
        if len(jnp.shape(points)) != 2:
            raise ValueError(f"{name} must have shape (n, d); got shape {jnp.shape(points)}.")
    if jnp.shape(samples)[1] != jnp.shape(reference)[1]:
        raise ValueError(f"samples and reference must have the same dimension d; got shapes "
                         f"{jnp.shape(samples)} and {jnp.shape(reference)}.")
    scales = jnp.asarray(2.0 * widths**2, jnp.float32)

    def kernel_mean(a, b):
        squared = jnp.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)
        return jnp.sum(jnp.mean(jnp.exp(-squared[..., None] / scales), axis=(0, 1)))

    squared_mmd = kernel_mean(samples, samples) + kernel_mean(reference, reference) - 2 * kernel_mean(samples, reference)
    return jnp.sqrt(jnp.maximum(squared_mmd, 0.0))


def mixture_mmd(mixture, generator: Callable[[PyTree, jax.Array], jax.Array], latent_dim: int,
                num_samples: int = 500, bandwidths: Sequence[float] = (0.1, 0.5, 2.0)) -> Callable:
    """A run metric ``{"mmd": ...}``: :func:`mmd` between ``num_samples`` generated and real points.

    Args:
      mixture: anything with ``sample(key, n)``, e.g. :func:`minimax.gan.data.ring`.
      generator: ``(x, latents) -> points``.
      latent_dim, num_samples: integers >= 1.
      bandwidths: as in :func:`mmd`.
    """
    _validation.check_sampler("mixture", mixture)
    _validation.check_callable("generator", generator, "a function (params, latents) -> points")
    _validation.check_positive_int("latent_dim", latent_dim)
    _validation.check_positive_int("num_samples", num_samples)
    mmd(jnp.zeros((1, 1)), jnp.zeros((1, 1)), bandwidths)  # validates the bandwidths now

    def metric(game, state, key):
        del game
        latent_key, real_key = jax.random.split(key)
        fake = generator(state.x, jax.random.normal(latent_key, (num_samples, latent_dim)))
        return {"mmd": mmd(fake, mixture.sample(real_key, num_samples), bandwidths)}

    return metric


def coefficient_of_variation(values, axis: int = -1) -> np.ndarray:
    r"""The coefficient of variation :math:`\operatorname{std}(v) / \operatorname{mean}(v)` along ``axis``.

    A series that is constant up to :math:`\pm 10\%` has a coefficient of variation of about 0.06.

    Example:
      >>> float(coefficient_of_variation([1.0, 1.0, 1.0]))
      0.0
    """
    values = _validation.check_numbers("values", values)
    _validation.check_integer("axis", axis)
    if values.size == 0:
        raise ValueError("values must be a non-empty array of numbers; got an empty array.")
    mean = np.mean(values, axis=axis)
    if np.any(mean <= 0):
        raise ValueError(f"values must have a positive mean along axis {axis}; got mean {mean!r}.")
    return np.std(values, axis=axis) / mean

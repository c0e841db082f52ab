r"""Small networks as pure functions: a multilayer perceptron whose parameters are a plain pytree.

The parameters of an MLP with layer sizes :math:`(d_0, d_1, \dots, d_L)` are a list of ``L`` dicts
``{"w": (d_{l-1}, d_l), "b": (d_l,)}``, and

.. math::

   h_0 = \text{inputs}, \qquad h_l = \phi(h_{l-1} W_l + b_l)\ \ (l < L), \qquad
   \text{outputs} = h_{L-1} W_L + b_L,

with the activation :math:`\phi` between layers and none after the last. Being a pytree of arrays, the
parameters go straight into optax rules, ``jit`` and ``vmap`` (one MLP per run of a sweep).

Example:
  >>> params = mlp_init(jax.random.PRNGKey(0), [2, 32, 32, 1])
  >>> [layer["w"].shape for layer in params]
  [(2, 32), (32, 32), (32, 1)]
  >>> mlp_apply(params, jnp.zeros((5, 2))).shape
  (5, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp

from minimax import _validation


def mlp_init(key: jax.Array, sizes: Sequence[int]) -> list[dict]:
    r"""Parameters of an MLP with layer sizes ``sizes = (d_0, ..., d_L)``, scaled by fan-in.

    Weights are Gaussian with variance :math:`2/d_{l-1}` for the layers followed by a ReLU (He et al.,
    2015) and :math:`1/d_{L-1}` for the last, linear layer (LeCun), so activations keep their scale through
    the depth; biases start at zero. Everything is float32.

    Args:
      key: a PRNG key; the same key gives the same parameters.
      sizes: at least two integers >= 1, input size first, output size last.
    """
    _validation.check_key("key", key)
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise _validation.ArgumentTypeError(f"sizes must be a list or tuple of at least two layer sizes, "
                                            f"e.g. [2, 32, 1]; got {sizes!r}.")
    sizes = tuple(sizes)
    for size in sizes:
        _validation.check_positive_int("sizes (each layer size)", size)
    params = []
    keys = jax.random.split(key, len(sizes) - 1)
    for index, (layer_key, fan_in, fan_out) in enumerate(zip(keys, sizes[:-1], sizes[1:])):
        gain = 1.0 if index == len(sizes) - 2 else 2.0
        weights = jax.random.normal(layer_key, (fan_in, fan_out), dtype=jnp.float32) * jnp.sqrt(gain / fan_in)
        params.append({"w": weights, "b": jnp.zeros((fan_out,), jnp.float32)})
    return params


def mlp_apply(params: list[dict], inputs: jax.Array, activation: Callable[[jax.Array], jax.Array] = jax.nn.relu):
    """The MLP's outputs for ``inputs`` of shape ``(..., d_0)``; returns shape ``(..., d_L)``."""
    _validation.check_callable("activation", activation, "a function, e.g. jax.nn.relu")
    hidden = inputs
    for layer in params[:-1]:
        hidden = activation(hidden @ layer["w"] + layer["b"])
    last = params[-1]
    return hidden @ last["w"] + last["b"]


def mlp_players_init(data_dim: int, latent_dim: int, width: int, depth: int = 2) -> Callable:
    """``init(key) -> (generator, discriminator)``: MLPs with ``depth`` hidden layers of ``width`` units.

    The generator maps ``latent_dim`` to ``data_dim``, the discriminator ``data_dim`` to one logit
    (:func:`mlp_init`, one half of ``key`` each); the ``init`` that :func:`minimax.runner.sweep` expects.

    Example:
      >>> init = mlp_players_init(data_dim=2, latent_dim=4, width=16)
      >>> generator, discriminator = init(jax.random.PRNGKey(0))
      >>> [layer["w"].shape for layer in generator], [layer["w"].shape for layer in discriminator]
      ([(4, 16), (16, 16), (16, 2)], [(2, 16), (16, 16), (16, 1)])
    """
    for name, value in (("data_dim", data_dim), ("latent_dim", latent_dim), ("width", width), ("depth", depth)):
        _validation.check_positive_int(name, value)
    hidden = [width] * depth

    def init(key: jax.Array) -> tuple[list[dict], list[dict]]:
        _validation.check_key("key", key)
        key_x, key_y = jax.random.split(key)
        return mlp_init(key_x, [latent_dim, *hidden, data_dim]), mlp_init(key_y, [data_dim, *hidden, 1])

    return init

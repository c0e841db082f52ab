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
    try:
        sizes = tuple(sizes) if not isinstance(sizes, (str, bytes)) else sizes
    except TypeError:
        pass
    if not isinstance(sizes, tuple) or len(sizes) < 2:
        raise ValueError(f"sizes must be a sequence of at least two layer sizes, e.g. [2, 32, 1]; got {sizes!r}.")
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
    hidden = inputs
    for layer in params[:-1]:
        hidden = activation(hidden @ layer["w"] + layer["b"])
    last = params[-1]
    return hidden @ last["w"] + last["b"]

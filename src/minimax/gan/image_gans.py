r"""The digit benchmark of the GAN chapters in one call: images, held-out images, classifier and tanh MLPs.

:func:`digit_benchmark` returns the 8 × 8 digits of scikit-learn (1,437 training images, 360 held out by
:func:`~minimax.gan.digits.held_out_split` with ``fraction=0.2, seed=0``, scored by
:func:`~minimax.gan.digit_metrics.digits_classifier`) or, given the folder of MNIST's files, MNIST (the
60,000 training images, the 10,000 test images held out, scored by
:func:`~minimax.gan.digit_metrics.mnist_classifier`). The players are tanh MLPs,

.. math::

   G_x(z) = \tanh\bigl(\mathrm{MLP}_x(z)\bigr) \in [-1, 1]^d, \qquad \ell_y(v) = \mathrm{MLP}_y(v),

with tanh between layers (:func:`image_generator`, :func:`image_discriminator`); the generator's output
has the range of the images, and :func:`image_players_init` draws both players for a given width.

Example:
  >>> from minimax import gan
  >>> benchmark = digit_benchmark()
  >>> benchmark.train.dim, benchmark.held_out.num_images, benchmark.source
  (64, 360, 'digits')
  >>> init = image_players_init(benchmark.train.dim, latent_dim=16, width=32)
  >>> generator, discriminator = init(jax.random.PRNGKey(0))
  >>> image_generator(generator, jnp.zeros((5, 16))).shape
  (5, 64)
  >>> game = gan.gan_game(benchmark.train, image_generator, image_discriminator, latent_dim=16, batch_size=64)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from minimax import _validation
from minimax.gan import digit_metrics, digits, mnist, networks


class DigitBenchmark(NamedTuple):
    """Training images, held-out images, the classifier that scores generated images, and which data set.

    Attributes:
      train: the images the GAN learns from (a :class:`~minimax.gan.digits.Digits`).
      held_out: images the GAN and the classifier never saw, the reference of the Fréchet distance.
      classifier: the :class:`~minimax.gan.digit_metrics.Classifier` for ``train.dim`` pixels.
      source: ``"digits"`` (8 × 8) or ``"mnist"`` (28 × 28).
    """

    train: digits.Digits
    held_out: digits.Digits
    classifier: digit_metrics.Classifier
    source: str


def digit_benchmark(mnist_dir: str | os.PathLike | None = None) -> DigitBenchmark:
    """The 8 × 8 digits, or MNIST read from ``mnist_dir`` when it is given (not None or ""); nothing is downloaded.

    Raises:
      FileNotFoundError: when ``mnist_dir`` lacks one of MNIST's four files
        (see :func:`~minimax.gan.mnist.load_mnist`).
    """
    if mnist_dir is not None and str(mnist_dir) != "":
        train = mnist.load_mnist(mnist_dir, "train")
        return DigitBenchmark(train, mnist.load_mnist(mnist_dir, "test"), digit_metrics.mnist_classifier(train), "mnist")
    train, held_out = digits.held_out_split(digits.load_digits(), fraction=0.2, seed=0)
    return DigitBenchmark(train, held_out, digit_metrics.digits_classifier(), "digits")


def image_generator(params: list[dict], latents: jax.Array) -> jax.Array:
    r""":math:`G_x(z) = \tanh(\mathrm{MLP}_x(z))`, tanh between layers: images in :math:`[-1, 1]^d`, shape ``(n, d)``."""
    return jnp.tanh(networks.mlp_apply(params, latents, jnp.tanh))


def image_discriminator(params: list[dict], images: jax.Array) -> jax.Array:
    r"""The logits :math:`\ell_y(v) = \mathrm{MLP}_y(v)`, tanh between layers, shape ``(n, 1)``."""
    return networks.mlp_apply(params, images, jnp.tanh)


def image_players_init(image_dim: int, latent_dim: int, width: int, depth: int = 2) -> Callable:
    """``init(key) -> (generator, discriminator)``: MLPs with ``depth`` hidden layers of ``width`` units.

    The generator maps ``latent_dim`` to ``image_dim`` pixels, the discriminator ``image_dim`` pixels to one
    logit (:func:`~minimax.gan.networks.mlp_init`); the init a :func:`minimax.runner.sweep` expects.
    """
    for name, value in (("image_dim", image_dim), ("latent_dim", latent_dim), ("width", width), ("depth", depth)):
        _validation.check_positive_int(name, value)
    hidden = [width] * depth

    def init(key: jax.Array) -> tuple[list[dict], list[dict]]:
        key_x, key_y = jax.random.split(key)
        return (networks.mlp_init(key_x, [latent_dim, *hidden, image_dim]),
                networks.mlp_init(key_y, [image_dim, *hidden, 1]))

    return init

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
  >>> game, init = digit_gan(benchmark.train, latent_dim=16, width=32, batch_size=64)   # the same, in one call
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from minimax import _validation
from minimax.games import Game
from minimax.gan import digit_metrics, digits, mnist, networks
from minimax.gan.game import gan_game


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


def digit_benchmark(mnist_dir: str | os.PathLike | None = None, *, from_environment: bool = False) -> DigitBenchmark:
    """The 8 × 8 digits, or MNIST read from ``mnist_dir`` when it is given (not None or ""); nothing is downloaded.

    Args:
      mnist_dir: the folder of MNIST's four files, or None / "" for the 8 × 8 digits.
      from_environment: when ``mnist_dir`` is not given, take it from ``$MINIMAX_MNIST_DIR`` (unset: the 8 × 8
        digits). The GAN chapters pass ``profile == "full"``, so that whoever runs the full profile with MNIST
        sets the folder once for every chapter, and the quick profile keeps the bundled digits.

    Raises:
      FileNotFoundError: when ``mnist_dir`` lacks one of MNIST's four files
        (see :func:`~minimax.gan.mnist.load_mnist`).
    """
    if mnist_dir is not None:
        _validation.check_path("mnist_dir", mnist_dir)
    if from_environment and (mnist_dir is None or str(mnist_dir) == ""):
        mnist_dir = os.environ.get("MINIMAX_MNIST_DIR", "")
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


# The digits chapters' name for the same players: MLPs from latents to pixels and from pixels to a logit.
image_players_init = networks.mlp_players_init


class DigitGAN(NamedTuple):
    """The GAN chapters' image GAN: the game on a set of images and the function drawing both players.

    Attributes:
      game: :func:`~minimax.gan.gan_game` with :func:`image_generator` and :func:`image_discriminator`.
      init: ``key -> (generator, discriminator)``, tanh MLPs of the given width (:func:`image_players_init`).
    """

    game: Game
    init: Callable


def digit_gan(train: digits.Digits, latent_dim: int, width: int, batch_size: int) -> DigitGAN:
    r"""The image GAN of chapters 1.3 and 1.5 on ``train``: tanh MLPs with two hidden layers of ``width`` units.

    .. math::

       G_x: \mathbb{R}^{k} \to [-1, 1]^d, \qquad \ell_y: \mathbb{R}^d \to \mathbb{R}, \qquad
       z \sim \mathcal{N}(0, I_k),\ k = \text{latent\_dim},\ d = \text{train.dim},

    played as :func:`~minimax.gan.gan_game` with minibatches of ``batch_size`` images and latents.

    Example:
      >>> game, init = digit_gan(digit_benchmark().train, latent_dim=16, width=32, batch_size=64)
      >>> generator, discriminator = init(jax.random.PRNGKey(0))
      >>> float(game.loss_x(generator, discriminator, game.sample(jax.random.PRNGKey(1)))) > 0
      True
    """
    _validation.check_instance("train", train, digits.Digits, "e.g. minimax.gan.digit_benchmark().train")
    game = gan_game(train, image_generator, image_discriminator, latent_dim=latent_dim, batch_size=batch_size)
    return DigitGAN(game, image_players_init(train.dim, latent_dim, width))

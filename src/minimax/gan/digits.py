r"""Small images for GANs: scikit-learn's bundled 8 × 8 handwritten digits, offline.

:func:`load_digits` reads the 1,797 images of ``sklearn.datasets.load_digits`` (the UCI optical
recognition of handwritten digits test set, shipped inside scikit-learn, so nothing is downloaded). Each
image is flattened row by row into a vector of :math:`d = 64` pixels and its grey levels
:math:`v \in \{0, \dots, 16\}` are mapped affinely onto :math:`[-1, 1]`,

.. math::

   x = \frac{v}{8} - 1,

the range of a generator with a ``tanh`` output. A :class:`Digits` data set is the empirical distribution
of its images, :math:`p = \frac1N \sum_{i=1}^N \delta_{x_i}`; it samples like a
:class:`~minimax.gan.data.Mixture`, so :func:`minimax.gan.game.gan_game` takes either.
:func:`held_out_split` sets images aside for evaluation (:mod:`minimax.gan.digit_metrics`), and
:func:`minimax.gan.mnist.load_mnist` returns the 28 × 28 MNIST digits as the same kind of data set.

Example:
  >>> digits = load_digits()
  >>> digits.dim, digits.num_images, digits.image_side
  (64, 1797, 8)
  >>> train, held_out = held_out_split(digits, fraction=0.2, seed=0)
  >>> train.num_images, held_out.num_images
  (1437, 360)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation

NUM_CLASSES = 10
DIGITS_DIM = 64  # scikit-learn's digits are 8 x 8


class Digits(NamedTuple):
    r"""Labelled images of digits, flattened and scaled to :math:`[-1, 1]` (a pytree: it can be passed through ``jit``).

    Attributes:
      images: shape ``(N, d)``, float32; row :math:`i` is image :math:`x_i`, its square of side
        :math:`\sqrt d` read row by row.
      labels: shape ``(N,)``, int32, the digit :math:`0, \dots, 9` each image shows.
    """

    images: jax.Array
    labels: jax.Array

    @property
    def num_images(self) -> int:
        """The number of images :math:`N`."""
        return self.images.shape[0]

    @property
    def dim(self) -> int:
        """The number of pixels :math:`d` of one image (64 for the 8 × 8 digits, 784 for MNIST)."""
        return self.images.shape[1]

    @property
    def image_side(self) -> int:
        r"""The side :math:`\sqrt d` of the square images: ``images.reshape(-1, side, side)`` shows them."""
        return math.isqrt(self.dim)

    def sample(self, key: jax.Array, n: int) -> jax.Array:
        r"""``n`` images drawn uniformly with replacement, shape ``(n, d)``: :math:`x_{I_j}`, :math:`I_j \sim \mathcal U\{1..N\}`.

        The same key gives the same images.

        Example:
          >>> load_digits().sample(jax.random.PRNGKey(0), 5).shape
          (5, 64)
        """
        _validation.check_key("key", key)
        _validation.check_positive_int("n", n)
        indices = jax.random.randint(key, (n,), 0, self.num_images)
        return self.images[indices]


def from_pixels(pixels: np.ndarray, labels: np.ndarray, max_value: float) -> Digits:
    r"""A :class:`Digits` data set from raw grey levels :math:`v \in [0, v_{\max}]`: :math:`x = 2v / v_{\max} - 1`.

    Args:
      pixels: shape ``(N, side, side)`` or ``(N, d)``, grey levels between 0 and ``max_value``.
      labels: shape ``(N,)``, integers in :math:`\{0, \dots, 9\}`.
      max_value: :math:`v_{\max} > 0`, the grey level of a white pixel (16 for the 8 × 8 digits, 255 for MNIST).

    Example:
      >>> from_pixels(np.full((2, 8, 8), 16), np.array([3, 7]), max_value=16).images[0, :3].tolist()
      [1.0, 1.0, 1.0]
    """
    _validation.check_positive("max_value", max_value)
    _validation.check_array("pixels", pixels)
    _validation.check_array("labels", labels)
    pixels, labels = np.asarray(pixels), np.asarray(labels)
    if pixels.ndim not in (2, 3) or pixels.shape[0] == 0:
        raise ValueError(f"pixels must have shape (N, side, side) or (N, d) with N >= 1; got shape {pixels.shape}.")
    if labels.shape != pixels.shape[:1]:
        raise ValueError(f"labels must have shape ({pixels.shape[0]},), one per image; got shape {labels.shape}.")
    if pixels.min() < 0 or pixels.max() > max_value:
        raise ValueError(f"pixels must be grey levels from 0 to max_value={max_value!r}; got values from "
                         f"{pixels.min()} to {pixels.max()}.")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise ValueError(f"labels must be digits 0 to 9; got values from {labels.min()} to {labels.max()}.")
    flat = pixels.reshape(pixels.shape[0], -1).astype(np.float32)
    images = 2.0 * flat / np.float32(max_value) - 1.0
    return Digits(jnp.asarray(images, jnp.float32), jnp.asarray(labels, jnp.int32))


def load_digits() -> Digits:
    """The 1,797 bundled 8 × 8 digits of scikit-learn, as 64-d vectors in :math:`[-1, 1]` (grey levels 0–16)."""
    from sklearn import datasets  # scikit-learn is only needed to read the bundled file

    bunch = datasets.load_digits()
    return from_pixels(bunch.images, bunch.target, max_value=16)


def held_out_split(data: Digits, fraction: float = 0.2, seed: int = 0) -> tuple[Digits, Digits]:
    r"""Split ``data`` into ``(train, held_out)`` at random, :math:`\lceil` ``fraction`` :math:`\cdot N\rceil` images held out.

    The split is a permutation drawn by ``numpy.random.default_rng(seed)``: the same seed gives the same
    split on every platform, and the two parts never share an image.

    Args:
      data: the :class:`Digits` to split.
      fraction: the share held out, in the open interval (0, 1).
      seed: an integer >= 0.

    Example:
      >>> train, held_out = held_out_split(load_digits(), fraction=0.25, seed=1)
      >>> train.num_images + held_out.num_images
      1797
    """
    _validation.check_instance("data", data, Digits, "e.g. load_digits()")
    _validation.check_open_interval("fraction", fraction, 0.0, 1.0)
    _validation.check_seed("seed", seed)
    num_held_out = math.ceil(fraction * data.num_images)
    if not 1 <= num_held_out < data.num_images:
        raise ValueError(
            f"fraction must leave at least one image on each side of the split of {data.num_images} images; "
            f"got fraction={fraction!r}."
        )
    order = np.random.default_rng(seed).permutation(data.num_images)
    images, labels = np.asarray(data.images), np.asarray(data.labels)  # numpy indexing: nothing to compile

    def part(indices):
        return Digits(jnp.asarray(images[indices]), jnp.asarray(labels[indices]))

    return part(order[num_held_out:]), part(order[:num_held_out])


def image_grid(images, rows: int = 6, cols: int = 6, pad: int = 1) -> np.ndarray:
    """Tile the first ``rows * cols`` flattened square images into one picture for ``imshow``.

    Images are laid out row by row, separated and framed by ``pad`` pixels of -1 (black, the background
    of the digits); missing images leave their tiles black.

    Args:
      images: shape ``(n, d)`` with :math:`d` a perfect square (64 for the 8 × 8 digits, 784 for MNIST).
      rows, cols: the grid's shape.
      pad: pixels between tiles, >= 0.

    Example:
      >>> image_grid(load_digits().images, rows=2, cols=3).shape     # 2 × (8 + 1) + 1, 3 × (8 + 1) + 1
      (19, 28)
    """
    _validation.check_array("images", images)
    images = np.asarray(images)
    _validation.check_positive_int("rows", rows)
    _validation.check_positive_int("cols", cols)
    _validation.check_nonnegative_int("pad", pad)
    side = math.isqrt(images.shape[-1]) if images.ndim == 2 else 0
    if images.ndim != 2 or side * side != images.shape[1]:
        raise ValueError(f"images must have shape (n, d) with d a square number of pixels; got shape {images.shape}.")
    tiles = np.full((rows * (side + pad) + pad, cols * (side + pad) + pad), -1.0, dtype=np.float32)
    for index, image in enumerate(images[: rows * cols]):
        row, col = divmod(index, cols)
        top, left = pad + row * (side + pad), pad + col * (side + pad)
        tiles[top: top + side, left: left + side] = image.reshape(side, side)
    return tiles

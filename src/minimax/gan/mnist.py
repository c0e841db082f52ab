r"""MNIST from local files in the IDX format (never downloaded): 28 × 28 digits as a :class:`~minimax.gan.digits.Digits`.

An IDX file (LeCun et al., the format MNIST is distributed in, often gzip-compressed) is a 4-byte magic
number, :math:`k` big-endian 32-bit sizes and the array, row-major:

.. math::

   \underbrace{0,\ 0,\ t,\ k}_{\text{magic}}\quad n_1\ \dots\ n_k\quad a_{1 \dots 1}\ \dots\ a_{n_1 \dots n_k},

with :math:`t` the element type (``0x08`` unsigned byte, ``0x09`` signed byte, ``0x0B`` int16, ``0x0C``
int32, ``0x0D`` float32, ``0x0E`` float64). MNIST's images are unsigned bytes with :math:`k = 3`
(magic 2051, sizes :math:`N \times 28 \times 28`) and its labels unsigned bytes with :math:`k = 1`
(magic 2049). :func:`read_idx` reads any IDX file; :func:`load_mnist` reads one split of MNIST from a
folder, checks it and scales the grey levels :math:`v \in \{0, \dots, 255\}` to
:math:`x = 2v/255 - 1 \in [-1, 1]`, as :func:`minimax.gan.digits.load_digits` does for the 8 × 8 digits.

Example (with the four files of MNIST in ``~/data/mnist``):

.. code-block:: python

   train = load_mnist("~/data/mnist", split="train")   # 60,000 images, train.dim == 784
   game = gan.gan_game(train, gan.mlp_apply, gan.mlp_apply, latent_dim=64, batch_size=128)
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from minimax import _validation
from minimax.gan.digits import Digits, from_pixels

# IDX element types: code -> big-endian numpy dtype.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801  # unsigned bytes with 3 and 1 dimensions
IMAGE_SIDE = 28
SPLITS = {"train": "train", "test": "t10k"}  # split -> file-name prefix of the MNIST distribution
GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (recognized by its content, not its name)."""
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as error:  # a truncated or damaged gzip stream
        raise ValueError(f"{path}: expected a valid gzip-compressed IDX file; decompressing failed ({error}).") from error


def _parse_idx(path: Path) -> tuple[int, np.ndarray]:
    """The magic number and the array of the IDX file at ``path``."""
    content = _read_bytes(path)
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] not in IDX_TYPES:
        raise ValueError(
            f"{path}: expected an IDX magic number 0x0000TTKK (TT an element type among "
            f"{', '.join(f'0x{code:02X}' for code in IDX_TYPES)}); got 0x{content[:4].hex().upper()}."
        )
    dtype, ndim = np.dtype(IDX_TYPES[content[2]]), content[3]
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(f"{path}: expected {ndim} sizes after the magic number; the file ends after {len(content)} bytes.")
    shape = tuple(int(size) for size in np.frombuffer(content, ">u4", count=ndim, offset=4))
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(content) != expected:
        raise ValueError(f"{path}: expected {expected} bytes for an IDX array of shape {shape} and type {dtype}; "
                         f"got {len(content)} bytes.")
    array = np.frombuffer(content, dtype, offset=header_size).reshape(shape)
    return int.from_bytes(content[:4], "big"), array.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzip-compressed or not), with its IDX shape and type.

    Raises:
      ValueError: naming the file, when its magic number, sizes or length are not those of an IDX file.

    Example:
      >>> import tempfile
      >>> path = Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
      >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
      >>> read_idx(path).tolist()
      [7, 2, 1]
    """
    _validation.check_path("path", path)
    return _parse_idx(Path(path).expanduser())[1]


def _read_mnist_file(path: Path, magic: int, what: str) -> np.ndarray:
    """The array of an MNIST file, after checking its magic number."""
    found, array = _parse_idx(path)
    if found != magic:
        raise ValueError(f"{path}: expected the magic number {magic} (0x{magic:08X}) of MNIST {what}; "
                         f"got {found} (0x{found:08X}).")
    return array


def _find(directory: Path, name: str) -> Path:
    """``directory/name`` or ``directory/name.gz``, whichever exists."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST file not found: expected {directory / name} or {directory / name}.gz.")


def load_mnist(directory: str | os.PathLike, split: str = "train") -> Digits:
    """One split of MNIST read from the standard IDX files in ``directory``, as 784-d images in :math:`[-1, 1]`.

    The files are those of the MNIST distribution, each plain or gzip-compressed (``.gz``):
    ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (60,000 images), ``t10k-images-idx3-ubyte``
    and ``t10k-labels-idx1-ubyte`` (10,000). Nothing is downloaded.

    Args:
      directory: the folder holding the files (``~`` is expanded).
      split: ``"train"`` or ``"test"`` (the ``t10k`` files).

    Raises:
      FileNotFoundError: when a file is missing.
      ValueError: naming the file, when it is not an IDX file of MNIST images (magic number 2051,
        :math:`N \\times 28 \\times 28` unsigned bytes) or labels (magic number 2049, :math:`N` digits 0 to 9),
        or when the two files hold different numbers of images.
    """
    _validation.check_path("directory", directory)
    _validation.check_choice("split", split, SPLITS)
    directory = Path(directory).expanduser()
    images_path = _find(directory, f"{SPLITS[split]}-images-idx3-ubyte")
    labels_path = _find(directory, f"{SPLITS[split]}-labels-idx1-ubyte")
    images = _read_mnist_file(images_path, IMAGES_MAGIC, "images")
    labels = _read_mnist_file(labels_path, LABELS_MAGIC, "labels")
    if images.shape[0] == 0 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"{images_path}: expected N >= 1 images of {IMAGE_SIDE} x {IMAGE_SIDE} pixels; "
                         f"got shape {images.shape}.")
    if labels.shape != images.shape[:1]:
        raise ValueError(f"{labels_path}: expected {images.shape[0]} labels, one per image of {images_path}; "
                         f"got {labels.shape[0]}.")
    if labels.max() > 9:
        raise ValueError(f"{labels_path}: expected digits 0 to 9 as labels; got {labels.max()}.")
    return from_pixels(images, labels, max_value=255)

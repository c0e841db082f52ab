import gzip

import jax
import numpy as np
import pytest

from minimax.gan import game, mnist, networks

NUM_IMAGES = 5


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file: magic 0x0000TTKK, the sizes as big-endian int32, then the big-endian array."""
    dtype = np.dtype(mnist.IDX_TYPES[type_code])
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + np.asarray(array, dtype).tobytes()


def write(path, content: bytes, compressed: bool):
    if compressed:
        path = path.with_name(path.name + ".gz")
        content = gzip.compress(content)
    path.write_bytes(content)
    return path


@pytest.fixture
def pixels():
    return np.random.default_rng(0).integers(0, 256, size=(NUM_IMAGES, 28, 28), dtype=np.uint8)


@pytest.fixture
def labels():
    return np.array([5, 0, 4, 1, 9], np.uint8)


def write_split(directory, pixels, labels, prefix="train", compressed=False):
    images_path = write(directory / f"{prefix}-images-idx3-ubyte", idx_bytes(pixels), compressed)
    labels_path = write(directory / f"{prefix}-labels-idx1-ubyte", idx_bytes(labels), compressed)
    return images_path, labels_path


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_load_mnist_reads_idx_files_plain_or_gzip(tmp_path, pixels, labels, compressed):
    write_split(tmp_path, pixels, labels, compressed=compressed)
    data = mnist.load_mnist(tmp_path, split="train")
    assert data.images.shape == (NUM_IMAGES, 784) and data.dim == 784 and data.image_side == 28
    np.testing.assert_allclose(data.images, pixels.reshape(NUM_IMAGES, 784) / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(data.labels, labels)


def test_test_split_reads_the_t10k_files(tmp_path, pixels, labels):
    write_split(tmp_path, pixels[:2], labels[:2], prefix="t10k")
    assert mnist.load_mnist(tmp_path, split="test").num_images == 2
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        mnist.load_mnist(tmp_path, split="train")


@pytest.mark.parametrize("type_code", sorted(mnist.IDX_TYPES))
def test_read_idx_round_trips_every_element_type(tmp_path, type_code):
    array = np.arange(24).reshape(2, 3, 4).astype(mnist.IDX_TYPES[type_code])
    path = write(tmp_path / "array-idx3", idx_bytes(array, type_code), compressed=False)
    read = mnist.read_idx(path)
    np.testing.assert_array_equal(read, array)
    assert read.dtype == array.dtype.newbyteorder("=") and read.dtype.isnative


def test_mnist_plays_in_the_gan_game(tmp_path, pixels, labels):
    write_split(tmp_path, pixels, labels, compressed=True)
    data = mnist.load_mnist(tmp_path)
    g = game.gan_game(data, networks.mlp_apply, networks.mlp_apply, latent_dim=4, batch_size=3)
    batch = g.sample(jax.random.PRNGKey(0))
    assert batch.real.shape == (3, 784)


def corrupt(kind, pixels, labels):
    """(file to write as the images, file to write as the labels, what the error says) for one corruption."""
    if kind == "labels as images":
        return idx_bytes(labels), idx_bytes(labels), "2051"
    if kind == "not idx":
        return b"GIF89a not an idx file", idx_bytes(labels), "IDX magic number"
    if kind == "truncated":
        return idx_bytes(pixels)[:-7], idx_bytes(labels), "bytes"
    if kind == "header cut":
        return idx_bytes(pixels)[:9], idx_bytes(labels), "sizes"
    if kind == "wrong size":
        return idx_bytes(pixels[:, :8, :8]), idx_bytes(labels), "28 x 28"
    if kind == "int images":
        return idx_bytes(pixels.astype(np.int32), 0x0C), idx_bytes(labels), "2051"
    if kind == "too few labels":
        return idx_bytes(pixels), idx_bytes(labels[:3]), "expected 5 labels"
    if kind == "label 10":
        return idx_bytes(pixels), idx_bytes(np.array([1, 2, 3, 4, 10], np.uint8)), "digits 0 to 9"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["labels as images", "not idx", "truncated", "header cut", "wrong size", "int images", "too few labels",
             "label 10"]
)
def test_corrupted_files_raise_a_value_error_naming_the_file(tmp_path, pixels, labels, kind):
    images_content, labels_content, message = corrupt(kind, pixels, labels)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(images_content)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(labels_content)
    with pytest.raises(ValueError, match=message) as error:
        mnist.load_mnist(tmp_path)
    assert "idx" in str(error.value).split(":")[0]  # the message starts with the file's path


def test_a_damaged_gzip_stream_raises_a_value_error(tmp_path, pixels, labels):
    images_path, _ = write_split(tmp_path, pixels, labels, compressed=True)
    images_path.write_bytes(images_path.read_bytes()[:40])
    with pytest.raises(ValueError, match="gzip"):
        mnist.load_mnist(tmp_path)


def test_bad_split_names_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="split"):
        mnist.load_mnist(tmp_path, split="validation")

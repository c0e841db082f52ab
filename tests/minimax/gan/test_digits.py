import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import datasets

from minimax.gan import digits, game, networks


@pytest.fixture(scope="module")
def all_digits():
    return digits.load_digits()


def test_load_digits_are_sklearn_digits_flattened_and_scaled_to_minus_one_one(all_digits):
    reference = datasets.load_digits()
    assert all_digits.images.shape == (1797, 64) and all_digits.images.dtype == jnp.float32
    assert all_digits.labels.dtype == jnp.int32 and all_digits.dim == 64 and all_digits.image_side == 8
    np.testing.assert_array_equal(all_digits.images, reference.images.reshape(1797, 64) / 8 - 1)
    np.testing.assert_array_equal(all_digits.labels, reference.target)
    assert float(all_digits.images.min()) == -1.0 and float(all_digits.images.max()) == 1.0
    assert np.bincount(np.asarray(all_digits.labels)).min() >= 170  # about 180 images of every digit


def test_samples_are_images_of_the_data_set_and_deterministic_in_the_key(all_digits):
    first = all_digits.sample(jax.random.PRNGKey(0), 50)
    assert first.shape == (50, 64) and first.dtype == jnp.float32
    np.testing.assert_array_equal(first, all_digits.sample(jax.random.PRNGKey(0), 50))
    assert not np.array_equal(first, all_digits.sample(jax.random.PRNGKey(1), 50))
    distances = np.abs(np.asarray(first)[:, None, :] - np.asarray(all_digits.images)[None]).sum(-1)
    assert np.all(distances.min(axis=1) == 0)  # each sample is one of the images


def test_sampling_is_uniform_over_the_images():
    tiny = digits.Digits(jnp.arange(4, dtype=jnp.float32)[:, None] * jnp.ones((4, 3)), jnp.arange(4))
    draws = np.asarray(tiny.sample(jax.random.PRNGKey(2), 40_000)[:, 0]).astype(int)
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 40_000, 0.25, atol=0.01)


def test_digits_pass_through_jit(all_digits):
    sample = jax.jit(lambda data, key: data.sample(key, 3))
    np.testing.assert_array_equal(sample(all_digits, jax.random.PRNGKey(5)), all_digits.sample(jax.random.PRNGKey(5), 3))


def test_held_out_split_partitions_the_images_and_depends_only_on_the_seed(all_digits):
    train, held_out = digits.held_out_split(all_digits, fraction=0.2, seed=0)
    assert (train.num_images, held_out.num_images) == (1437, 360)
    rows = lambda part: {tuple(row) for row in np.c_[np.asarray(part.images), np.asarray(part.labels)]}
    assert rows(train) | rows(held_out) == rows(all_digits)
    assert len(rows(train)) + len(rows(held_out)) == len(rows(all_digits))  # no image on both sides
    again_train, again_held_out = digits.held_out_split(all_digits, fraction=0.2, seed=0)
    np.testing.assert_array_equal(again_held_out.images, held_out.images)
    np.testing.assert_array_equal(again_train.labels, train.labels)
    _, other = digits.held_out_split(all_digits, fraction=0.2, seed=1)
    assert not np.array_equal(other.images, held_out.images)


def test_gan_game_plays_on_digits(all_digits):
    g = game.gan_game(all_digits, networks.mlp_apply, networks.mlp_apply, latent_dim=8, batch_size=16)
    generator = networks.mlp_init(jax.random.PRNGKey(0), [8, 32, all_digits.dim])
    discriminator = networks.mlp_init(jax.random.PRNGKey(1), [all_digits.dim, 32, 1])
    batch = g.sample(jax.random.PRNGKey(2))
    assert batch.real.shape == (16, 64) and batch.latent.shape == (16, 8)
    losses = jax.jit(lambda x, y, batch: (g.loss_x(x, y, batch), g.loss_y(x, y, batch)))
    assert np.all(np.isfinite(losses(generator, discriminator, batch)))


def test_from_pixels_scales_grey_levels_to_minus_one_one():
    data = digits.from_pixels(np.array([[[0, 255], [51, 204]]]), np.array([7]), max_value=255)
    np.testing.assert_allclose(data.images, [[-1.0, 1.0, -0.6, 0.6]], atol=1e-6)
    assert data.labels.tolist() == [7] and data.image_side == 2


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda d: d.sample(jax.random.PRNGKey(0), 0), "n"),
        (lambda d: digits.held_out_split(d, fraction=0.0), "fraction"),
        (lambda d: digits.held_out_split(d, fraction=1.0), "fraction"),
        (lambda d: digits.held_out_split(d, seed=-1), "seed"),
        (lambda d: digits.held_out_split(digits.Digits(d.images[:1], d.labels[:1]), fraction=0.5), "fraction"),
        (lambda d: digits.from_pixels(np.zeros((2, 8, 8)), np.zeros(3), max_value=16), "labels"),
        (lambda d: digits.from_pixels(np.zeros((2, 8, 8)), np.array([0, 10]), max_value=16), "labels"),
        (lambda d: digits.from_pixels(np.full((1, 8, 8), 17), np.zeros(1), max_value=16), "pixels"),
        (lambda d: digits.from_pixels(np.zeros((0, 64)), np.zeros(0), max_value=16), "pixels"),
        (lambda d: digits.from_pixels(np.zeros((1, 64)), np.zeros(1), max_value=0), "max_value"),
    ],
)
def test_bad_input_names_the_parameter(all_digits, make, name):
    with pytest.raises(ValueError, match=name):
        make(all_digits)


def test_image_grid_tiles_images_row_by_row_on_black(all_digits):
    tiles = digits.image_grid(all_digits.images, rows=2, cols=3, pad=1)
    assert tiles.shape == (2 * 9 + 1, 3 * 9 + 1)
    np.testing.assert_array_equal(tiles[1:9, 1:9], np.asarray(all_digits.images[0]).reshape(8, 8))
    np.testing.assert_array_equal(tiles[10:18, 19:27], np.asarray(all_digits.images[5]).reshape(8, 8))
    assert np.all(tiles[0] == -1) and np.all(tiles[:, 9] == -1)
    few = digits.image_grid(all_digits.images[:2], rows=1, cols=3, pad=0)       # a missing image stays black
    assert np.all(few[:, 16:] == -1) and few.shape == (8, 24)


@pytest.mark.parametrize("images, options, message", [
    (np.zeros((4, 10)), {}, r"images must have shape \(n, d\) with d a square number of pixels; got shape \(4, 10\)"),
    (np.zeros((4, 8, 8)), {}, r"got shape \(4, 8, 8\)"),
    (np.zeros((4, 64)), {"rows": 0}, r"rows must be"),
    (np.zeros((4, 64)), {"pad": -1}, r"pad must be an integer >= 0; got -1"),
])
def test_image_grid_bad_input(images, options, message):
    with pytest.raises(ValueError, match=message):
        digits.image_grid(images, **options)

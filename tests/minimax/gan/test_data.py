
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax.gan import data


def test_ring_means_lie_on_the_circle_evenly_spaced():
    mixture = data.ring(num_modes=8, radius=2.0, std=0.02)
    assert mixture.means.shape == (8, 2) and mixture.means.dtype == jnp.float32
    np.testing.assert_allclose(np.linalg.norm(mixture.means, axis=1), 2.0, rtol=1e-6)
    angles = np.sort(np.mod(np.arctan2(mixture.means[:, 1], mixture.means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8, rtol=1e-5)
    np.testing.assert_allclose(mixture.means[0], [2.0, 0.0], atol=1e-6)
    assert mixture.std == 0.02 and mixture.num_modes == 8 and mixture.dim == 2


def test_grid_means_are_the_centred_lattice():
    mixture = data.grid_mixture(size=5, spacing=2.0, std=0.05)
    assert mixture.means.shape == (25, 2) and mixture.std == 0.05
    expected = {(float(a), float(b)) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(map(float, row)) for row in np.asarray(mixture.means)} == expected


def test_samples_have_the_right_shape_std_and_equal_mode_weights():
    mixture = data.ring()
    points = mixture.sample(jax.random.PRNGKey(0), 40_000)
    assert points.shape == (40_000, 2) and points.dtype == jnp.float32
    distances = np.linalg.norm(np.asarray(points)[:, None, :] - np.asarray(mixture.means)[None], axis=-1)
    nearest = distances.argmin(axis=1)
    offsets = np.asarray(points) - np.asarray(mixture.means)[nearest]
    np.testing.assert_allclose(offsets.std(axis=0), 0.02, rtol=0.03)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=1e-3)
    counts = np.bincount(nearest, minlength=8)
    np.testing.assert_allclose(counts / counts.sum(), 1 / 8, atol=0.01)


def test_sampling_is_deterministic_in_the_key():
    mixture = data.grid_mixture()
    first = mixture.sample(jax.random.PRNGKey(3), 100)
    np.testing.assert_array_equal(first, mixture.sample(jax.random.PRNGKey(3), 100))
    assert not np.array_equal(first, mixture.sample(jax.random.PRNGKey(4), 100))


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: data.ring(num_modes=0), "num_modes"),
        (lambda: data.ring(radius=-1.0), "radius"),
        (lambda: data.ring(std=0.0), "std"),
        (lambda: data.grid_mixture(size=2.5), "size"),
        (lambda: data.grid_mixture(spacing=0.0), "spacing"),
        (lambda: data.ring().sample(jax.random.PRNGKey(0), 0), "n"),
    ],
)
def test_bad_input_names_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()

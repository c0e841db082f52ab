import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import rules, runner, schemes
from minimax.gan import data, game, metrics, networks


@pytest.mark.parametrize("mixture", [data.ring(), data.grid_mixture()], ids=["ring", "grid"])
def test_samples_at_the_means_cover_every_mode(mixture):
    samples = jnp.repeat(mixture.means, 20, axis=0)
    assert int(metrics.modes_covered(samples, mixture)) == mixture.num_modes
    assert float(metrics.high_quality_fraction(samples, mixture)) == 1.0
    assert int(metrics.modes_covered(mixture.means, mixture, min_count=1)) == mixture.num_modes


def test_samples_on_one_mode_cover_one_mode():
    mixture = data.ring()
    samples = mixture.means[3] + 0.01 * jax.random.normal(jax.random.PRNGKey(0), (100, 2))
    assert int(metrics.modes_covered(samples, mixture, min_count=1)) == 1
    np.testing.assert_array_equal(metrics.mode_counts(samples, mixture), [0, 0, 0, 100, 0, 0, 0, 0])


def test_threshold_is_in_units_of_std():
    mixture = data.ring(std=0.1)
    just_inside = mixture.means[:1] + jnp.array([[0.29, 0.0]])
    just_outside = mixture.means[:1] + jnp.array([[0.31, 0.0]])
    assert float(metrics.high_quality_fraction(just_inside, mixture)) == 1.0
    assert float(metrics.high_quality_fraction(just_outside, mixture)) == 0.0
    assert float(metrics.high_quality_fraction(just_outside, mixture, threshold_std=4.0)) == 1.0
    assert int(metrics.modes_covered(just_outside, mixture, min_count=1)) == 0


def test_min_count_and_the_mixture_itself():
    mixture = data.grid_mixture()
    samples = mixture.sample(jax.random.PRNGKey(1), 2500)
    assert int(metrics.modes_covered(samples, mixture)) == 25  # about 100 per mode, >= 20 each
    assert float(metrics.high_quality_fraction(samples, mixture)) > 0.98  # 3 sigma in 2-D: 98.9 %
    assert int(metrics.modes_covered(samples[:25], mixture)) == 0  # too few samples for min_count=20


def test_metrics_vmap_over_runs():
    mixture = data.ring()
    batches = jnp.stack([jnp.repeat(mixture.means, 3, axis=0), jnp.repeat(mixture.means[:2], 12, axis=0)])
    covered = jax.vmap(lambda s: metrics.modes_covered(s, mixture, min_count=3))(batches)
    np.testing.assert_array_equal(covered, [8, 2])


def test_sample_quality_is_a_run_metric():
    mixture = data.ring()
    g = game.gan_game(mixture, networks.mlp_apply, networks.mlp_apply, latent_dim=2, batch_size=16)
    key_x, key_y = jax.random.split(jax.random.PRNGKey(0))
    x0, y0 = networks.mlp_init(key_x, [2, 8, 2]), networks.mlp_init(key_y, [2, 8, 1])
    metric = metrics.sample_quality(mixture, networks.mlp_apply, latent_dim=2, num_samples=100)
    result = runner.run(g, schemes.simultaneous(rules.adam(1e-3)), x0, y0, num_steps=2, log_every=2, metrics=metric)
    assert result.metrics["modes_covered"].shape == (2,)
    assert 0.0 <= float(result.metrics["high_quality_fraction"][-1]) <= 1.0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda m: metrics.modes_covered(m.means, m, threshold_std=0.0), "threshold_std"),
        (lambda m: metrics.modes_covered(m.means, m, min_count=0), "min_count"),
        (lambda m: metrics.high_quality_fraction(jnp.zeros((4, 3)), m), "samples"),
        (lambda m: metrics.sample_quality(m, networks.mlp_apply, latent_dim=2, num_samples=0), "num_samples"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call(data.ring())

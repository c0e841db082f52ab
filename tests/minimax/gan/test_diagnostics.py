"""Tests of minimax.gan.diagnostics: gradient and update norms, MMD, coefficient of variation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, rules, runner, schemes
from minimax.gan import data, diagnostics, game, networks


def small_gan():
    gan = game.gan_game(data.ring(), networks.mlp_apply, networks.mlp_apply, latent_dim=2, batch_size=16)
    x0 = networks.mlp_init(jax.random.PRNGKey(0), [2, 8, 2])
    y0 = networks.mlp_init(jax.random.PRNGKey(1), [2, 8, 1])
    return gan, x0, y0


def test_gradient_norms_on_bilinear_game_match_closed_form():
    game_ = games.bilinear(jnp.eye(2))
    scheme = schemes.simultaneous(rules.sgd(0.1))
    state = scheme.init(jnp.array([3.0, 0.0]), jnp.array([0.0, 4.0]))
    values = diagnostics.gradient_norms()(game_, state, jax.random.PRNGKey(0))
    # F = (A y, -A^T x) = ((0, 4), (-3, 0))
    assert float(values["grad_norm_x"]) == pytest.approx(4.0)
    assert float(values["grad_norm_y"]) == pytest.approx(3.0)
    assert float(values["field_norm"]) == pytest.approx(5.0)


def test_update_norms_of_adam_and_normalized_sgda():
    gan, x0, y0 = small_gan()
    eta = 0.01
    normalized = rules.normalized_sgda(eta)
    adam = rules.adam(eta)
    result = runner.run(gan, schemes.simultaneous(normalized, adam), x0, y0, num_steps=4, log_every=2,
                        metrics=diagnostics.update_norms(normalized, adam))
    # normalized SGDA takes steps of length exactly eta
    np.testing.assert_allclose(result.metrics["update_norm_x"], eta, rtol=1e-4)
    # Adam's first step from a zero state has every coordinate ~ eta (sign of the gradient)
    num_params_y = sum(leaf.size for leaf in jax.tree_util.tree_leaves(y0))
    assert float(result.metrics["update_norm_y"][0]) == pytest.approx(eta * np.sqrt(num_params_y), rel=0.05)
    layers = result.metrics["update_norm_y_layers"]
    assert layers.shape == (3, 4)
    np.testing.assert_allclose(np.sqrt(np.sum(layers**2, axis=1)), result.metrics["update_norm_y"], rtol=1e-5)


def test_gradient_norms_is_vmappable_in_a_sweep():
    gan, x0, y0 = small_gan()
    points = runner.grid(learning_rate=[0.01, 0.1], seed=[0, 1])
    result = runner.sweep(gan, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)),
                          lambda key: (x0, y0), points, num_steps=2, log_every=1,
                          metrics=diagnostics.gradient_norms(num_batches=2))
    assert result.metrics["field_norm"].shape == (4, 3)
    assert np.all(np.isfinite(result.metrics["field_norm"]))


def test_mmd_properties():
    key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
    a = jax.random.normal(key_a, (300, 2))
    b = jax.random.normal(key_b, (300, 2))
    assert float(diagnostics.mmd(a, a)) == pytest.approx(0.0, abs=1e-6)
    same = float(diagnostics.mmd(a, b))
    shifted = float(diagnostics.mmd(a, b + 2.0))
    assert same < 0.2 < shifted
    assert float(diagnostics.mmd(a, b)) == pytest.approx(float(diagnostics.mmd(b, a)), rel=1e-5)


def test_mixture_mmd_metric():
    gan, x0, y0 = small_gan()
    scheme = schemes.simultaneous(rules.sgd(0.01))
    metric = diagnostics.mixture_mmd(data.ring(), networks.mlp_apply, latent_dim=2, num_samples=64)
    values = metric(gan, scheme.init(x0, y0), jax.random.PRNGKey(0))
    assert values["mmd"].shape == () and float(values["mmd"]) > 0


def test_coefficient_of_variation():
    assert diagnostics.coefficient_of_variation([2.0, 2.0]) == 0.0
    np.testing.assert_allclose(diagnostics.coefficient_of_variation([[1.0, 3.0], [2.0, 2.0]]), [0.5, 0.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: diagnostics.gradient_norms(num_batches=0), "num_batches"),
        (lambda: diagnostics.update_norms("adam", rules.adam(1e-3)), "rule_x"),
        (lambda: diagnostics.mmd(jnp.zeros((3, 2)), jnp.zeros((3, 2)), bandwidths=(0.0,)), "bandwidths"),
        (lambda: diagnostics.mmd(jnp.zeros(3), jnp.zeros((3, 2))), "samples"),
        (lambda: diagnostics.mmd(jnp.zeros((3, 2)), jnp.zeros((3, 3))), "dimension"),
        (lambda: diagnostics.mixture_mmd(data.ring(), networks.mlp_apply, latent_dim=0), "latent_dim"),
        (lambda: diagnostics.coefficient_of_variation([]), "values"),
        (lambda: diagnostics.coefficient_of_variation([-1.0, -2.0]), "positive mean"),
        (lambda: diagnostics.layer_norms({}), "tree"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()

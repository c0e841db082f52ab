import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, rules, runner, schemes
from minimax.gan import data, game, losses, networks

LOG_HALF = math.log(0.5)


def zero_discriminator(y, points):
    """A discriminator whose logits are 0 everywhere (D = 1/2) but depend on y through a zero factor."""
    return 0.0 * (points @ y["w"]).sum(axis=-1)


def shift_generator(x, latent):
    return latent + x["shift"]


def test_zero_logits_give_payoff_two_log_half():
    zeros = jnp.zeros(7)
    np.testing.assert_allclose(float(losses.payoff(zeros, zeros)), 2 * LOG_HALF, rtol=1e-6)
    np.testing.assert_allclose(float(losses.discriminator_loss(zeros, zeros)), -2 * LOG_HALF, rtol=1e-6)
    np.testing.assert_allclose(float(losses.non_saturating_generator_loss(zeros)), -LOG_HALF, rtol=1e-6)
    np.testing.assert_allclose(float(losses.saturating_generator_loss(zeros)), LOG_HALF, rtol=1e-6)


def test_losses_are_stable_for_large_logits():
    big = jnp.array([200.0, -200.0])
    assert np.isfinite(float(losses.payoff(big, big)))
    np.testing.assert_allclose(float(losses.non_saturating_generator_loss(jnp.array([-200.0]))), 200.0, rtol=1e-6)


@pytest.mark.parametrize("loss", ["saturating", "non_saturating"])
def test_gan_game_losses_at_a_discriminator_with_zero_logits(loss):
    g = game.gan_game(data.ring(), shift_generator, zero_discriminator, latent_dim=2, batch_size=16, loss=loss)
    x, y = {"shift": jnp.ones(2)}, {"w": jnp.ones(2)}
    batch = g.sample(jax.random.PRNGKey(0))
    assert batch.real.shape == (16, 2) and batch.latent.shape == (16, 2)
    np.testing.assert_allclose(float(g.loss_y(x, y, batch)), -2 * LOG_HALF, rtol=1e-6)
    expected_x = 2 * LOG_HALF if loss == "saturating" else -LOG_HALF
    np.testing.assert_allclose(float(g.loss_x(x, y, batch)), expected_x, rtol=1e-6)


def test_saturating_game_is_zero_sum_and_non_saturating_is_not():
    mixture = data.ring()
    key_x, key_y = jax.random.split(jax.random.PRNGKey(1))
    x, y = networks.mlp_init(key_x, [2, 8, 2]), networks.mlp_init(key_y, [2, 8, 1])
    saturating = game.gan_game(mixture, networks.mlp_apply, networks.mlp_apply, 2, 32, loss="saturating")
    non_saturating = game.gan_game(mixture, networks.mlp_apply, networks.mlp_apply, 2, 32)
    batch = saturating.sample(jax.random.PRNGKey(2))
    np.testing.assert_allclose(float(saturating.loss_x(x, y, batch)), -float(saturating.loss_y(x, y, batch)), rtol=1e-6)
    assert abs(float(non_saturating.loss_x(x, y, batch)) + float(non_saturating.loss_y(x, y, batch))) > 1e-3
    np.testing.assert_allclose(float(non_saturating.loss_y(x, y, batch)), float(saturating.loss_y(x, y, batch)), rtol=1e-6)


def test_generator_gradient_matches_the_closed_form():
    """With D(p) = sigmoid(a . p) and G(z) = z + shift, d/dshift of the losses is known in closed form."""
    a = jnp.array([0.7, -0.3])
    g_nonsat = game.gan_game(data.ring(), shift_generator, lambda y, p: p @ y["a"], 2, 8)
    g_sat = game.gan_game(data.ring(), shift_generator, lambda y, p: p @ y["a"], 2, 8, loss="saturating")
    x, y = {"shift": jnp.array([0.1, 0.2])}, {"a": a}
    batch = g_sat.sample(jax.random.PRNGKey(5))
    fake_logits = (batch.latent + x["shift"]) @ a
    grad_sat, _ = games.vector_field(g_sat, x, y, batch)
    grad_nonsat, _ = games.vector_field(g_nonsat, x, y, batch)
    np.testing.assert_allclose(grad_sat["shift"], -jnp.mean(jax.nn.sigmoid(fake_logits)) * a, rtol=1e-5)
    np.testing.assert_allclose(grad_nonsat["shift"], -jnp.mean(jax.nn.sigmoid(-fake_logits)) * a, rtol=1e-5)


def test_a_short_sweep_runs_and_is_deterministic():
    mixture = data.ring()
    g = game.gan_game(mixture, networks.mlp_apply, networks.mlp_apply, latent_dim=2, batch_size=32)

    def init(key):
        key_x, key_y = jax.random.split(key)
        return networks.mlp_init(key_x, [2, 8, 2]), networks.mlp_init(key_y, [2, 8, 1])

    def make_scheme(learning_rate):
        return schemes.simultaneous(rules.adam(learning_rate))

    points = runner.grid(learning_rate=[1e-3], seed=[0, 1])
    first = runner.sweep(g, make_scheme, init, points, num_steps=6, log_every=3)
    second = runner.sweep(g, make_scheme, init, points, num_steps=6, log_every=3)
    assert first.metrics["field_norm"].shape == (2, 3)
    assert not np.any(np.asarray(first.diverged))
    np.testing.assert_array_equal(first.metrics["field_norm"], second.metrics["field_norm"])


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"batch_size": -1}, "batch_size"),
        ({"loss": "wasserstein"}, "loss"),
        ({"data": object()}, "data"),
        ({"generator": 3}, "generator"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    arguments = dict(data=data.ring(), generator=networks.mlp_apply, discriminator=networks.mlp_apply,
                     latent_dim=2, batch_size=8)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=name):
        game.gan_game(**arguments)

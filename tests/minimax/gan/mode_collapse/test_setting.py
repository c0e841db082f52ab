import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax.gan import mode_collapse as mc

MODES = mc.two_modes(8, 0.3)


def test_truncated_cubic_is_the_cube_inside_and_its_tangent_outside():
    threshold = 1.5
    inside = jnp.linspace(-threshold, threshold, 11)
    np.testing.assert_allclose(mc.truncated_cubic(inside, threshold), inside**3, rtol=1e-6, atol=1e-6)
    outside = jnp.array([-4.0, -2.0, 2.0, 5.0])
    expected = 3 * threshold**2 * outside - 2 * threshold**3 * jnp.sign(outside)
    np.testing.assert_allclose(mc.truncated_cubic(outside, threshold), expected, rtol=1e-6)
    t = jnp.linspace(-5.0, 5.0, 101)
    np.testing.assert_allclose(mc.truncated_cubic(-t, threshold), -mc.truncated_cubic(t, threshold), atol=1e-5)


@pytest.mark.parametrize("threshold", [0.5, 1.0, 2.0])
def test_truncated_cubic_and_its_slope_are_continuous_at_plus_minus_lambda(threshold):
    slope = jax.grad(mc.truncated_cubic)
    for edge in (-threshold, threshold):
        inside, outside = edge * (1 - 1e-3), edge * (1 + 1e-3)
        jump = float(mc.truncated_cubic(outside, threshold) - mc.truncated_cubic(inside, threshold))
        assert abs(jump) < 1.01 * 3 * threshold**2 * abs(outside - inside)  # no jump: only the slope's worth
        np.testing.assert_allclose(float(slope(jnp.float32(edge), threshold)), 3 * threshold**2, rtol=1e-6)
        np.testing.assert_allclose(float(slope(jnp.float32(outside), threshold)), 3 * threshold**2, rtol=1e-6)
        np.testing.assert_allclose(float(slope(jnp.float32(inside), threshold)), 3 * inside**2, rtol=1e-4)


@pytest.mark.parametrize("inner", [0.05, 0.3, 0.9])
def test_two_modes_are_unit_vectors_with_the_requested_inner_product(inner):
    for key in (None, jax.random.PRNGKey(3)):
        modes = mc.two_modes(64, inner, key)
        np.testing.assert_allclose(jnp.linalg.norm(modes, axis=1), [1.0, 1.0], rtol=1e-6)
        np.testing.assert_allclose(float(modes[0] @ modes[1]), inner, rtol=1e-5)
    np.testing.assert_allclose(mc.embedded_modes(64, inner), mc.two_modes(64, inner), atol=1e-7)


def test_data_points_are_one_of_the_two_modes_with_the_mode_weight():
    points = mc.sample_data(jax.random.PRNGKey(0), MODES, 20_000, mode_weight=0.7)
    is_first = jnp.all(points == MODES[0], axis=1)
    is_second = jnp.all(points == MODES[1], axis=1)
    assert bool(jnp.all(is_first ^ is_second))
    assert abs(float(is_first.mean()) - 0.7) < 0.015


@pytest.mark.parametrize("pair_prob", [0.0, 0.2])
def test_latents_are_sparse_binary_and_match_their_support(pair_prob):
    width, n = 6, 60_000
    latents = np.asarray(mc.sparse_latents(jax.random.PRNGKey(1), n, width, pair_prob))
    assert set(np.unique(latents)) <= {0.0, 1.0}
    active = latents.sum(axis=1)
    assert set(np.unique(active)) <= ({1.0} if pair_prob == 0 else {1.0, 2.0})
    np.testing.assert_allclose(latents.mean(axis=0), (1 + pair_prob) / width, atol=0.01)
    both = (latents[:, 0] * latents[:, 1]).mean()
    np.testing.assert_allclose(both, 2 * pair_prob / (width * (width - 1)), atol=0.003)
    support, probs = mc.latent_support(width, pair_prob)
    np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probs @ support, (1 + pair_prob) / width, rtol=1e-5)
    # Every sampled latent lies in the support, with the support's frequencies.
    index = {tuple(row): k for k, row in enumerate(support)}
    counts = np.bincount([index[tuple(row)] for row in latents], minlength=len(probs)) / n
    np.testing.assert_allclose(counts, probs, atol=0.01)


def test_generator_output_is_v_times_z():
    generator = jax.random.normal(jax.random.PRNGKey(2), (5, 8))
    latents = jnp.array([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 1.0, 0]])
    np.testing.assert_allclose(mc.generate(generator, latents), jnp.stack([generator[0], generator[1] + generator[3]]),
                               rtol=1e-6)


def test_the_game_payoff_is_the_gan_value_on_explicit_points():
    setting = mc.two_mode_setting(dim=8, inner=0.3, gen_width=5, disc_width=3, threshold=0.7, scale=2.0,
                                  bias_scale=0.3, pair_prob=0.25, batch_size=32)
    game = mc.two_mode_game(setting)
    generator, discriminator = mc.initializer(setting, 1.0, 1.5)(jax.random.PRNGKey(4))
    discriminator["b"] = jnp.float32(0.4)
    batch = game.sample(jax.random.PRNGKey(5))
    real = batch.real @ setting.modes
    fake = mc.generate(generator, batch.latents)
    d_real = jax.nn.sigmoid(mc.discriminator_logits(discriminator, real, setting))
    d_fake = jax.nn.sigmoid(mc.discriminator_logits(discriminator, fake, setting))
    expected = jnp.mean(jnp.log(d_real)) + jnp.mean(jnp.log(1 - d_fake))
    np.testing.assert_allclose(game.loss_x(generator, discriminator, batch), expected, rtol=1e-5)
    np.testing.assert_allclose(game.loss_y(generator, discriminator, batch), -expected, rtol=1e-5)
    # By hand, one point: a * sum_j sigma(<w_j, x>) + lambda * b.
    by_hand = 2.0 * sum(float(mc.truncated_cubic(discriminator["w"][j] @ fake[0], 0.7)) for j in range(3)) + 0.3 * 0.4
    np.testing.assert_allclose(float(mc.discriminator_logits(discriminator, fake[:1], setting)[0]), by_hand, rtol=1e-5)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: mc.truncated_cubic(1.0, threshold=0.0), r"threshold must be a finite number > 0; got 0.0"),
        (lambda: mc.two_modes(8, 1.2), r"inner must lie in the open interval \(0, 1\); got 1.2"),
        (lambda: mc.two_modes(1, 0.3), r"dim must be an integer >= 2"),
        (lambda: mc.sparse_latents(jax.random.PRNGKey(0), 4, 3, pair_prob=1.5), r"pair_prob must lie in \[0, 1\]; got 1.5"),
        (lambda: mc.two_mode_setting(16, 0.3, gen_width=0, disc_width=2), r"gen_width must be an integer >= 1; got 0"),
        (lambda: mc.two_mode_setting(16, 0.3, 4, 2, mode_weight=1.0), r"mode_weight must lie in the open interval"),
        (lambda: mc.mode_recovery(jnp.ones((2, 8)), MODES, epsilon=2.5), r"epsilon must lie in the open interval \(0, 2\)"),
        (lambda: mc.initializer(mc.two_mode_setting(16, 0.3, 4, 2), gen_norm=-1.0, disc_norm=1.0), r"gen_norm must be"),
    ],
)
def test_bad_input_raises_a_clear_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, runner
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


def test_mode_recovery_on_hand_made_generators():
    u1, u2 = MODES
    s_hat = (u1 + u2) / jnp.linalg.norm(u1 + u2)
    orthogonal = jnp.zeros(8).at[5].set(1.0)
    tilted = 0.99 * u1 + jnp.sqrt(1 - 0.99**2) * orthogonal  # cos 0.99 with u1: distance 0.14
    generator = jnp.stack([3.0 * u1, tilted, 0.5 * u2, s_hat, orthogonal])
    np.testing.assert_allclose(mc.mode_recovery(generator, MODES, epsilon=0.3), [0.4, 0.2], rtol=1e-6)
    np.testing.assert_allclose(mc.mode_recovery(generator, MODES, epsilon=0.1), [0.2, 0.2], rtol=1e-6)
    # The collapse direction is at distance sqrt(2 - 2 sqrt(0.65)) = 0.62 from each mode.
    np.testing.assert_allclose(mc.mode_recovery(generator, MODES, epsilon=0.63), [0.6, 0.4], rtol=1e-6)
    # With pairs, v1 + v3 = 3u1 + 0.5u2 points near u1 (cos 0.98) and counts for mode 1.
    pair_prob = 0.5
    recovered = mc.mode_recovery(generator, MODES, epsilon=0.3, pair_prob=pair_prob)
    support, probs = mc.latent_support(5, pair_prob)
    outputs = support @ np.asarray(generator)
    cos = outputs @ np.asarray(MODES).T / np.linalg.norm(outputs, axis=1, keepdims=True)
    np.testing.assert_allclose(recovered, probs @ (cos >= 1 - 0.3**2 / 2), rtol=1e-6)
    assert float(recovered[0]) > 0.5 * 0.4


def test_output_shares_split_the_generator_into_collapse_separation_and_rest():
    u1, u2 = MODES
    collapsed = jnp.stack([u1 + u2, 2.0 * (u1 + u2)])
    np.testing.assert_allclose(mc.output_shares(collapsed, MODES), [1.0, 0.0, 0.0], atol=1e-6)
    separated = jnp.stack([u1, u2])
    shares = np.asarray(mc.output_shares(separated, MODES))
    # cos^2(u_l, s_hat) = (1 + gamma)/2 and cos^2(u_l, delta_hat) = (1 - gamma)/2.
    np.testing.assert_allclose(shares, [0.65, 0.35, 0.0], atol=1e-6)
    neurons = mc.cosines(jnp.stack([u1, u1 + u2]), MODES)
    np.testing.assert_allclose(neurons[0], [1.0, 0.3, np.sqrt(0.65), np.sqrt(0.35)], atol=1e-6)


def test_setting_sweep_equals_runner_sweep_and_embeds_smaller_games():
    setting = mc.two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=3, batch_size=16)
    full = runner.grid(eta_g=[0.01, 0.05], eta_d=[0.02], seed=[0, 5])
    smaller = runner.grid(eta_g=[0.05], eta_d=[0.02], dim=[5], disc_width=[2], seed=[0])
    points, (part_full, part_small) = mc.stack_grids(full, smaller, dim=16, disc_width=3)
    ours = mc.setting_sweep(setting, mc.nsgda, points, num_steps=30, log_every=10, gen_norm=0.2, disc_norm=0.3, neurons=True)
    reference = runner.sweep(mc.two_mode_game(setting), mc.nsgda, mc.initializer(setting, 0.2, 0.3), full,
                             num_steps=30, log_every=10, metrics=mc.recovery_metric(setting, neurons=True))
    for name in reference.metrics:
        np.testing.assert_allclose(np.asarray(ours.metrics[name])[part_full], reference.metrics[name], rtol=1e-5, atol=1e-6)
    generator = np.asarray(ours.final.x)[part_small][0]
    weights = np.asarray(ours.final.y["w"])[part_small][0]
    assert np.abs(generator[:, 5:]).max() == 0.0 and np.abs(weights[:, 5:]).max() == 0.0  # the 5-dim game stays in R^5
    assert np.abs(weights[2:]).max() == 0.0 and np.abs(weights[:2]).max() > 0  # the third neuron of D stays at zero
    assert np.abs(generator[:, :5]).max() > 0


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
        (lambda: mc.setting_sweep(mc.two_mode_setting(16, 0.3, 4, 2), mc.sgda, runner.grid(eta_g=[0.1], eta_d=[0.1], dim=[32]),
                                  num_steps=10, gen_norm=0.1, disc_norm=0.1), r"dim must hold integers in \[2, 16\]"),
        (lambda: mc.setting_sweep(mc.two_mode_setting(16, 0.3, 4, 2), mc.sgda, runner.grid(eta_g=[-0.1], eta_d=[0.1]),
                                  num_steps=10, gen_norm=0.1, disc_norm=0.1), r"eta_g must be a finite number > 0; got -0.1"),
    ],
)
def test_bad_input_raises_a_clear_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_setting_sweep_shards_over_devices_with_the_same_numbers(run_with_host_devices):
    import textwrap

    code = textwrap.dedent(
        """
        import jax, numpy as np
        from minimax import runner
        from minimax.gan import mode_collapse as mc
        setting = mc.two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=3, batch_size=8)
        points = runner.grid(eta_g=[0.01, 0.05, 0.1], eta_d=[0.02], seed=[0])  # 3 runs: padded on 2 devices
        result = mc.setting_sweep(setting, mc.nsgda, points, num_steps=20, log_every=10, gen_norm=0.2, disc_norm=0.3)
        print(jax.device_count())
        np.save(__import__("sys").argv[1], np.asarray(result.metrics["shares"]))
        """
    )
    outputs = {devices: run_with_host_devices(code, devices) for devices in (1, 2)}
    assert outputs[2].shape == (3, 3, 3)
    np.testing.assert_allclose(outputs[2], outputs[1], rtol=1e-5, atol=1e-7)


def test_paced_sgda_moves_the_players_in_the_ratio_of_their_step_sizes():
    setting = mc.two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=3, batch_size=8)
    game = mc.two_mode_game(setting)
    x0, y0 = mc.initializer(setting, gen_norm=0.1, disc_norm=0.1)(jax.random.PRNGKey(0))
    key = jax.random.PRNGKey(1)
    paced = mc.paced_sgda(0.3, 0.05)
    state = paced.step(game, paced.init(x0, y0), key)
    plain = mc.sgda(0.3, 0.05)
    reference = plain.step(game, plain.init(x0, y0), key)
    grad_x, grad_y = games.vector_field(game, x0, y0, game.sample(key))
    norm_y = jnp.sqrt(jnp.sum(grad_y["w"] ** 2) + grad_y["b"] ** 2)
    # V⁺ = V − η_G (‖g_W‖/‖g_V‖) g_V: SGDA's direction, the length η_G‖g_W‖, far longer than SGDA's at a small start.
    np.testing.assert_allclose(state.x, x0 - 0.3 * norm_y / jnp.linalg.norm(grad_x) * grad_x, rtol=1e-5, atol=1e-7)
    assert float(jnp.linalg.norm(grad_x)) < 0.1 * float(norm_y)
    np.testing.assert_allclose(state.y["w"], reference.y["w"], rtol=1e-6)  # the discriminator steps as under SGDA
    step_x = float(jnp.linalg.norm(state.x - x0))
    step_y = float(jnp.sqrt(jnp.sum((state.y["w"] - y0["w"]) ** 2) + (state.y["b"] - y0["b"]) ** 2))
    np.testing.assert_allclose(step_x / step_y, 0.3 / 0.05, rtol=1e-3)  # the pace is the step-size ratio

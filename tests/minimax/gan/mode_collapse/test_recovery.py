import jax.numpy as jnp
import numpy as np

from minimax.gan import mode_collapse as mc

MODES = mc.two_modes(8, 0.3)


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

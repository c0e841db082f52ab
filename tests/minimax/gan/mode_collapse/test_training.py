import jax
import jax.numpy as jnp
import numpy as np

from minimax import games
from minimax.gan import mode_collapse as mc


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

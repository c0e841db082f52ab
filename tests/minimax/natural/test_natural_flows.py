import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import hidden, natural


def _matching_pennies(regularization, n=1):
    inputs = jnp.linspace(-1.0, 1.0, n)[:, None]
    player = hidden.mlp_player([1, 8, 1], inputs, head="sigmoid")
    game = hidden.matching_pennies(player, player, regularization)
    return game, hidden.matching_pennies_target(n), player.init(jax.random.PRNGKey(0)), player.init(jax.random.PRNGKey(1))


@pytest.mark.parametrize("regularization", [0.0, 0.5])
def test_natural_flow_follows_the_closed_form_v0_exp_minus_2_lambda_t(regularization):
    game, target, theta, phi = _matching_pennies(regularization, n=2)
    path = natural.integrate(natural.natural_field(game), theta, phi, t1=2.0, num_saves=101, rtol=1e-7, atol=1e-9)
    assert bool(path.ok)
    V = np.asarray(natural.along(path, lambda a, b: hidden.lyapunov(game, target, a, b)))
    np.testing.assert_allclose(V, V[0] * np.exp(-2 * regularization * np.asarray(path.ts)), rtol=1e-3, atol=1e-7)
    measured = natural.time_derivative(path.ts, V)[1:-1]
    formula = np.asarray(natural.along(path, lambda a, b: hidden.lyapunov_derivative(game, target, a, b)))[1:-1]
    np.testing.assert_allclose(measured, formula, atol=2e-4 * max(V[0], 1e-3) + 1e-5)


def test_natural_flow_moves_the_outputs_by_the_output_space_gradient():
    game, _, theta, phi = _matching_pennies(0.5, n=2)
    dx, dy = natural.natural_field(game)(0.0, (theta, phi))
    grad_F, grad_G = hidden.output_gradients(game, theta, phi)
    _, moved_F = jax.jvp(game.outputs_x, (theta,), (dx,))
    _, moved_G = jax.jvp(game.outputs_y, (phi,), (dy,))
    np.testing.assert_allclose(moved_F, -grad_F / game.weight_x, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(moved_G, grad_G / game.weight_y, rtol=1e-3, atol=1e-5)


def test_natural_and_gda_fields_coincide_for_identity_maps():
    game = hidden.HiddenGame(lambda t: t, lambda s: s, lambda F, G: F @ G + 0.5 * (F @ F - G @ G))
    z = (jnp.array([0.3, -1.0]), jnp.array([2.0, 0.5]))
    for method in ("dual", "dense", "cg"):
        a = natural.natural_field(game, method=method, damping=0.0)(0.0, z)
        b = natural.gda_field(game)(0.0, z)
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"rtol": 0.0}, "rtol must be"), ({"solver": "euler"}, "solver must be one of"), ({"t1": -1.0}, "t1 must be")],
)
def test_bad_integration_settings_are_rejected(kwargs, message):
    game, _, theta, phi = _matching_pennies(0.5)
    settings = {"t1": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        natural.integrate(natural.gda_field(game), theta, phi, **settings)

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, hidden


def _players(n=1, head="sigmoid", out=1, width=6):
    inputs = jax.random.normal(jax.random.PRNGKey(3), (n, 2))
    player = hidden.mlp_player([2, width, out], inputs, head=head)
    return player, player.init(jax.random.PRNGKey(0)), player.init(jax.random.PRNGKey(1))


def test_matching_pennies_payoff_and_target():
    game = hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization=0.5)
    F, G = jnp.array([0.2]), jnp.array([0.9])
    expected = (1 - 0.4) * (1 - 1.8) + 0.25 * ((0.2 - 0.5) ** 2 - (0.9 - 0.5) ** 2)
    np.testing.assert_allclose(game.loss(F, G), expected, rtol=1e-6)
    target = hidden.matching_pennies_target()
    grad_F, grad_G = jax.grad(game.loss, argnums=(0, 1))(target.F, target.G)
    np.testing.assert_allclose(grad_F, 0.0, atol=1e-7)
    np.testing.assert_allclose(grad_G, 0.0, atol=1e-7)


def test_the_game_field_is_the_chain_rule_through_the_outputs():
    player, theta, phi = _players(n=4)
    game = hidden.matching_pennies(player, player, regularization=0.3)
    grad_x, grad_y = games.vector_field(hidden.as_game(game), theta, phi)
    grad_F, grad_G = hidden.output_gradients(game, theta, phi)
    (expected_x,) = jax.vjp(player.apply, theta)[1](grad_F)
    (expected_y,) = jax.vjp(player.apply, phi)[1](-grad_G)
    for a, b in zip(jax.tree_util.tree_leaves(grad_x), jax.tree_util.tree_leaves(expected_x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for a, b in zip(jax.tree_util.tree_leaves(grad_y), jax.tree_util.tree_leaves(expected_y)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_gan_payoff_equals_its_pointwise_rewrite():
    key_p, key_d = jax.random.split(jax.random.PRNGKey(0))
    q = jnp.array([0.1, 0.2, 0.3, 0.4])
    p = jax.nn.softmax(jax.random.normal(key_p, (4,)))
    D = jax.nn.sigmoid(jax.random.normal(key_d, (4,)))
    game = hidden.finite_gan(lambda t: t, lambda s: s, q)
    np.testing.assert_allclose(game.loss(p, D), hidden.gan_payoff(p, D, q), rtol=1e-6)
    target = hidden.finite_gan_target(q)
    grad_D = jax.grad(game.loss, argnums=1)(target.F, target.G)
    np.testing.assert_allclose(grad_D, 0.0, atol=1e-6)  # D* = 1/2 is the best response to p* = q


@pytest.mark.parametrize("matrix", [hidden.RPS, [[1.0, -1.0], [-1.0, 1.0]], [[3.0, -1.0, 0.5], [-2.0, 1.0, 0.0]]])
def test_matrix_equilibrium_satisfies_the_minimax_conditions(matrix):
    M = np.asarray(matrix)
    p, q, value = hidden.matrix_equilibrium(M)
    assert np.all(p >= -1e-9) and abs(p.sum() - 1) < 1e-9 and np.all(q >= -1e-9) and abs(q.sum() - 1) < 1e-9
    np.testing.assert_allclose(np.max(M.T @ p), value, atol=1e-8)  # y's best response against p gets the value
    np.testing.assert_allclose(np.min(M @ q), value, atol=1e-8)  # x's best response against q pays the value


def test_rps_equilibrium_is_uniform_with_value_zero():
    p, q, value = hidden.matrix_equilibrium(hidden.RPS)
    np.testing.assert_allclose(p, 1 / 3, atol=1e-8)
    np.testing.assert_allclose(q, 1 / 3, atol=1e-8)
    assert abs(value) < 1e-9


def test_regularized_target_solves_the_output_game():
    M = np.array([[2.0, -1.0, 0.0], [-1.0, 0.5, 1.0]])
    target = hidden.matrix_game_target(M, num_samples=2, regularization=0.7)
    assert target.F.shape == (2, 2) and target.G.shape == (2, 3)
    F, G = np.asarray(target.F[0]), np.asarray(target.G[0])
    # variational inequality: F minimizes L(., G) on the simplex, G maximizes L(F, .)
    grid = np.stack(np.meshgrid(*[np.linspace(0, 1, 41)] * 2), -1).reshape(-1, 2)
    simplex3 = np.c_[grid, 1 - grid.sum(1)][(1 - grid.sum(1)) >= 0]
    simplex2 = np.c_[np.linspace(0, 1, 201), 1 - np.linspace(0, 1, 201)]

    def L(f, g):
        return np.einsum('...i,ij,...j->...', f, M, g) + 0.35 * (np.sum((f - 0.5) ** 2, -1) - np.sum((g - 1 / 3) ** 2, -1))

    assert L(F, G) <= np.min(L(simplex2, G)) + 1e-5
    assert L(F, G) >= np.max(L(F, simplex3)) - 1e-5


def test_project_simplex():
    v = jax.random.normal(jax.random.PRNGKey(0), (50, 4)) * 2
    p = hidden.project_simplex(v)
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.asarray(p) >= 0)
    np.testing.assert_allclose(hidden.project_simplex(p), p, atol=1e-6)
    # the projection is the closest point: no point on a fine grid of the simplex is closer
    grid = np.stack(np.meshgrid(*[np.linspace(0, 1, 21)] * 3), -1).reshape(-1, 3)
    points = np.c_[grid, 1 - grid.sum(1)][(1 - grid.sum(1)) >= 0]
    for row, proj in zip(np.asarray(v[:5]), np.asarray(p[:5])):
        assert np.sum((row - proj) ** 2) <= np.min(np.sum((points - row) ** 2, -1)) + 1e-5


def test_lyapunov_is_zero_at_the_target_and_decreases_at_rate_2_lambda_in_matching_pennies():
    player, theta, phi = _players(n=3)
    for lam in (0.0, 0.8):
        game = hidden.matching_pennies(player, player, regularization=lam)
        target = hidden.matching_pennies_target(3)
        V = hidden.lyapunov(game, target, theta, phi)
        np.testing.assert_allclose(hidden.lyapunov_derivative(game, target, theta, phi), -2 * lam * V, rtol=1e-4,
                                   atol=1e-7)
    on_target = hidden.HiddenGame(lambda t: t, lambda s: s, game.loss, 1 / 3, 1 / 3)
    assert float(hidden.lyapunov(on_target, target, target.F, target.G)) == 0.0


def test_lyapunov_derivative_is_nonpositive_for_a_strictly_convex_concave_game():
    player = hidden.mlp_player([2, 5, 3], jax.random.normal(jax.random.PRNGKey(3), (2, 2)), head="softmax")
    M = np.array([[0.0, 2.0, -1.0], [-1.0, 0.0, 3.0], [1.0, -2.0, 0.0]])
    game = hidden.matrix_game(M, player, player, regularization=0.5)
    target = hidden.matrix_game_target(M, num_samples=2, regularization=0.5)
    for seed in range(5):
        theta, phi = player.init(jax.random.PRNGKey(2 * seed)), player.init(jax.random.PRNGKey(2 * seed + 1))
        assert float(hidden.lyapunov_derivative(game, target, theta, phi)) < 0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: hidden.mlp_player([2, 3], jnp.ones((1, 2)), head="tanh"), "head must be one of"),
        (lambda: hidden.mlp_player([2, 3], jnp.ones((1, 3))), r"inputs must have shape \(n, 2\)"),
        (lambda: hidden.mlp_player([2, 3], jnp.ones((1, 2)), head="sigmoid"), "sigmoid head needs a last layer of size 1"),
        (lambda: hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization=-1.0),
         "regularization must be a finite number >= 0"),
        (lambda: hidden.matrix_game(jnp.ones(3), jax.nn.softmax, jax.nn.softmax), "matrix must be a 2-D array"),
        (lambda: hidden.rock_paper_scissors(hidden.mlp_player([1, 2], jnp.ones((1, 1)), head="softmax"), jax.nn.softmax),
         "player_x must output distributions over 3 actions"),
        (lambda: hidden.finite_gan(jax.nn.softmax, jax.nn.sigmoid, [0.5, 0.6]), "data_weights must be"),
        (lambda: hidden.solve_output_game(lambda F, G: F * G, 0.0, 0.0, step_size=0.0), "step_size must be"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()

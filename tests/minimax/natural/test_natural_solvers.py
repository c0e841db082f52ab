import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.flatten_util import ravel_pytree

from minimax import hidden, natural, runner


def _setup(n=4, sizes=(2, 8, 8, 3), head="softmax", seed=0):
    inputs = jax.random.normal(jax.random.PRNGKey(seed), (n, sizes[0]))
    player = hidden.mlp_player(sizes, inputs, head=head)
    params = player.init(jax.random.PRNGKey(seed + 1))
    flat, unravel = ravel_pytree(params)
    grad = unravel(jax.random.normal(jax.random.PRNGKey(seed + 2), flat.shape))
    return player, params, grad


def _flat(tree):
    return np.asarray(ravel_pytree(tree)[0], dtype=np.float64)


def _rel(a, b):
    return np.linalg.norm(_flat(a) - _flat(b)) / np.linalg.norm(_flat(b))


def test_dense_reference_solves_the_damped_system():
    player, params, grad = _setup()
    A = np.asarray(natural.metric_matrix(player.apply, params, scale=0.2), np.float64)
    v = _flat(natural.dense_direction(player.apply, params, grad, damping=0.1, scale=0.2))
    np.testing.assert_allclose((A + 0.1 * np.eye(len(v))) @ v, _flat(grad), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("damping", [1e-1, 1e-2])
@pytest.mark.parametrize("method", ["dual", "cg"])
def test_dual_and_cg_agree_with_the_dense_reference(method, damping):
    player, params, grad = _setup()
    reference = natural.dense_direction(player.apply, params, grad, damping=damping, scale=0.2)
    options = {"maxiter": 500, "tol": 1e-7} if method == "cg" else {}
    direction = natural.natural_direction(method, player, params, grad, damping=damping, scale=0.2, **options)
    assert _rel(direction, reference) < 2e-3


def test_pushthrough_equals_the_natural_direction_of_the_payoff_gradient():
    player, params, _ = _setup()
    cotangent = jax.random.normal(jax.random.PRNGKey(7), (4, 3))
    (grad,) = jax.vjp(player.apply, params)[1](cotangent)
    for damping in (1e-1, 1e-2):
        reference = natural.dense_direction(player.apply, params, grad, damping=damping, scale=0.2)
        pushed = natural.pushthrough_direction(player.apply, params, cotangent, damping=damping, scale=0.2)
        assert _rel(pushed, reference) < 2e-3


def test_undamped_pushthrough_moves_the_outputs_along_the_cotangent():
    player, params, _ = _setup(n=4, sizes=(2, 8, 8, 1), head="identity")
    cotangent = jax.random.normal(jax.random.PRNGKey(7), (4, 1))
    v = natural.pushthrough_direction(player.apply, params, cotangent, damping=0.0, scale=0.25)
    _, moved = jax.jvp(player.apply, (params,), (v,))
    np.testing.assert_allclose(moved, cotangent / 0.25, rtol=2e-3, atol=2e-3)


def test_pseudo_inverse_dense_and_dual_agree_when_overparametrized():
    player, params, _ = _setup(n=4, sizes=(2, 8, 8, 1), head="identity")
    cotangent = jax.random.normal(jax.random.PRNGKey(9), (4, 1))
    (grad,) = jax.vjp(player.apply, params)[1](cotangent)
    dense = natural.dense_direction(player.apply, params, grad, damping=0.0, rcond=1e-5)
    dual = natural.dual_direction(player.apply, params, grad, damping=0.0, rcond=1e-5)
    pushed = natural.pushthrough_direction(player.apply, params, cotangent, damping=0.0)
    assert _rel(dual, dense) < 1e-2 and _rel(pushed, dense) < 1e-2


def test_kfac_is_exact_for_one_input_and_one_layer():
    player, params, grad = _setup(n=1, sizes=(3, 4), head="softmax")
    reference = natural.dense_direction(player.apply, params, grad, damping=1e-2)
    assert _rel(natural.kfac_direction(player, params, grad, damping=1e-2), reference) < 1e-3


def test_kfac_is_the_exact_block_diagonal_for_one_input():
    player, params, grad = _setup(n=1, sizes=(2, 8, 8, 3), head="softmax")
    layer_ids = _flat([{"b": jnp.full(layer["b"].shape, i), "w": jnp.full(layer["w"].shape, i)}
                       for i, layer in enumerate(params)])
    A = np.asarray(natural.metric_matrix(player.apply, params), np.float64)
    blocks = np.where(layer_ids[:, None] == layer_ids[None, :], A, 0.0)
    expected = np.linalg.solve(blocks + 1e-2 * np.eye(len(A)), _flat(grad))
    direction = _flat(natural.kfac_direction(player, params, grad, damping=1e-2))
    assert np.linalg.norm(direction - expected) / np.linalg.norm(expected) < 1e-3


def test_kfac_is_an_approximation_for_many_inputs():
    player, params, grad = _setup()
    reference = natural.dense_direction(player.apply, params, grad, damping=1e-2, scale=1 / 4)
    error = _rel(natural.kfac_direction(player, params, grad, damping=1e-2, scale=1 / 4), reference)
    assert 1e-3 < error < 1.0


def test_output_gram_shares_the_spectrum_of_the_metric():
    player, params, _ = _setup(n=4, sizes=(2, 8, 8, 1), head="identity")
    K = np.linalg.eigvalsh(np.asarray(natural.output_gram(player.apply, params), np.float64))
    A = np.linalg.eigvalsh(np.asarray(natural.metric_matrix(player.apply, params), np.float64))
    np.testing.assert_allclose(np.sort(A)[-4:], K, rtol=1e-3)


def test_softmax_outputs_are_rank_deficient_but_span_the_tangent_space():
    player, params, _ = _setup()
    assert abs(float(natural.smallest_gram_eigenvalue(player.apply, params))) < 1e-5
    basis = natural.simplex_tangent_basis(4, 3)
    np.testing.assert_allclose(basis.T @ basis, np.eye(8), atol=1e-6)
    assert float(natural.smallest_gram_eigenvalue(player.apply, params, restrict_to=basis)) > 1e-3


def test_precondition_transform_and_natural_gda_step():
    player, params, grad = _setup()
    transform = natural.precondition(player, "dense", damping=0.1, scale=0.25)
    update, _ = transform.update(grad, transform.init(params), params)
    assert _rel(update, natural.dense_direction(player.apply, params, grad, 0.1, 0.25)) < 1e-6

    game = hidden.rock_paper_scissors(player, player, regularization=1.0)
    scheme = natural.natural_gda(game, 0.1, method="dense", damping=0.1)
    x, y = player.init(jax.random.PRNGKey(5)), player.init(jax.random.PRNGKey(6))
    state = scheme.step(hidden.as_game(game), scheme.init(x, y), None)
    grad_x = jax.grad(lambda a: hidden.payoff(game, a, y))(x)
    expected = optax.apply_updates(x, jax.tree_util.tree_map(lambda d: -0.1 * d,
                                   natural.dense_direction(player.apply, x, grad_x, 0.1, 0.25)))
    assert _rel(state.x, expected) < 1e-5


def test_natural_gda_sweep_decreases_the_lyapunov_function():
    inputs = jnp.ones((1, 1))
    player = hidden.mlp_player([1, 8, 3], inputs, head="softmax")
    game = hidden.rock_paper_scissors(player, player, regularization=1.0)
    target = hidden.matrix_game_target(hidden.RPS, regularization=1.0)
    result = runner.sweep(hidden.as_game(game), _make_natural_gda, lambda k: (player.init(k), player.init(k + 1)),
                          runner.grid(learning_rate=[0.05], seed=[0, 1]), num_steps=200, log_every=50,
                          metrics=hidden.lyapunov_metric(game, target))
    V = np.asarray(result.metrics["V"])
    assert np.all(V[:, -1] < 0.1 * V[:, 0])



def _make_natural_gda(learning_rate):
    player = hidden.mlp_player([1, 8, 3], jnp.ones((1, 1)), head="softmax")
    return natural.natural_gda(hidden.rock_paper_scissors(player, player, 1.0), learning_rate, damping=1e-3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: natural.natural_direction("exact", jnp.sin, jnp.ones(2), jnp.ones(2)), "method must be one of"),
        (lambda: natural.dense_direction(jnp.sin, jnp.ones(2), jnp.ones(2), damping=-1.0), "damping must be"),
        (lambda: natural.precondition(jnp.sin, "kfac"), "method='kfac' needs an MLPPlayer"),
        (lambda: natural.cg_direction(jnp.sin, jnp.ones(2), jnp.ones(2), maxiter=0), "maxiter must be an integer"),
        (lambda: natural.dual_direction(jnp.sin, jnp.ones(2), jnp.ones(2), scale=0.0), "scale must be"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_natural_extragradient_takes_the_metric_at_the_look_ahead_point():
    player, _, _ = _setup()
    game = hidden.rock_paper_scissors(player, player, regularization=1.0)
    x, y = player.init(jax.random.PRNGKey(5)), player.init(jax.random.PRNGKey(6))
    scheme = natural.natural_extragradient(game, 0.1, method="dense", damping=0.1)
    state = scheme.step(hidden.as_game(game), scheme.init(x, y), None)
    step = lambda p, g: jax.tree_util.tree_map(lambda a, d: a - 0.1 * d, p,
                                               natural.dense_direction(player.apply, p, g, 0.1, 0.25))
    gx, gy = jax.grad(lambda a, b: hidden.payoff(game, a, b), argnums=(0, 1))(x, y)
    x_half, y_half = step(x, gx), step(y, jax.tree_util.tree_map(jnp.negative, gy))
    gx, gy = jax.grad(lambda a, b: hidden.payoff(game, a, b), argnums=(0, 1))(x_half, y_half)
    expected_x = jax.tree_util.tree_map(lambda a, d: a - 0.1 * d, x,
                                        natural.dense_direction(player.apply, x_half, gx, 0.1, 0.25))
    assert _rel(state.x, expected_x) < 1e-5

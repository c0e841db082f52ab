import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from minimax import rules


def gradients(num_steps, seed=0):
    """A deterministic stream of gradient pytrees with two leaves of different scales."""
    keys = jax.random.split(jax.random.PRNGKey(seed), num_steps)
    return [{"w": jax.random.normal(k, (3, 2)), "b": 10.0 * jax.random.normal(k, (2,))} for k in keys]


def apply_rule(rule, stream):
    params = jax.tree_util.tree_map(jnp.zeros_like, stream[0])
    state = rule.init(params)
    updates = []
    for grad in stream:
        update, state = rule.update(grad, state, params)
        params = optax.apply_updates(params, update)
        updates.append(update)
    return params, updates


def adam_reference(stream, eta, b1, b2, eps):
    """Kingma and Ba (2015), Algorithm 1, in float64 NumPy: the update u_t of every step, leaf by leaf."""
    m = {name: 0.0 for name in stream[0]}
    v = dict(m)
    updates = []
    for t, grad in enumerate(stream, start=1):
        update = {}
        for name, g in grad.items():
            g = np.asarray(g, np.float64)
            m[name] = b1 * m[name] + (1 - b1) * g
            v[name] = b2 * v[name] + (1 - b2) * g**2
            update[name] = -eta * (m[name] / (1 - b1**t)) / (np.sqrt(v[name] / (1 - b2**t)) + eps)
        updates.append(update)
    return updates


def test_adam_follows_the_papers_equations_over_many_steps():
    # Non-default decays, and eps large enough (next to sqrt(v_hat) ~ 1 to 10) that its place counts.
    eta, b1, b2, eps = 1e-2, 0.5, 0.9, 1e-3
    stream = gradients(50)
    _, updates = apply_rule(rules.adam(eta, b1=b1, b2=b2, eps=eps), stream)
    for t, (update, expected) in enumerate(zip(updates, adam_reference(stream, eta, b1, b2, eps)), start=1):
        for name in expected:
            np.testing.assert_allclose(update[name], expected[name], rtol=1e-5, atol=1e-9, err_msg=f"step {t}")


def test_sgd_negative_momentum_is_heavy_ball():
    """z_{t+1} = z_t - eta g_t + beta (z_t - z_{t-1})."""
    eta, beta = 0.1, -0.5
    stream = [jnp.array([float(t), 1.0]) for t in range(1, 6)]
    _, updates = apply_rule(rules.sgd(eta, momentum=beta), stream)
    previous = jnp.zeros(2)
    for grad, update in zip(stream, updates):
        np.testing.assert_allclose(update, -eta * grad + beta * previous, rtol=1e-6)
        previous = update


def test_global_normalized_sgda_steps_have_length_eta():
    _, updates = apply_rule(rules.normalized_sgda(0.3), gradients(5))
    for update in updates:
        assert float(optax.tree.norm(update)) == pytest.approx(0.3, rel=1e-5)


def test_layerwise_normalized_sgda_moves_every_layer_by_eta():
    _, updates = apply_rule(rules.normalized_sgda(0.3, layerwise=True), gradients(5))
    for update in updates:
        for leaf in jax.tree_util.tree_leaves(update):
            assert float(jnp.linalg.norm(leaf)) == pytest.approx(0.3, rel=1e-5)


def test_normalized_sgda_points_against_the_gradient():
    grad = {"w": jnp.ones((3, 2)), "b": jnp.arange(2.0)}
    _, (update,) = apply_rule(rules.normalized_sgda(1.0), [grad])
    cosine = -sum(jnp.vdot(u, g) for u, g in zip(jax.tree_util.tree_leaves(update), jax.tree_util.tree_leaves(grad)))
    assert float(cosine / optax.tree.norm(grad)) == pytest.approx(1.0, rel=1e-5)


def directions_and_norms(updates):
    flat = [jnp.concatenate([leaf.ravel() for leaf in jax.tree_util.tree_leaves(u)]) for u in updates]
    return [f / jnp.linalg.norm(f) for f in flat], [jnp.linalg.norm(f) for f in flat]


def test_adalr_has_adams_norm_and_the_momentum_direction():
    stream = gradients(20)
    _, adam_updates = apply_rule(rules.adam(1e-2), stream)
    _, momentum_updates = apply_rule(optax.chain(optax.ema(0.9, debias=False), optax.scale(-1.0)), stream)
    _, adalr_updates = apply_rule(rules.adalr(1e-2), stream)
    adalr_dirs, adalr_norms = directions_and_norms(adalr_updates)
    momentum_dirs, _ = directions_and_norms(momentum_updates)
    _, adam_norms = directions_and_norms(adam_updates)
    for d, m, n, a in zip(adalr_dirs, momentum_dirs, adalr_norms, adam_norms):
        np.testing.assert_allclose(d, m, atol=1e-5)
        assert float(n) == pytest.approx(float(a), rel=1e-5)


def test_adadir_has_the_momentum_norm_and_adams_direction():
    stream = gradients(20)
    _, adam_updates = apply_rule(rules.adam(1.0), stream)
    _, momentum_updates = apply_rule(optax.chain(optax.ema(0.9, debias=False), optax.scale(-0.1)), stream)
    _, adadir_updates = apply_rule(rules.adadir(0.1), stream)
    adadir_dirs, adadir_norms = directions_and_norms(adadir_updates)
    adam_dirs, _ = directions_and_norms(adam_updates)
    _, momentum_norms = directions_and_norms(momentum_updates)
    for d, a, n, m in zip(adadir_dirs, adam_dirs, adadir_norms, momentum_norms):
        np.testing.assert_allclose(d, a, atol=1e-5)
        assert float(n) == pytest.approx(float(m), rel=1e-5)


def test_graft_of_a_rule_with_itself_is_the_rule():
    stream = gradients(10)
    _, direct = apply_rule(rules.adam(1e-2), stream)
    _, grafted = apply_rule(rules.graft(rules.adam(1e-2), rules.adam(1e-2)), stream)
    for a, b in zip(jax.tree_util.tree_leaves(direct), jax.tree_util.tree_leaves(grafted)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


def test_layerwise_graft_matches_norms_per_leaf():
    stream = gradients(5)
    _, grafted = apply_rule(rules.graft(rules.adam(1e-2), rules.sgd(1.0), layerwise=True), stream)
    _, adam_updates = apply_rule(rules.adam(1e-2), stream)
    for g, a in zip(grafted, adam_updates):
        for g_leaf, a_leaf in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(a)):
            assert float(jnp.linalg.norm(g_leaf)) == pytest.approx(float(jnp.linalg.norm(a_leaf)), rel=1e-5)


def test_rules_accept_traced_hyperparameters():
    def first_update(learning_rate):
        rule = rules.normalized_sgda(learning_rate)
        return rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))[0]

    np.testing.assert_allclose(jax.vmap(first_update)(jnp.array([1.0, 2.0])), [[-0.6, -0.8], [-1.2, -1.6]], rtol=1e-6)



@pytest.mark.parametrize("index", [0, 1, 2, 2.0])
def test_select_behaves_as_the_chosen_rule_alone(index):
    stream = gradients(6)
    options = [rules.sgd(0.1, momentum=0.5), rules.adam(1e-2), rules.normalized_sgda(0.3, layerwise=True)]
    _, selected = apply_rule(rules.select(options, index), stream)
    _, alone = apply_rule(options[int(index)], stream)
    for s, a in zip(selected, alone):
        for s_leaf, a_leaf in zip(jax.tree_util.tree_leaves(s), jax.tree_util.tree_leaves(a)):
            np.testing.assert_allclose(s_leaf, a_leaf, rtol=1e-6)


def test_select_index_can_be_traced():
    def first_update(index):
        rule = rules.select([rules.sgd(0.1), rules.normalized_sgda(1.0)], index)
        return rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))[0]

    np.testing.assert_allclose(jax.vmap(first_update)(jnp.array([0.0, 1.0])), [[-0.3, -0.4], [-0.6, -0.8]], rtol=1e-5)

@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rules.sgd(0.0), r"learning_rate must be a finite number > 0 or a schedule.*; got 0.0"),
        (lambda: rules.sgd(-1.0), r"learning_rate must be a finite number > 0"),
        (lambda: rules.sgd(float("nan")), r"learning_rate must be a finite number > 0"),
        (lambda: rules.sgd(0.1, momentum=1.0), r"momentum must lie in the open interval \(-1, 1\); got 1.0"),
        (lambda: rules.sgd(0.1, momentum=-1.5), r"momentum must lie in the open interval \(-1, 1\)"),
        (lambda: rules.normalized_sgda(0.1, momentum=2.0), r"momentum must lie in the open interval"),
        (lambda: rules.adam(0.1, b2=1.0), r"b2 must lie in \[0, 1\); got 1.0"),
        (lambda: rules.make_rule("adagrad", learning_rate=0.1), r"rule must be one of 'sgd', 'adam'.*got 'adagrad'"),
        (lambda: rules.select([], 0), r"options must be a non-empty sequence of optax.GradientTransformation; got \(\)"),
        (lambda: rules.select([rules.sgd(0.1), rules.adam(0.1)], 2), r"index must be an integer from 0 to 1 \(one of the 2 options\); got 2"),
        (lambda: rules.select([rules.sgd(0.1), rules.adam(0.1)], -1), r"index must be an integer from 0 to 1.*got -1"),
        (lambda: rules.select([rules.sgd(0.1), rules.adam(0.1)], 0.5), r"index must be an integer from 0 to 1.*got 0.5"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("make", [rules.sgd, rules.adam, rules.normalized_sgda, rules.adalr, rules.adadir])
def test_a_constant_schedule_is_the_step_size_and_a_decaying_one_decays(make):
    gradient = jnp.array([3.0, -4.0])

    def updates(rule, steps=3):
        state, out = rule.init(jnp.zeros(2)), []
        for _ in range(steps):
            update, state = rule.update(gradient, state, jnp.zeros(2))
            out.append(update)
        return jnp.stack(out)

    constant = updates(make(optax.constant_schedule(0.1)))
    assert jnp.allclose(constant, updates(make(0.1)), rtol=1e-6, atol=0)
    halving = updates(make(optax.exponential_decay(0.1, transition_steps=1, decay_rate=0.5)))
    # The same rule, its t-th step scaled by 0.5^t: the schedule multiplies the update of every rule here.
    assert jnp.allclose(halving, constant * jnp.array([1.0, 0.5, 0.25])[:, None], rtol=1e-5)


def test_global_normalization_is_optax_normalize_by_update_norm():
    tree = {"w": jnp.array([[3.0, 0.0], [0.0, 4.0]]), "b": jnp.array([12.0])}
    ours, _ = rules.normalize().update(tree, rules.normalize().init(tree))
    theirs, _ = optax.normalize_by_update_norm(eps=1e-8).update(tree, optax.EmptyState())
    assert all(jnp.array_equal(ours[k], theirs[k]) for k in tree)
    assert float(optax.tree.norm(ours)) == pytest.approx(1.0)
    layerwise, state = rules.normalize(layerwise=True).update(tree, rules.normalize(layerwise=True).init(tree))
    assert [float(jnp.linalg.norm(layerwise[k])) for k in ("w", "b")] == [pytest.approx(1.0)] * 2
    assert isinstance(state, optax.EmptyState)

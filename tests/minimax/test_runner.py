import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, metrics, rules, runner, schemes

GAME = games.bilinear(jnp.array([[1.0, 0.5], [0.0, 2.0]]))


def random_start(key):
    key_x, key_y = jax.random.split(key)
    return jax.random.normal(key_x, (2,)), jax.random.normal(key_y, (2,))


def make_extra_momentum(learning_rate, momentum):
    return schemes.extragradient(rules.sgd(learning_rate, momentum=momentum))


def test_log_schedule_includes_the_start():
    result = runner.run(GAME, schemes.simultaneous(rules.sgd(0.1)), jnp.ones(2), jnp.ones(2), num_steps=12, log_every=4)
    np.testing.assert_array_equal(result.steps, [0, 4, 8, 12])
    assert result.metrics["field_norm"].shape == (4,)
    assert int(result.final.step) == 12


def test_sweep_equals_the_runs_one_by_one():
    points = runner.grid(learning_rate=[0.05, 0.2, 0.4], momentum=[-0.3, 0.0], seed=[0, 7])
    swept = runner.sweep(GAME, make_extra_momentum, random_start, points, num_steps=30, log_every=5,
                         metrics=metrics.field_norm_and_distance)
    for index in range(points.size):
        point = points.point(index)
        key = jax.random.PRNGKey(point["seed"])
        init_key, run_key = jax.random.split(key)
        single = runner.run(GAME, make_extra_momentum(point["learning_rate"], point["momentum"]), *random_start(init_key),
                            num_steps=30, key=run_key, log_every=5, metrics=metrics.field_norm_and_distance)
        for name in ("field_norm", "distance"):
            np.testing.assert_allclose(swept.metrics[name][index], single.metrics[name], rtol=2e-5, atol=1e-7)
    assert points.unflatten(swept.metrics["distance"]).shape == (3, 2, 2, 7)



def test_on_grid_restores_the_axes_of_the_grid():
    points = runner.grid(learning_rate=[0.1, 0.2, 100.0], seed=[0, 1])
    flat = runner.sweep(GAME, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), random_start, points,
                        num_steps=20, log_every=5)
    shaped = flat.on_grid(points)
    assert shaped.metrics["field_norm"].shape == (3, 2, 5) and shaped.final.x.shape == (3, 2, 2)
    np.testing.assert_array_equal(shaped.metrics["field_norm"][1, 0], flat.metrics["field_norm"][2])
    np.testing.assert_array_equal(shaped.final.y[2, 1], flat.final.y[5])
    np.testing.assert_array_equal(shaped.diverged, [[False, False], [False, False], [True, True]])
    with pytest.raises(ValueError, match=r"points must be the grid this result was swept on.*shape \(2,\)"):
        flat.on_grid(runner.grid(learning_rate=[0.1, 0.2]))

def test_same_seed_same_arrays_and_different_seed_different_arrays():
    points = runner.grid(learning_rate=[0.1], seed=[3, 3, 4])
    result = runner.sweep(GAME, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), random_start, points,
                          num_steps=10)
    np.testing.assert_array_equal(result.metrics["field_norm"][0], result.metrics["field_norm"][1])
    assert not np.array_equal(result.metrics["field_norm"][0], result.metrics["field_norm"][2])
    again = runner.sweep(GAME, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), random_start, points,
                         num_steps=10)
    np.testing.assert_array_equal(result.metrics["field_norm"], again.metrics["field_norm"])


def test_divergence_is_recorded_and_the_sweep_goes_on():
    points = runner.grid(learning_rate=[0.1, 100.0])
    result = runner.sweep(GAME, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), random_start, points,
                          num_steps=60, log_every=2, metrics=metrics.distance_to_origin)
    diverged_at = np.asarray(result.diverged_at)
    assert diverged_at[0] == -1 and 0 < diverged_at[1] <= 60
    assert np.all(np.isfinite(result.metrics["distance"][0]))
    logged_after = result.steps >= diverged_at[1]
    assert np.all(np.isnan(result.metrics["distance"][1][logged_after]))
    assert np.all(np.isfinite(result.metrics["distance"][1][~logged_after]))
    assert np.all(np.isfinite(result.final.x[1])), "the state is frozen at the last finite iterate"


def test_stochastic_games_use_the_key():
    noisy = games.zero_sum(lambda x, y, batch: x * y + batch * x, sample=lambda key: jax.random.normal(key))
    scheme = schemes.simultaneous(rules.sgd(0.1))
    a = runner.run(noisy, scheme, 1.0, 1.0, num_steps=5, key=0, metrics=metrics.iterates)
    b = runner.run(noisy, scheme, 1.0, 1.0, num_steps=5, key=0, metrics=metrics.iterates)
    c = runner.run(noisy, scheme, 1.0, 1.0, num_steps=5, key=1, metrics=metrics.iterates)
    np.testing.assert_array_equal(a.metrics["x"], b.metrics["x"])
    assert not np.array_equal(a.metrics["x"], c.metrics["x"])


def test_sharded_sweep_equals_unsharded(run_with_host_devices):
    """Four virtual CPU devices (XLA flag) in a fresh process: the sharded sweep gives the same numbers."""
    code = textwrap.dedent(
        """
        import jax, jax.numpy as jnp, numpy as np
        from minimax import games, rules, runner, schemes
        game = games.bilinear(jnp.eye(2))
        init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
        points = runner.grid(learning_rate=[0.1, 0.2, 0.3], seed=[0, 1])
        make = lambda learning_rate: schemes.optimistic(rules.sgd(learning_rate))
        result = runner.sweep(game, make, init, points, num_steps=20)
        print(jax.device_count())
        np.save(__import__("sys").argv[1], np.asarray(result.metrics["field_norm"]))
        """
    )
    outputs = {devices: run_with_host_devices(code, devices) for devices in (1, 4)}
    np.testing.assert_allclose(outputs[4], outputs[1], rtol=1e-6)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: runner.run(GAME, schemes.simultaneous(rules.sgd(0.1)), jnp.ones(2), jnp.ones(2), num_steps=0),
         r"num_steps must be an integer >= 1; got 0"),
        (lambda: runner.run(GAME, schemes.simultaneous(rules.sgd(0.1)), jnp.ones(2), jnp.ones(2), num_steps=10, log_every=3),
         r"num_steps must be a multiple of log_every=3; got num_steps=10"),
        (lambda: runner.run(GAME, schemes.simultaneous(rules.sgd(0.1)), jnp.array([1.0, jnp.nan]), jnp.ones(2), num_steps=5),
         r"x0 must be finite everywhere"),
        (lambda: runner.run(GAME, schemes.simultaneous(rules.sgd(0.1)), jnp.ones(3), jnp.ones(2), num_steps=5),
         r"x0 and y0 \(shapes \(3,\) and \(2,\)\) do not fit the game"),
        (lambda: runner.sweep(GAME, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), random_start,
                              runner.grid(learning_rate=[0.1, -0.2]), num_steps=5),
         r"learning_rate must be a finite number > 0 or a schedule.*; got -0.2"),
        (lambda: runner.sweep(GAME, make_extra_momentum, random_start,
                              runner.grid(learning_rate=[0.1], momentum=[0.5, 1.0]), num_steps=5),
         r"momentum must lie in the open interval \(-1, 1\); got 1.0"),
        (lambda: runner.grid(), r"grid needs at least one axis"),
        (lambda: runner.grid(learning_rate=[]), r"grid axis learning_rate must be a non-empty 1-D sequence"),
    ],
)
def test_bad_input_raises_before_compiling(call, message):
    with pytest.raises(ValueError, match=message):
        call()

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from minimax import games, metrics, rules, runner, schemes, studies


@pytest.fixture(scope="module")
def sweep():
    init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
    return studies.step_size_sweep(games.bilinear(jnp.eye(2)), schemes.from_rule(rules.sgd, schemes.extragradient),
                                   init, [0.1, 0.7, 1.5], seeds=[3, 4], num_steps=200, log_every=40,
                                   metrics=metrics.distance_to_origin)


def test_the_sweep_is_the_runner_sweep_on_its_grid(sweep):
    init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
    points = runner.grid(learning_rate=[0.1, 0.7, 1.5], seed=[3, 4])
    direct = runner.sweep(games.bilinear(jnp.eye(2)), lambda learning_rate: schemes.extragradient(rules.sgd(learning_rate)),
                          init, points, num_steps=200, log_every=40, metrics=metrics.distance_to_origin).on_grid(points)
    np.testing.assert_array_equal(sweep.metrics["distance"], direct.metrics["distance"])
    np.testing.assert_array_equal(sweep.final.x, direct.final.x)
    assert sweep.etas.tolist() == [0.1, 0.7, 1.5] and sweep.steps.tolist() == [0, 40, 80, 120, 160, 200]
    assert sweep.diverged.tolist() == [[False, False], [False, False], [True, True]]


def test_final_score_averages_the_last_logs_and_scores_a_diverged_run_as_asked(sweep):
    distance = sweep.metrics["distance"]
    np.testing.assert_allclose(sweep.final_score("distance", 2)[:2], distance[:2, :, -2:].mean(axis=-1))
    assert sweep.final_score("distance")[2].tolist() == [0.0, 0.0]
    assert np.isinf(sweep.final_score("distance", diverged=np.inf)[2]).all()
    with pytest.raises(KeyError, match=r"no metric 'modes' in this sweep; it logged \['distance'\]"):
        sweep.final_score("modes")


def test_at_is_one_run_final_state(sweep):
    np.testing.assert_array_equal(sweep.at(1, 0).x, sweep.final.x[1, 0])
    for index in ((3, 0), (0, 2), (True, 0), (0.5, 0)):
        with pytest.raises(IndexError, match="must be an integer in"):
            sweep.at(*index)


def test_the_best_step_size_has_the_highest_mean_and_ties_go_to_the_tie_break():
    scores = np.array([[8.0, 6.0], [7.0, 7.0], [2.0, 3.0]])
    assert studies.best_step_size_index(scores) in (0, 1)
    assert studies.best_step_size_index(scores, tie_break=np.array([[0.1, 0.1], [0.2, 0.2], [0.9, 0.9]])) == 1
    assert studies.best_step_size_index(scores, tie_break=np.array([[0.3, 0.3], [0.2, 0.2], [0.9, 0.9]])) == 0
    assert studies.best_step_size_index(np.array([[1.0], [5.0], [2.0]])) == 1


@pytest.mark.parametrize("scores, tie_break, message", [
    (np.zeros(3), None, r"axes \(step size, seed\), got shape \(3,\)"),
    (np.zeros((0, 2)), None, "got shape"),
    (np.zeros((3, 2)), np.zeros((3, 1)), "tie_break must have the shape of scores"),
])
def test_bad_scores(scores, tie_break, message):
    with pytest.raises(ValueError, match=message):
        studies.best_step_size_index(scores, tie_break)


def test_the_default_metric_is_the_runner_s_field_norm():
    init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
    sweep = studies.step_size_sweep(games.bilinear(jnp.eye(2)), schemes.from_rule(rules.sgd), init, [0.1], seeds=[0],
                                    num_steps=4)
    assert list(sweep.metrics) == ["field_norm"] and sweep.metrics["field_norm"].shape == (1, 1, 5)


def test_the_choice_is_made_on_tuning_seeds_only_and_scored_on_the_others():
    # Seeds 0-1 prefer step size 0, seeds 2-3 step size 2: the choice must follow the tuning seeds.
    scores = np.array([[9.0, 9.0, 1.0, 1.0], [5.0, 5.0, 5.0, 5.0], [1.0, 1.0, 9.0, 9.0]])
    choice = studies.choose_on_tuning_seeds(scores, num_tuning=2)
    assert choice.index == 0 and choice.scores.tolist() == [1.0, 1.0]
    assert choice.tuning.tolist() == [0, 1] and choice.scoring.tolist() == [2, 3]
    assert (choice.interior, choice.edge, choice.bracketed) == (False, "smallest", False)
    assert studies.choose_on_tuning_seeds(scores[::-1], num_tuning=2).edge == "largest"


def test_a_choice_at_the_largest_stable_step_size_is_bracketed_by_divergence():
    scores = np.array([[1.0, 1.0, 1.0], [3.0, 3.0, 3.0], [0.0, 0.0, 0.0]])
    diverged = np.array([[False] * 3, [False] * 3, [True, False, False]])
    choice = studies.choose_on_tuning_seeds(scores, num_tuning=1, diverged=diverged)
    assert choice.interior and choice.divergence_boundary and choice.bracketed
    top = studies.choose_on_tuning_seeds(scores[:2], num_tuning=1, diverged=diverged[:2])
    assert top.edge == "largest" and not top.divergence_boundary and not top.bracketed


@pytest.mark.parametrize("num_tuning, match", [(4, "leave at least one seed"), (0, "num_tuning")])
def test_the_choice_needs_seeds_on_both_sides(num_tuning, match):
    with pytest.raises(ValueError, match=match):
        studies.choose_on_tuning_seeds(np.ones((3, 4)), num_tuning=num_tuning)


def test_methods_in_one_sweep_match_each_method_alone():
    init = lambda key: (jax.random.normal(key, (2,)), jnp.ones(2))
    game = games.bilinear(jnp.eye(2))
    two_timescale = lambda eta: (rules.sgd(eta), rules.sgd(4 * eta))            # a pair: one rule per player
    together = studies.methods_sweep(game, schemes.simultaneous, {"gda": rules.sgd, "two_timescale": two_timescale},
                                     {"gda": [0.01, 0.02], "two_timescale": [0.005, 0.01]}, init, seeds=[0, 1],
                                     num_steps=50, log_every=25, metrics=metrics.distance_to_origin)
    alone = studies.step_size_sweep(game, lambda learning_rate: schemes.simultaneous(*two_timescale(learning_rate)),
                                    init, [0.005, 0.01],
                                    seeds=[0, 1], num_steps=50, log_every=25, metrics=metrics.distance_to_origin)
    np.testing.assert_allclose(together["two_timescale"].metrics["distance"], alone.metrics["distance"], rtol=1e-6)
    assert together["gda"].etas.tolist() == [0.01, 0.02] and together["gda"].diverged.shape == (2, 2)


def test_methods_sweep_needs_one_grid_length_and_the_same_names():
    init = lambda key: (jnp.ones(1), jnp.ones(1))
    game = games.bilinear(jnp.eye(1))
    with pytest.raises(ValueError, match="same length"):
        studies.methods_sweep(game, schemes.simultaneous, {"a": rules.sgd, "b": rules.sgd}, {"a": [0.1], "b": [0.1, 0.2]},
                              init, seeds=[0], num_steps=2)
    with pytest.raises(ValueError, match="same methods"):
        studies.methods_sweep(game, schemes.simultaneous, {"a": rules.sgd}, {"b": [0.1]}, init, seeds=[0], num_steps=2)


def test_the_best_block_has_the_largest_sum_over_every_start():
    scores = np.random.default_rng(0).random((6, 5))
    choice = studies.best_block(scores, 2)
    i, j = choice.start
    sums = [scores[a:a + 2, b:b + 2].sum() for a in range(5) for b in range(4)]
    assert scores[i:i + 2, j:j + 2].sum() == max(sums)
    assert choice.at_edge == (i in (0, 4) or j in (0, 3))


def test_ties_go_to_the_first_block_and_the_edge_is_seen_on_any_axis():
    assert studies.best_block(np.zeros((4, 4)), 2) == studies.BlockChoice((0, 0), True)
    assert studies.best_block(np.pad([[1.0]], ((1, 1), (2, 2))), 1) == studies.BlockChoice((1, 2), False)
    assert studies.best_block(np.pad([[1.0]], ((2, 0), (1, 1))), 1).at_edge    # last row
    assert studies.best_block(np.arange(5.0), 3) == studies.BlockChoice((2,), True)


@pytest.mark.parametrize("scores, size, message", [
    (np.zeros((3, 1)), 2, "at least size = 2"),
    (np.zeros((3, 3)), 0, "size must be an integer >= 1"),
    (np.float64(1.0), 1, "at least size"),
])
def test_bad_block_searches(scores, size, message):
    with pytest.raises(ValueError, match=message):
        studies.best_block(scores, size)


def test_the_widened_block_reaches_out_and_stops_at_the_grid_ends():
    grid = list(range(8))
    assert studies.widened_block(grid, 3, 2, 1) == [2, 3, 4, 5]
    assert studies.widened_block(grid, 0, 2, 2) == [0, 1, 2, 3]
    assert studies.widened_block(grid, 6, 2, 3) == [3, 4, 5, 6, 7]
    with pytest.raises(ValueError, match="does not fit"):
        studies.widened_block(grid, 7, 2, 0)
    with pytest.raises(ValueError, match="reach must be an integer >= 0"):
        studies.widened_block(grid, 0, 2, -1)

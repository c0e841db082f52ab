"""The schemes' iterates on bilinear games against the closed forms of facts.md section 2."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from minimax import bilinear_theory as theory
from minimax import games, metrics, rules, runner, schemes

SCALAR_GAME = games.bilinear(jnp.eye(1))
START = (jnp.array([0.8]), jnp.array([-0.6]))


def distances(scheme, num_steps, game=SCALAR_GAME, start=START):
    result = runner.run(game, scheme, *start, num_steps=num_steps, metrics=metrics.distance_to_origin)
    return np.asarray(result.metrics["distance"], dtype=np.float64)


def steps_for(rate, longest=600):
    """Long enough to measure a rate, short enough for float32 (whose squares span about e^+-87): e^+-40."""
    return int(np.clip(40 / max(abs(np.log(rate)), 1e-9), 20, longest))


def late_rate(distance):
    """Geometric-mean contraction per step over the second half of a run."""
    half = len(distance) // 2
    return (distance[-1] / distance[half]) ** (1 / (len(distance) - 1 - half))


def envelope_rate(distance, matrix):
    """Contraction per step of the envelope: maxima over one rotation period, mid-run against end of run.

    Non-normal recurrences (two-timescale, momentum) trace ellipses, so the distance wobbles within each
    turn; comparing maxima over whole turns removes the wobble that a plain ratio of two points keeps.
    """
    eigenvalues = np.linalg.eigvals(matrix)
    dominant = eigenvalues[np.argmax(np.abs(eigenvalues))]
    period = int(np.ceil(2 * np.pi / max(abs(np.angle(dominant)), 1e-3)))
    last = len(distance) - 1
    window = min(period, last // 4)
    middle = last // 2
    early, late = distance[middle - window + 1 : middle + 1].max(), distance[last - window + 1 :].max()
    return (late / early) ** (1 / (last - middle))


@pytest.mark.parametrize("eta", [0.05, 0.3, 1.0])
def test_simultaneous_gda_grows_by_exactly_sqrt_one_plus_a_squared_every_step(eta):
    distance = distances(schemes.simultaneous(rules.sgd(eta)), 30)
    np.testing.assert_allclose(distance[1:] / distance[:-1], theory.simultaneous_rate(eta), rtol=1e-5)


@pytest.mark.parametrize("eta", [0.1, 0.7, 1.5, 1.95])
def test_alternating_gda_conserves_the_invariant_and_stays_bounded(eta):
    result = runner.run(SCALAR_GAME, schemes.alternating(rules.sgd(eta)), *START, num_steps=2000, metrics=metrics.iterates)
    x, y = (np.asarray(result.metrics[k][:, 0], dtype=np.float64) for k in ("x", "y"))
    invariant = x**2 + y**2 - eta * x * y
    np.testing.assert_allclose(invariant, invariant[0], rtol=2e-4)
    radius = np.hypot(x, y)
    assert radius.max() < 10 * radius[0] and radius[-1] > 0.1 * radius[0]


def test_alternating_gda_diverges_beyond_eta_sigma_two():
    distance = distances(schemes.alternating(rules.sgd(2.2)), 30)
    assert late_rate(distance) == pytest.approx(theory.alternating_rate(2.2), rel=1e-3)
    assert distance[-1] > 1e3 * distance[0]


@pytest.mark.parametrize("sigma", [0.5, 2.0])
@pytest.mark.parametrize("eta", [0.2, 0.3, 0.45, 0.55])
def test_extragradient_contracts_by_its_closed_form(eta, sigma):
    game = games.bilinear(jnp.diag(jnp.array([sigma, sigma])))
    start = (jnp.array([0.8, -0.3]), jnp.array([-0.6, 0.2]))
    distance = distances(schemes.extragradient(rules.sgd(eta)), 40, game, start)
    np.testing.assert_allclose(distance[1:] / distance[:-1], theory.extragradient_rate(eta, sigma), rtol=1e-5)


@pytest.mark.parametrize("eta, converges", [(0.5, True), (0.9, True), (1.1, False), (1.5, False)])
def test_extragradient_converges_iff_eta_sigma_below_one(eta, converges):
    distance = distances(schemes.extragradient(rules.sgd(eta)), 200)
    assert (distance[-1] < distance[0]) == converges


# eta = 1/2 is left out: the double eigenvalue there adds a factor t that a finite run cannot average away.
@pytest.mark.parametrize("eta", [0.2, 0.4, 0.48, 0.55, 0.6, 0.7])
def test_optimistic_gda_rate_and_threshold(eta):
    distance = distances(schemes.optimistic(rules.sgd(eta)), steps_for(theory.optimistic_rate(eta)))
    assert late_rate(distance) == pytest.approx(theory.optimistic_rate(eta), abs=2e-3)
    assert (distance[-1] < distance[0]) == (eta < 1 / np.sqrt(3))


def test_optimistic_with_sgd_is_the_textbook_recurrence():
    eta = 0.3
    result = runner.run(SCALAR_GAME, schemes.optimistic(rules.sgd(eta)), *START, num_steps=20, metrics=metrics.iterates)
    ours = np.stack([result.metrics["x"][:, 0], result.metrics["y"][:, 0]], axis=1)
    field = lambda z: np.array([z[1], -z[0]])  # noqa: E731  F(x, y) = (y, -x) for f = xy
    z_prev, z = None, np.array([0.8, -0.6])
    expected = [z]
    for _ in range(20):
        step = -eta * field(z) if z_prev is None else -2 * eta * field(z) + eta * field(z_prev)
        z_prev, z = z, z + step
        expected.append(z)
    np.testing.assert_allclose(ours, np.array(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("eta, beta", [(0.1, 0.5), (0.5, -0.5), (1.0, -0.3), (0.3, 0.9)])
def test_simultaneous_heavy_ball_never_converges(eta, beta):
    rate = theory.momentum_rate(eta, beta)
    distance = distances(schemes.simultaneous(rules.sgd(eta, momentum=beta)), steps_for(rate))
    measured = envelope_rate(distance, theory.momentum_iteration_matrix(eta, beta))
    assert measured >= 1 - 1e-4
    assert measured == pytest.approx(rate, rel=5e-3)


@pytest.mark.parametrize("eta, beta", [(0.5, -0.5), (1.0, -0.3), (1.8, -0.08), (1.5, -0.3), (0.5, 0.3)])
def test_alternating_momentum_matches_its_spectral_radius(eta, beta):
    rate = theory.momentum_rate(eta, beta, alternating=True)
    distance = distances(schemes.alternating(rules.sgd(eta, momentum=beta)), steps_for(rate))
    matrix = theory.momentum_iteration_matrix(eta, beta, alternating=True)
    assert envelope_rate(distance, matrix) == pytest.approx(rate, rel=5e-3)


@pytest.mark.parametrize("eta, beta", [(0.5, -0.5), (1.0, -0.3), (1.3, -0.3), (1.8, -0.08), (1.5, -0.3), (2.0, -0.1), (0.5, 0.3)])
def test_negative_momentum_converges_where_predicted(eta, beta):
    """facts.md: alternating with momentum converges (numerically) iff -1 < beta < 0 and eta*sigma < 2(1 + beta)."""
    predicted = (-1 < beta < 0) and eta < 2 * (1 + beta)
    distance = distances(schemes.alternating(rules.sgd(eta, momentum=beta)), 1000)
    assert (distance[-1] < 1e-2 * distance[0]) == predicted


@pytest.mark.parametrize("eta, gamma", [(0.1, 1.0), (0.5, 0.5), (0.3, 2.0)])
def test_consensus_and_sga_contract_by_their_closed_form(eta, gamma):
    for make in (schemes.consensus, schemes.sga):
        distance = distances(make(rules.sgd(eta), gamma=gamma), 30)
        np.testing.assert_allclose(distance[1:] / distance[:-1], theory.consensus_rate(eta, gamma), rtol=1e-5)


@pytest.mark.parametrize("eta, sigma", [(0.3, 1.5), (0.5, 1.0), (1.5, 1.0)])
def test_hamiltonian_gd_contracts_by_abs_one_minus_eta_sigma_squared(eta, sigma):
    game = games.bilinear(jnp.array([[sigma]]))
    distance = distances(schemes.hamiltonian(rules.sgd(eta)), 20, game)
    np.testing.assert_allclose(distance[1:] / distance[:-1], theory.hamiltonian_rate(eta, sigma), rtol=1e-5)


def test_anchored_optimistic_converges_sublinearly():
    """Anchoring trades the linear rate for a pull whose fading sets the pace: distance ~ C / t."""
    distance = distances(schemes.anchoring(rules.sgd(0.3), gamma=1.0), 10_000)
    assert distance[-1] < 1e-3 * distance[0]
    assert distance[1000] / distance[10_000] == pytest.approx(10.0, rel=0.02)


def test_anchored_simultaneous_gda_still_diverges():
    distance = distances(schemes.anchoring(rules.sgd(0.1), gamma=1.0, base="simultaneous"), 2000)
    assert distance[-1] > 100 * distance[0]


# Fast-growing settings (eta_x * eta_y >> 1) leave too few float32 steps to average the ellipse's wobble.
@pytest.mark.parametrize("eta_x, eta_y", [(0.1, 1.0), (0.3, 2.0), (0.05, 4.0)])
def test_two_timescale_rates(eta_x, eta_y):
    rate = np.sqrt(1 + eta_x * eta_y)
    simultaneous = distances(schemes.simultaneous(rules.sgd(eta_x), rules.sgd(eta_y)), steps_for(rate))
    matrix = np.array([[1.0, -eta_x], [eta_y, 1.0]])
    assert envelope_rate(simultaneous, matrix) == pytest.approx(rate, rel=5e-3)
    alternating = distances(schemes.alternating(rules.sgd(eta_x), rules.sgd(eta_y)), 2000)
    assert alternating.max() < 20 * alternating[0]


def test_two_timescale_alternating_diverges_when_product_exceeds_four():
    distance = distances(schemes.alternating(rules.sgd(1.0), rules.sgd(5.0)), 20)
    assert distance[-1] > 1e3 * distance[0]


@pytest.mark.parametrize("name", schemes.scheme_names())
@pytest.mark.parametrize("rule", ["sgd", "adam", "normalized_sgda", "adalr", "adadir"])
def test_every_scheme_composes_with_every_rule(name, rule):
    scheme = schemes.make_scheme(name, rules.make_rule(rule, learning_rate=0.01))
    result = runner.run(games.dirac_gan(), scheme, jnp.array(1.0), jnp.array(1.0), num_steps=20, metrics=metrics.field_norm)
    assert not bool(result.diverged)
    assert result.final.x.shape == () and int(result.final.step) == 20


def test_extra_adam_state_option_changes_the_moments():
    start = (jnp.array([0.8]), jnp.array([-0.6]))
    both = runner.run(SCALAR_GAME, schemes.extragradient(rules.adam(0.1)), *start, num_steps=5)
    second_only = runner.run(
        SCALAR_GAME, schemes.extragradient(rules.adam(0.1), extrapolation_updates_state=False), *start, num_steps=5
    )
    count = lambda state: int(state.rule_state_x[0].count)  # noqa: E731
    assert count(both.final) == 10 and count(second_only.final) == 5


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: schemes.make_scheme("gradient", rules.sgd(0.1)), r"scheme must be one of 'simultaneous'.*got 'gradient'"),
        (lambda: schemes.consensus(rules.sgd(0.1), gamma=0.0), r"gamma must be a finite number > 0; got 0.0"),
        (lambda: schemes.anchoring(rules.sgd(0.1), base="alternating"), r"base must be one of 'optimistic', 'simultaneous'"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_schemes_are_jittable_and_deterministic():
    scheme = schemes.extragradient(rules.adam(0.05))
    step = jax.jit(lambda state: scheme.step(SCALAR_GAME, state, jax.random.PRNGKey(0)))
    state = scheme.init(*START)
    a, b = step(state), step(state)
    np.testing.assert_array_equal(a.x, b.x)


def test_select_sweeps_two_schemes_in_one_program():
    def gda_or_alternating(learning_rate, alternate):
        gda = rules.sgd(learning_rate)
        return schemes.select([schemes.simultaneous(gda), schemes.alternating(gda)], alternate)

    points = runner.grid(learning_rate=[0.1, 0.3], alternate=[0.0, 1.0])
    start = lambda key: START
    result = runner.sweep(SCALAR_GAME, gda_or_alternating, start, points, num_steps=40,
                          metrics=metrics.distance_to_origin).on_grid(points)
    for i, eta in enumerate([0.1, 0.3]):
        for j, scheme in enumerate([schemes.simultaneous(rules.sgd(eta)), schemes.alternating(rules.sgd(eta))]):
            np.testing.assert_allclose(result.metrics["distance"][i, j], distances(scheme, 40), rtol=1e-5)
    # simultaneous GDA spirals out, alternating GDA stays bounded: the switch really changes the scheme
    assert result.metrics["distance"][1, 0, -1] > 1.5 > result.metrics["distance"][1, 1, -1]


def test_select_refuses_schemes_with_different_states():
    scheme = schemes.select([schemes.simultaneous(rules.sgd(0.1)), schemes.optimistic(rules.sgd(0.1))], 1)
    with pytest.raises(ValueError, match="select needs schemes that keep the same state"):
        runner.run(SCALAR_GAME, scheme, *START, num_steps=2)
    with pytest.raises(ValueError, match="options must be a non-empty sequence of schemes"):
        schemes.select([], 0)
    with pytest.raises(ValueError, match=r"index must be an integer from 0 to 1 \(one of the 2 options\); got 3.0"):
        schemes.select([schemes.simultaneous(rules.sgd(0.1)), schemes.alternating(rules.sgd(0.1))], 3.0)


def test_from_rule_builds_the_scheme_of_one_rule_for_both_players():
    game, x0, y0 = games.bilinear(jnp.eye(2)), jnp.array([1.0, -0.5]), jnp.array([0.3, 2.0])
    for make, by_hand in ((schemes.from_rule(rules.adam, b1=0.5), lambda eta: schemes.simultaneous(rules.adam(eta, b1=0.5))),
                          (schemes.from_rule(rules.sgd, schemes.alternating, momentum=-0.3),
                           lambda eta: schemes.alternating(rules.sgd(eta, momentum=-0.3)))):
        ours = runner.run(game, make(0.2), x0, y0, num_steps=7)
        reference = runner.run(game, by_hand(0.2), x0, y0, num_steps=7)
        np.testing.assert_array_equal(ours.final.x, reference.final.x)
        np.testing.assert_array_equal(ours.final.y, reference.final.y)
    with pytest.raises(TypeError, match="rule must be a rule factory"):
        schemes.from_rule(0.1)
    with pytest.raises(TypeError, match="scheme must be a scheme"):
        schemes.from_rule(rules.sgd, "simultaneous")


def test_a_rule_that_reads_the_parameters_sees_the_look_ahead_point_only_when_asked():
    # A "rule" whose update is -params: it reveals which point the second update was given.
    reveal = optax.GradientTransformation(lambda params: optax.EmptyState(),
                                          lambda updates, state, params=None: (jax.tree_util.tree_map(
                                              lambda g, p: 0.0 * g - 0.5 * p, updates, params), state))
    game = games.bilinear(jnp.eye(1))
    x0, y0 = jnp.array([2.0]), jnp.array([4.0])
    for at_look_ahead, expected in ((False, (1.0, 2.0)), (True, (1.5, 3.0))):
        scheme = schemes.extragradient(reveal, precondition_at_look_ahead=at_look_ahead)
        state = scheme.step(game, scheme.init(x0, y0), None)
        # look-ahead z½ = z0 - z0/2 = (1, 2); the second update is -z/2 at z0 (default) or at z½
        assert (float(state.x[0]), float(state.y[0])) == expected

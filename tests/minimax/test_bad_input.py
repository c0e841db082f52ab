"""Bad input to every public function of ``minimax`` fails at the call, before any tracing, with an error that
names the argument and the value (issue 13, item 5).

One row per (function, argument, bad value): the error's type (``ArgumentTypeError``, a ``TypeError`` that is also a
``ValueError``, for a value of the wrong kind; ``ValueError`` for a value out of range) and two fragments of its
message, the argument's name and the value as shown. The last tests check that valid edge inputs (NumPy scalars,
arrays, tracers under ``jit`` and ``vmap``) still work and give the numbers they gave before.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from minimax import (
    bilinear_theory,
    claims,
    games,
    gan,
    hidden,
    metrics,
    natural,
    rules,
    runner,
    schemes,
    studies,
)
from minimax._validation import ArgumentTypeError
from minimax.gan import diagnostics, digit_metrics, digits, mnist
from minimax.gan import mode_collapse as mc

T, V = ArgumentTypeError, ValueError
NAN, INF = float("nan"), float("inf")

SGD = rules.sgd(0.1)
GDA = schemes.simultaneous(SGD)
GAME = games.bilinear(jnp.eye(2))
ONES = jnp.ones(2)


def start(key):
    return jax.random.normal(key, (2,)), jnp.ones(2)


def run(**overrides):
    arguments = {"game": GAME, "scheme": GDA, "x0": ONES, "y0": ONES, "num_steps": 2, **overrides}
    return runner.run(**arguments)


def sweep(**overrides):
    arguments = {"game": GAME, "make_scheme": lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)),
                 "init": start, "points": runner.grid(learning_rate=[0.1]), "num_steps": 2, **overrides}
    return runner.sweep(**arguments)


def step_size_sweep(**overrides):
    arguments = {"game": GAME, "make_scheme": schemes.from_rule(rules.sgd), "init": start, "learning_rates": [0.1],
                 "seeds": [0], "num_steps": 2, "metrics": metrics.field_norm, **overrides}
    return studies.step_size_sweep(**arguments)


STUDY = studies.StepSizeSweep(np.array([0.1]), np.arange(2), {"field_norm": np.ones((1, 1, 2))}, None,
                              np.zeros((1, 1), bool))
RESULT_GRID = runner.grid(learning_rate=[0.1, 0.2])
LEDGER = claims.Ledger("book/part1/02_bilinear_games.ipynb", profile="quick", seed=0)


def record(**overrides):
    arguments = {"id": "a", "statement": "s", "kind": "empirical", "source": "p", "measured": 1.0, "expected": 1.0,
                 "holds": True, **overrides}
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    return ledger.record(arguments.pop("id"), arguments.pop("statement"), **arguments)


SIGMOID_PLAYER = hidden.mlp_player([1, 4, 1], jnp.ones((1, 1)), head="sigmoid")
PENNIES = hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid)
PENNIES_TARGET = hidden.matching_pennies_target()
THETA = jnp.zeros(1)
SOFTMAX = hidden.mlp_player([1, 4, 3], jnp.ones((1, 1)), head="softmax")
SOFTMAX_PARAMS = SOFTMAX.init(jax.random.PRNGKey(0))


def outputs(theta):
    return jnp.tanh(theta[:2] * theta[2:])


PARAMS4, GRAD4 = jnp.array([0.3, -0.5, 1.0, 2.0]), jnp.array([1.0, 0.0, -1.0, 0.5])


def integrate(**overrides):
    arguments = {"field": natural.gda_field(PENNIES), "x0": THETA, "y0": THETA, "t1": 1.0, "num_saves": 3,
                 **overrides}
    return natural.integrate(**arguments)


def output_game(**overrides):
    arguments = {"loss": lambda F, G: jnp.sum(F * G), "F0": jnp.ones(2), "G0": jnp.ones(2), "num_steps": 2,
                 **overrides}
    return hidden.solve_output_game(**arguments)


KEY = jax.random.PRNGKey(0)
RING = gan.ring()
DIGITS = digits.from_pixels(np.zeros((4, 8, 8)), np.arange(4), max_value=16)
CLASSIFIER = digit_metrics.Classifier(gan.mlp_init(KEY, [64, 4, 10]))
IMAGES = jnp.zeros((3, 64))
TRAJECTORY = natural.integrate(natural.gda_field(PENNIES), THETA, THETA, t1=1.0, num_saves=3)


def gan_game(**overrides):
    arguments = {"data": RING, "generator": gan.mlp_apply, "discriminator": gan.mlp_apply, "latent_dim": 2,
                 "batch_size": 4, **overrides}
    return gan.gan_game(**arguments)


def sample_quality(**overrides):
    return gan.sample_quality(**{"mixture": RING, "generator": gan.mlp_apply, "latent_dim": 2, **overrides})


def digit_quality(**overrides):
    arguments = {"classifier": CLASSIFIER, "generator": gan.image_generator, "latent_dim": 2, "real_images": IMAGES,
                 "num_samples": 4, **overrides}
    return digit_metrics.digit_quality(**arguments)


SETTING = mc.two_mode_setting(8, 0.3, 2, 2)
MODES = SETTING.modes
GENERATOR = jnp.stack([MODES[0], MODES[1]])


def setting(**overrides):
    return mc.two_mode_setting(**{"dim": 8, "inner": 0.3, "gen_width": 2, "disc_width": 2, **overrides})


def setting_family(**overrides):
    return mc.setting_family(**{"setting": SETTING, "gen_norm": 0.1, "disc_norm": 0.1, **overrides})


def family_sweep(**overrides):
    arguments = {"game": setting_family(), "make_scheme": mc.sgda, "init": None,
                 "points": runner.grid(eta_g=[0.1], eta_d=[0.1]), "num_steps": 2, **overrides}
    return runner.sweep(**arguments)


def scaled_bilinear(players):
    """A family of bilinear games whose build returns the given players (a bad build, for the table)."""
    def build(a):
        return games.bilinear(a * jnp.eye(2)), lambda key: players, metrics.field_norm
    return runner.GameFamily(("a",), build, (1.0,))


def settings(**overrides):
    return digit_metrics.ClassifierSettings(**{"hidden_sizes": (4,), "num_steps": 1, **overrides})


# (function, argument, bad value as the message shows it, error type, call)
CASES = [
    # rules
    ("rules.sgd", "learning_rate", "True", T, lambda: rules.sgd(True)),
    ("rules.sgd", "learning_rate", "'0.1'", T, lambda: rules.sgd("0.1")),
    ("rules.sgd", "learning_rate", "None", T, lambda: rules.sgd(None)),
    ("rules.sgd", "learning_rate", "[0.1]", T, lambda: rules.sgd([0.1])),
    ("rules.sgd", "learning_rate", "True", T, lambda: rules.sgd(np.bool_(True))),
    ("rules.sgd", "learning_rate", "0.0", V, lambda: rules.sgd(0.0)),
    ("rules.sgd", "momentum", "'0.5'", T, lambda: rules.sgd(0.1, momentum="0.5")),
    ("rules.sgd", "momentum", "True", T, lambda: rules.sgd(0.1, momentum=True)),
    ("rules.sgd", "momentum", "1.0", V, lambda: rules.sgd(0.1, momentum=1.0)),
    ("rules.adam", "learning_rate", "'0.1'", T, lambda: rules.adam("0.1")),
    ("rules.adam", "b1", "'0.9'", T, lambda: rules.adam(0.1, b1="0.9")),
    ("rules.adam", "b2", "True", T, lambda: rules.adam(0.1, b2=True)),
    ("rules.adam", "eps", "'tiny'", T, lambda: rules.adam(0.1, eps="tiny")),
    ("rules.adam", "b1", "1.0", V, lambda: rules.adam(0.1, b1=1.0)),
    ("rules.normalize", "layerwise", "'yes'", T, lambda: rules.normalize(layerwise="yes")),
    ("rules.normalize", "eps", "-1.0", V, lambda: rules.normalize(eps=-1.0)),
    ("rules.normalized_sgda", "learning_rate", "True", T, lambda: rules.normalized_sgda(True)),
    ("rules.normalized_sgda", "momentum", "'x'", T, lambda: rules.normalized_sgda(0.1, momentum="x")),
    ("rules.normalized_sgda", "layerwise", "1", T, lambda: rules.normalized_sgda(0.1, layerwise=1)),
    ("rules.normalized_sgda", "eps", "0.0", V, lambda: rules.normalized_sgda(0.1, eps=0.0)),
    ("rules.graft", "magnitude", "'adam'", T, lambda: rules.graft("adam", SGD)),
    ("rules.graft", "direction", "None", T, lambda: rules.graft(SGD, None)),
    ("rules.graft", "layerwise", "'no'", T, lambda: rules.graft(SGD, SGD, layerwise="no")),
    ("rules.graft", "eps", "True", T, lambda: rules.graft(SGD, SGD, eps=True)),
    ("rules.adalr", "learning_rate", "'1e-3'", T, lambda: rules.adalr("1e-3")),
    ("rules.adalr", "b1", "1.5", V, lambda: rules.adalr(0.1, b1=1.5)),
    ("rules.adalr", "layerwise", "None", T, lambda: rules.adalr(0.1, layerwise=None)),
    ("rules.adadir", "learning_rate", "True", T, lambda: rules.adadir(True)),
    ("rules.adadir", "b1", "-0.1", V, lambda: rules.adadir(0.1, b1=-0.1)),
    ("rules.adadir", "eps", "'x'", T, lambda: rules.adadir(0.1, eps="x")),
    ("rules.select", "options", "'ab'", T, lambda: rules.select("ab", 0)),
    ("rules.select", "options[1]", "'sgd'", T, lambda: rules.select([SGD, "sgd"], 0)),
    ("rules.select", "index", "'1'", T, lambda: rules.select([SGD, SGD], "1")),
    ("rules.select", "index", "2", V, lambda: rules.select([SGD, SGD], 2)),
    ("rules.make_rule", "rule", "'adagrad'", V, lambda: rules.make_rule("adagrad", learning_rate=0.1)),
    ("rules.make_rule", "rule", "3", T, lambda: rules.make_rule(3, learning_rate=0.1)),
    ("rules.as_index", "index", "'one'", T, lambda: rules.as_index("one")),
    ("rules.select_tree", "index", "'0'", T, lambda: rules.select_tree("0", [ONES, ONES])),
    ("rules.select_tree", "trees", "'ab'", T, lambda: rules.select_tree(0, "ab")),
    # schemes
    ("schemes.simultaneous", "rule_x", "'sgd'", T, lambda: schemes.simultaneous("sgd")),
    ("schemes.simultaneous", "rule_y", "0.1", T, lambda: schemes.simultaneous(SGD, 0.1)),
    ("schemes.alternating", "rule_x", "None", T, lambda: schemes.alternating(None)),
    ("schemes.extragradient", "rule_x", "1", T, lambda: schemes.extragradient(1)),
    ("schemes.extragradient", "extrapolation_updates_state", "'yes'", T,
     lambda: schemes.extragradient(SGD, extrapolation_updates_state="yes")),
    ("schemes.optimistic", "rule_x", "'adam'", T, lambda: schemes.optimistic("adam")),
    ("schemes.hamiltonian", "rule_y", "'x'", T, lambda: schemes.hamiltonian(SGD, "x")),
    ("schemes.consensus", "gamma", "True", T, lambda: schemes.consensus(SGD, gamma=True)),
    ("schemes.consensus", "gamma", "'1'", T, lambda: schemes.consensus(SGD, gamma="1")),
    ("schemes.consensus", "rule_x", "None", T, lambda: schemes.consensus(None)),
    ("schemes.sga", "gamma", "-1", V, lambda: schemes.sga(SGD, gamma=-1)),
    ("schemes.sga", "gamma", "'1.0'", T, lambda: schemes.sga(SGD, gamma="1.0")),
    ("schemes.anchoring", "gamma", "'x'", T, lambda: schemes.anchoring(SGD, gamma="x")),
    ("schemes.anchoring", "base", "'extragradient'", V, lambda: schemes.anchoring(SGD, base="extragradient")),
    ("schemes.anchoring", "base", "1", T, lambda: schemes.anchoring(SGD, base=1)),
    ("schemes.select", "options[1]", "'alternating'", T, lambda: schemes.select([GDA, "alternating"], 0)),
    ("schemes.select", "index", "'x'", T, lambda: schemes.select([GDA, GDA], "x")),
    ("schemes.select", "options", "5", T, lambda: schemes.select(5, 0)),
    ("schemes.make_scheme", "scheme", "'nesterov'", V, lambda: schemes.make_scheme("nesterov", SGD)),
    ("schemes.make_scheme", "scheme", "None", T, lambda: schemes.make_scheme(None, SGD)),
    ("schemes.make_scheme", "rule_x", "'sgd'", T, lambda: schemes.make_scheme("simultaneous", "sgd")),
    ("schemes.from_rule", "rule", "0.1", T, lambda: schemes.from_rule(0.1)),
    ("schemes.from_rule", "scheme", "'simultaneous'", T, lambda: schemes.from_rule(rules.sgd, "simultaneous")),
    # games
    ("games.zero_sum", "payoff", "'x*y'", T, lambda: games.zero_sum("x*y")),
    ("games.zero_sum", "sample", "3", T, lambda: games.zero_sum(lambda x, y, batch: x * y, sample=3)),
    ("games.vector_field", "game", "'bilinear'", T, lambda: games.vector_field("bilinear", ONES, ONES)),
    ("games.field_jvp", "game", "None", T, lambda: games.field_jvp(None, ONES, ONES, ONES, ONES)),
    ("games.field_vjp", "game", "1", T, lambda: games.field_vjp(1, ONES, ONES, ONES, ONES)),
    ("games.bilinear", "matrix", "nan", V, lambda: games.bilinear(np.array([[1.0, NAN], [0.0, 1.0]]))),
    ("games.bilinear", "matrix", "inf", V, lambda: games.bilinear(jnp.array([[INF]]))),
    ("games.bilinear", "matrix", "'abc'", T, lambda: games.bilinear("abc")),
    ("games.bilinear", "matrix", "[[1, 'a']]", T, lambda: games.bilinear([[1, "a"]])),
    ("games.bilinear", "matrix", "[[True]]", T, lambda: games.bilinear([[True]])),
    ("games.bilinear", "matrix", "(3,)", V, lambda: games.bilinear(jnp.ones(3))),
    ("games.bilinear", "regularization", "True", T, lambda: games.bilinear(jnp.eye(2), regularization=True)),
    ("games.bilinear", "regularization", "'0.1'", T, lambda: games.bilinear(jnp.eye(2), regularization="0.1")),
    ("games.dirac_gan", "loss", "'hinge'", V, lambda: games.dirac_gan("hinge")),
    ("games.dirac_gan", "loss", "None", T, lambda: games.dirac_gan(None)),
    # runner
    ("runner.run", "game", "'bilinear'", T, lambda: run(game="bilinear")),
    ("runner.run", "scheme", "GradientTransformation", T, lambda: run(scheme=SGD)),
    ("runner.run", "num_steps", "10.0", T, lambda: run(num_steps=10.0)),
    ("runner.run", "num_steps", "True", T, lambda: run(num_steps=True)),
    ("runner.run", "num_steps", "0", V, lambda: run(num_steps=0)),
    ("runner.run", "log_every", "'1'", T, lambda: run(log_every="1")),
    ("runner.run", "key", "1.5", T, lambda: run(key=1.5)),
    ("runner.run", "key", "-1", V, lambda: run(key=-1)),
    ("runner.run", "key", "4294967296", V, lambda: run(key=2**32)),
    ("runner.run", "key", "1099511627776", V, lambda: run(key=2**40)),
    ("runner.run", "key", "True", T, lambda: run(key=True)),
    ("runner.run", "key", "'seed'", T, lambda: run(key="seed")),
    ("runner.run", "x0", "nan", V, lambda: run(x0=jnp.array([1.0, NAN]))),
    ("runner.run", "x0", "'abc'", T, lambda: run(x0="abc")),
    ("runner.run", "y0", "True", T, lambda: run(y0=[True, True])),
    ("runner.run", "metrics", "'field_norm'", T, lambda: run(metrics="field_norm")),
    ("runner.grid", "learning_rate", "'abc'", T, lambda: runner.grid(learning_rate="abc")),
    ("runner.grid", "learning_rate", "write learning_rate=[0.1]", T, lambda: runner.grid(learning_rate=0.1)),
    ("runner.grid", "learning_rate", "[]", V, lambda: runner.grid(learning_rate=[])),
    ("runner.grid", "learning_rate", "[True, False]", T, lambda: runner.grid(learning_rate=[True, False])),
    ("runner.grid", "learning_rate", "['0.1']", T, lambda: runner.grid(learning_rate=["0.1"])),
    ("runner.grid", "learning_rate", "[[0.1, 0.2]]", V, lambda: runner.grid(learning_rate=[[0.1, 0.2]])),
    ("runner.grid", "learning_rate", "None", T, lambda: runner.grid(learning_rate=None)),
    ("runner.grid", "seed", "0.5", T, lambda: runner.grid(seed=[0.5])),
    ("runner.grid", "seed", "-1", V, lambda: runner.grid(seed=[-1])),
    ("runner.grid", "seed", "4294967296", V, lambda: runner.grid(seed=[2**32])),
    ("runner.grid", "seed", "1099511627776", V, lambda: runner.grid(seed=[0, 2**40])),
    ("runner.grid", "seed", "1.", T, lambda: runner.grid(seed=[1.0])),
    ("runner.sweep", "game", "None", T, lambda: sweep(game=None)),
    ("runner.sweep", "make_scheme", "'sgd'", T, lambda: sweep(make_scheme="sgd")),
    ("runner.sweep", "init", "None", T, lambda: sweep(init=None)),
    ("runner.sweep", "points", "{'learning_rate': [0.1]}", T, lambda: sweep(points={"learning_rate": [0.1]})),
    ("runner.sweep", "num_steps", "2.5", T, lambda: sweep(num_steps=2.5)),
    ("runner.sweep", "log_every", "0", V, lambda: sweep(log_every=0)),
    ("runner.sweep", "metrics", "1", T, lambda: sweep(metrics=1)),
    ("runner.sweep", "seed", "4294967296", V,
     lambda: sweep(points=runner.Grid({"seed": np.array([2**32])}, ("seed",), (1,)))),
    ("runner.Grid.point", "index", "'0'", T, lambda: RESULT_GRID.point("0")),
    ("runner.Grid.point", "index", "5", V, lambda: RESULT_GRID.point(5)),
    ("runner.RunResult.on_grid", "points", "[1, 2]", T,
     lambda: runner.RunResult({}, np.zeros(1), None, jnp.zeros(2)).on_grid([1, 2])),
    # studies
    ("studies.step_size_sweep", "learning_rates", "0.1", T, lambda: step_size_sweep(learning_rates=0.1)),
    ("studies.step_size_sweep", "learning_rates", "['0.1']", T, lambda: step_size_sweep(learning_rates=["0.1"])),
    ("studies.step_size_sweep", "seeds", "1.5", T, lambda: step_size_sweep(seeds=[1.5])),
    ("studies.step_size_sweep", "seeds", "4294967296", V, lambda: step_size_sweep(seeds=[2**32])),
    ("studies.step_size_sweep", "metrics", "1", T, lambda: step_size_sweep(metrics=1)),
    ("studies.step_size_sweep", "num_steps", "0", V, lambda: step_size_sweep(num_steps=0)),
    ("studies.StepSizeSweep.final_score", "name", "3", T, lambda: STUDY.final_score(3)),
    ("studies.StepSizeSweep.final_score", "num_logs", "2.0", V, lambda: STUDY.final_score("field_norm", 2.0)),
    ("studies.best_step_size_index", "scores", "'abc'", T, lambda: studies.best_step_size_index("abc")),
    ("studies.best_step_size_index", "tie_break", "[['a']]", T,
     lambda: studies.best_step_size_index([[1.0]], tie_break=[["a"]])),
    # metrics
    ("metrics.combine", "metrics[1]", "'x'", T, lambda: metrics.combine(metrics.field_norm, "x")),
    ("metrics.final_mean", "logged", "'abc'", T, lambda: metrics.final_mean("abc")),
    ("metrics.final_mean", "logged", "[['1', '2']]", T, lambda: metrics.final_mean([["1", "2"]])),
    ("metrics.final_mean", "num_logs", "1.0", V, lambda: metrics.final_mean(np.ones((2, 3)), num_logs=1.0)),
    ("metrics.final_mean", "num_logs", "True", V, lambda: metrics.final_mean(np.ones((2, 3)), num_logs=True)),
    ("metrics.final_mean", "diverged", "'0'", T, lambda: metrics.final_mean(np.ones((2, 3)), diverged="0")),
    ("metrics.final_mean", "diverged", "None", T, lambda: metrics.final_mean(np.ones((2, 3)), diverged=None)),
    # claims
    ("claims.Ledger", "chapter", "3", T, lambda: claims.Ledger(3, profile="quick", seed=0)),
    ("claims.Ledger", "profile", "None", T, lambda: claims.Ledger("c.ipynb", profile=None, seed=0)),
    ("claims.Ledger", "seed", "1.5", T, lambda: claims.Ledger("c.ipynb", profile="quick", seed=1.5)),
    ("claims.Ledger", "seed", "-1", V, lambda: claims.Ledger("c.ipynb", profile="quick", seed=-1)),
    ("claims.Ledger", "seed", "4294967296", V, lambda: claims.Ledger("c.ipynb", profile="quick", seed=2**32)),
    ("claims.Ledger", "seed", "True", T, lambda: claims.Ledger("c.ipynb", profile="quick", seed=True)),
    ("claims.Ledger.record", "id", "1", T, lambda: record(id=1)),
    ("claims.Ledger.record", "statement", "None", T, lambda: record(statement=None)),
    ("claims.Ledger.record", "source", "3", T, lambda: record(source=3)),
    ("claims.Ledger.record", "holds", "'False'", T, lambda: record(holds="False")),
    ("claims.Ledger.record", "holds", "None", T, lambda: record(holds=None)),
    ("claims.Ledger.record", "holds", "0.5", T, lambda: record(holds=0.5)),
    ("claims.Ledger.record", "kind", "'theorem'", V, lambda: record(kind="theorem")),
    ("claims.Ledger.record", "revised", "3", T, lambda: record(revised=3)),
    ("claims.Ledger.record", "measured", "True", T, lambda: record(measured=True)),
    ("claims.Ledger.record", "expected", "'> 0'", T,
     lambda: record(measured=claims.mean_interval([1.0, 2.0]), expected="> 0", holds=None)),
    ("claims.above", "margin", "nan", V, lambda: claims.above(float("nan"))),
    ("claims.within", "margin", "-1.0", V, lambda: claims.within(-1.0)),
    ("claims.share", "flags", "[1, 0]", T, lambda: claims.share([1, 0], "seeds")),
    ("claims.interval_verdict", "interval", "(1.0, 0.0, 2.0)", T,
     lambda: claims.interval_verdict((1.0, 0.0, 2.0), claims.above(0.0))),
    ("claims.Ledger.verdict_table", "digits", "-1", V, lambda: LEDGER.verdict_table(digits=-1)),
    ("claims.Ledger.verdict_table", "digits", "2.0", T, lambda: LEDGER.verdict_table(digits=2.0)),
    ("claims.mean_interval", "values", "'abc'", T, lambda: claims.mean_interval("abc")),
    ("claims.mean_interval", "values", "['1', '2']", T, lambda: claims.mean_interval(["1", "2"])),
    ("claims.mean_interval", "level", "'0.9'", T, lambda: claims.mean_interval([1.0, 2.0], level="0.9")),
    ("claims.mean_interval", "level", "True", T, lambda: claims.mean_interval([1.0, 2.0], level=True)),
    ("claims.mean_interval", "level", "1.0", V, lambda: claims.mean_interval([1.0, 2.0], level=1.0)),
    ("claims.paired_difference_interval", "first", "'ab'", T,
     lambda: claims.paired_difference_interval("ab", [1.0, 2.0])),
    ("claims.paired_difference_interval", "second", "[None, 1]", T,
     lambda: claims.paired_difference_interval([1.0, 2.0], [None, 1])),
    ("claims.load", "path", "3", T, lambda: claims.load(3)),
    # bilinear_theory
    ("bilinear_theory.simultaneous_rate", "eta", "'x'", T, lambda: bilinear_theory.simultaneous_rate("x")),
    ("bilinear_theory.alternating_rate", "eta", "True", T, lambda: bilinear_theory.alternating_rate(True)),
    ("bilinear_theory.extragradient_rate", "sigma", "'1'", T, lambda: bilinear_theory.extragradient_rate(0.1, "1")),
    ("bilinear_theory.optimistic_rate", "eta", "[0.1, 'a']", T, lambda: bilinear_theory.optimistic_rate([0.1, "a"])),
    ("bilinear_theory.hamiltonian_rate", "eta", "None", T, lambda: bilinear_theory.hamiltonian_rate(None)),
    ("bilinear_theory.consensus_rate", "gamma", "'one'", T, lambda: bilinear_theory.consensus_rate(0.1, "one")),
    ("bilinear_theory.momentum_iteration_matrix", "beta", "'0.5'", T,
     lambda: bilinear_theory.momentum_iteration_matrix(0.1, "0.5")),
    ("bilinear_theory.momentum_iteration_matrix", "alternating", "'yes'", T,
     lambda: bilinear_theory.momentum_iteration_matrix(0.1, 0.5, alternating="yes")),
    ("bilinear_theory.momentum_iteration_matrix", "eta", "True", T,
     lambda: bilinear_theory.momentum_iteration_matrix(True, 0.5)),
    ("bilinear_theory.momentum_rate", "beta", "None", T, lambda: bilinear_theory.momentum_rate(0.1, None)),
    ("bilinear_theory.game_rate", "rate_fn", "'extragradient'", T,
     lambda: bilinear_theory.game_rate("extragradient", 0.1, [1.0])),
    ("bilinear_theory.game_rate", "singular_values", "'abc'", T,
     lambda: bilinear_theory.game_rate(bilinear_theory.extragradient_rate, 0.1, "abc")),
    ("bilinear_theory.measured_rate", "steps", "'abc'", T, lambda: bilinear_theory.measured_rate("abc", [1.0])),
    ("bilinear_theory.measured_rate", "distance", "None", T, lambda: bilinear_theory.measured_rate([1.0], None)),
    ("bilinear_theory.measured_rate", "floor", "-1", V, lambda: bilinear_theory.measured_rate([1.0], [1.0], floor=-1)),
    ("bilinear_theory.measured_rate", "ceiling", "'1e30'", T,
     lambda: bilinear_theory.measured_rate([1.0], [1.0], ceiling="1e30")),
    # hidden
    ("hidden.payoff", "hidden", "'g'", T, lambda: hidden.payoff("g", THETA, THETA)),
    ("hidden.as_game", "hidden", "None", T, lambda: hidden.as_game(None)),
    ("hidden.output_gradients", "hidden", "1", T, lambda: hidden.output_gradients(1, THETA, THETA)),
    ("hidden.mlp_player", "sizes", "3", T, lambda: hidden.mlp_player(3, jnp.ones((1, 1)))),
    ("hidden.mlp_player", "sizes", "2.5", T, lambda: hidden.mlp_player([1, 2.5, 3], jnp.ones((1, 1)))),
    ("hidden.mlp_player", "sizes", "'8'", T, lambda: hidden.mlp_player([1, "8", 3], jnp.ones((1, 1)))),
    ("hidden.mlp_player", "sizes", "0", V, lambda: hidden.mlp_player([1, 0, 3], jnp.ones((1, 1)))),
    ("hidden.mlp_player", "inputs", "'abc'", T, lambda: hidden.mlp_player([1, 3], "abc")),
    ("hidden.mlp_player", "inputs", "nan", V, lambda: hidden.mlp_player([1, 3], jnp.full((1, 1), NAN))),
    ("hidden.mlp_player", "inputs", "(3,)", V, lambda: hidden.mlp_player([1, 3], jnp.ones(3))),
    ("hidden.mlp_player", "head", "'relu'", V, lambda: hidden.mlp_player([1, 3], jnp.ones((1, 1)), head="relu")),
    ("hidden.mlp_player", "activation", "'tanh'", T,
     lambda: hidden.mlp_player([1, 3], jnp.ones((1, 1)), activation="tanh")),
    ("hidden.apply_head", "head", "'relu'", V, lambda: hidden.apply_head("relu", jnp.ones((1, 2)))),
    ("hidden.matching_pennies", "regularization", "'1'", T,
     lambda: hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization="1")),
    ("hidden.matching_pennies", "player_x", "'p'", T, lambda: hidden.matching_pennies("p", jax.nn.sigmoid)),
    ("hidden.matching_pennies", "regularization", "-1", V,
     lambda: hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization=-1)),
    ("hidden.matrix_game", "matrix", "nan", V,
     lambda: hidden.matrix_game(np.array([[0.0, NAN], [1.0, 0.0]]), jax.nn.softmax, jax.nn.softmax)),
    ("hidden.matrix_game", "matrix", "inf", V,
     lambda: hidden.matrix_game(np.array([[0.0, -INF], [1.0, 0.0]]), jax.nn.softmax, jax.nn.softmax)),
    ("hidden.matrix_game", "matrix", "'RPS'", T, lambda: hidden.matrix_game("RPS", jax.nn.softmax, jax.nn.softmax)),
    ("hidden.matrix_game", "regularization", "True", T,
     lambda: hidden.matrix_game(hidden.RPS, jax.nn.softmax, jax.nn.softmax, regularization=True)),
    ("hidden.matrix_game", "player_y", "3", T, lambda: hidden.matrix_game(hidden.RPS, jax.nn.softmax, 3)),
    ("hidden.rock_paper_scissors", "regularization", "'0'", T,
     lambda: hidden.rock_paper_scissors(jax.nn.softmax, jax.nn.softmax, regularization="0")),
    ("hidden.finite_gan", "data_weights", "'abc'", T, lambda: hidden.finite_gan(jax.nn.softmax, jax.nn.sigmoid, "abc")),
    ("hidden.finite_gan", "data_weights", "[0.5, 0.6]", V,
     lambda: hidden.finite_gan(jax.nn.softmax, jax.nn.sigmoid, [0.5, 0.6])),
    ("hidden.finite_gan", "generator", "None", T, lambda: hidden.finite_gan(None, jax.nn.sigmoid, [0.5, 0.5])),
    ("hidden.matrix_equilibrium", "matrix", "nan", V, lambda: hidden.matrix_equilibrium([[0.0, NAN], [1.0, 0.0]])),
    ("hidden.matrix_equilibrium", "matrix", "'abc'", T, lambda: hidden.matrix_equilibrium("abc")),
    ("hidden.project_simplex", "v", "'abc'", T, lambda: hidden.project_simplex("abc")),
    ("hidden.project_box", "low", "'0'", T, lambda: hidden.project_box(ONES, low="0")),
    ("hidden.project_box", "v", "None", T, lambda: hidden.project_box(None)),
    ("hidden.solve_output_game", "loss", "None", T, lambda: output_game(loss=None)),
    ("hidden.solve_output_game", "F0", "nan", V, lambda: output_game(F0=jnp.array([NAN, 1.0]))),
    ("hidden.solve_output_game", "step_size", "'0.1'", T, lambda: output_game(step_size="0.1")),
    ("hidden.solve_output_game", "num_steps", "10.5", T, lambda: output_game(num_steps=10.5)),
    ("hidden.solve_output_game", "project_x", "3", T, lambda: output_game(project_x=3)),
    ("hidden.matrix_game_target", "matrix", "nan", V,
     lambda: hidden.matrix_game_target([[0.0, NAN], [1.0, 0.0]], regularization=1.0)),
    ("hidden.matrix_game_target", "num_samples", "0", V, lambda: hidden.matrix_game_target(hidden.RPS, num_samples=0)),
    ("hidden.matrix_game_target", "num_samples", "1.0", T,
     lambda: hidden.matrix_game_target(hidden.RPS, num_samples=1.0)),
    ("hidden.matrix_game_target", "regularization", "'x'", T,
     lambda: hidden.matrix_game_target(hidden.RPS, regularization="x")),
    ("hidden.matching_pennies_target", "num_samples", "True", T, lambda: hidden.matching_pennies_target(True)),
    ("hidden.finite_gan_target", "data_weights", "'abc'", T, lambda: hidden.finite_gan_target("abc")),
    ("hidden.lyapunov", "hidden", "None", T, lambda: hidden.lyapunov(None, PENNIES_TARGET, THETA, THETA)),
    ("hidden.lyapunov", "target", "(0.5, 0.5)", T, lambda: hidden.lyapunov(PENNIES, (0.5, 0.5), THETA, THETA)),
    ("hidden.lyapunov_derivative", "target", "None", T, lambda: hidden.lyapunov_derivative(PENNIES, None, THETA, THETA)),
    ("hidden.lyapunov_metric", "hidden", "'x'", T, lambda: hidden.lyapunov_metric("x", PENNIES_TARGET)),
    # natural
    ("natural.flat_jacobian", "outputs_fn", "None", T, lambda: natural.flat_jacobian(None, PARAMS4)),
    ("natural.metric_matrix", "scale", "0", V, lambda: natural.metric_matrix(outputs, PARAMS4, scale=0)),
    ("natural.metric_matrix", "scale", "'1'", T, lambda: natural.metric_matrix(outputs, PARAMS4, scale="1")),
    ("natural.smallest_gram_eigenvalue", "restrict_to", "'abc'", T,
     lambda: natural.smallest_gram_eigenvalue(outputs, PARAMS4, restrict_to="abc")),
    ("natural.simplex_tangent_basis", "num_samples", "0", V, lambda: natural.simplex_tangent_basis(0, 3)),
    ("natural.simplex_tangent_basis", "num_actions", "2.0", T, lambda: natural.simplex_tangent_basis(1, 2.0)),
    ("natural.dense_direction", "damping", "-1", V, lambda: natural.dense_direction(outputs, PARAMS4, GRAD4, damping=-1)),
    ("natural.dense_direction", "damping", "'0'", T,
     lambda: natural.dense_direction(outputs, PARAMS4, GRAD4, damping="0")),
    ("natural.dual_direction", "scale", "True", T, lambda: natural.dual_direction(outputs, PARAMS4, GRAD4, scale=True)),
    ("natural.pushthrough_direction", "rcond", "'x'", T,
     lambda: natural.pushthrough_direction(outputs, PARAMS4, jnp.ones(2), rcond="x")),
    ("natural.cg_direction", "maxiter", "0", V, lambda: natural.cg_direction(outputs, PARAMS4, GRAD4, maxiter=0)),
    ("natural.cg_direction", "tol", "'1e-6'", T, lambda: natural.cg_direction(outputs, PARAMS4, GRAD4, tol="1e-6")),
    ("natural.cg_direction", "outputs_fn", "None", T, lambda: natural.cg_direction(None, PARAMS4, GRAD4)),
    ("natural.kfac_factors", "player", "function", T, lambda: natural.kfac_factors(outputs, PARAMS4)),
    ("natural.kfac_direction", "factored", "'yes'", T,
     lambda: natural.kfac_direction(SOFTMAX, SOFTMAX_PARAMS, SOFTMAX_PARAMS, factored="yes")),
    ("natural.kfac_direction", "damping", "0.0", V,
     lambda: natural.kfac_direction(SOFTMAX, SOFTMAX_PARAMS, SOFTMAX_PARAMS, damping=0.0, factored=True)),
    ("natural.natural_direction", "method", "'newton'", V,
     lambda: natural.natural_direction("newton", outputs, PARAMS4, GRAD4)),
    ("natural.natural_direction", "player", "None", T, lambda: natural.natural_direction("dense", None, PARAMS4, GRAD4)),
    ("natural.precondition", "method", "3", T, lambda: natural.precondition(outputs, method=3)),
    ("natural.precondition", "player", "None", T, lambda: natural.precondition(None)),
    ("natural.precondition", "damping", "True", T, lambda: natural.precondition(outputs, damping=True)),
    ("natural.natural_field", "hidden", "None", T, lambda: natural.natural_field(None)),
    ("natural.natural_field", "method", "'x'", V, lambda: natural.natural_field(PENNIES, method="x")),
    ("natural.natural_field", "damping", "'1'", T, lambda: natural.natural_field(PENNIES, damping="1")),
    ("natural.natural_field", "rcond", "0", V, lambda: natural.natural_field(PENNIES, rcond=0)),
    ("natural.gda_field", "hidden", "'x'", T, lambda: natural.gda_field("x")),
    ("natural.integrate", "num_saves", "1", V, lambda: integrate(num_saves=1)),
    ("natural.integrate", "num_saves", "2.0", T, lambda: integrate(num_saves=2.0)),
    ("natural.integrate", "t1", "'1'", T, lambda: integrate(t1="1")),
    ("natural.integrate", "rtol", "True", T, lambda: integrate(rtol=True)),
    ("natural.integrate", "atol", "-1", V, lambda: integrate(atol=-1)),
    ("natural.integrate", "solver", "'euler'", V, lambda: integrate(solver="euler")),
    ("natural.integrate", "max_steps", "0", V, lambda: integrate(max_steps=0)),
    ("natural.integrate", "field", "None", T, lambda: integrate(field=None)),
    ("natural.integrate", "x0", "nan", V, lambda: integrate(x0=jnp.array([NAN]))),
    ("natural.integrate", "batched", "'no'", T, lambda: integrate(batched="no")),
    ("natural.along", "trajectory", "None", T, lambda: natural.along(None, lambda x, y: x)),
    ("natural.along", "quantity", "None", T, lambda: natural.along(TRAJECTORY, None)),
    ("natural.time_derivative", "ts", "'abc'", T, lambda: natural.time_derivative("abc", [1.0, 2.0])),
    ("natural.time_derivative", "values", "None", T, lambda: natural.time_derivative([0.0, 1.0], None)),
    ("natural.natural_rule", "learning_rate", "True", T, lambda: natural.natural_rule(outputs, True)),
    ("natural.natural_rule", "method", "'x'", V, lambda: natural.natural_rule(outputs, 0.1, method="x")),
    ("natural.natural_gda", "hidden", "None", T, lambda: natural.natural_gda(None, 0.1)),
    ("natural.natural_gda", "learning_rate", "'0.1'", T, lambda: natural.natural_gda(PENNIES, "0.1")),
    ("natural.natural_extragradient", "damping", "-1", V, lambda: natural.natural_extragradient(PENNIES, 0.1, damping=-1)),
    ("natural.natural_extragradient", "learning_rate", "True", T, lambda: natural.natural_extragradient(PENNIES, True)),
    # gan: data, game, networks, image GANs, metrics
    ("gan.Mixture.sample", "key", "0", T, lambda: RING.sample(0, 4)),
    ("gan.Mixture.sample", "n", "2.0", T, lambda: RING.sample(KEY, 2.0)),
    ("gan.Mixture.sample", "n", "0", V, lambda: RING.sample(KEY, 0)),
    ("gan.ring", "num_modes", "8.0", T, lambda: gan.ring(num_modes=8.0)),
    ("gan.ring", "radius", "'2'", T, lambda: gan.ring(radius="2")),
    ("gan.ring", "std", "True", T, lambda: gan.ring(std=True)),
    ("gan.grid_mixture", "size", "0", V, lambda: gan.grid_mixture(size=0)),
    ("gan.grid_mixture", "spacing", "None", T, lambda: gan.grid_mixture(spacing=None)),
    ("gan.grid_mixture", "std", "-1", V, lambda: gan.grid_mixture(std=-1)),
    ("gan.gan_game", "data", "'ring'", T, lambda: gan_game(data="ring")),
    ("gan.gan_game", "generator", "None", T, lambda: gan_game(generator=None)),
    ("gan.gan_game", "discriminator", "3", T, lambda: gan_game(discriminator=3)),
    ("gan.gan_game", "latent_dim", "2.0", T, lambda: gan_game(latent_dim=2.0)),
    ("gan.gan_game", "batch_size", "True", T, lambda: gan_game(batch_size=True)),
    ("gan.gan_game", "loss", "'wgan'", V, lambda: gan_game(loss="wgan")),
    ("gan.mlp_init", "key", "0", T, lambda: gan.mlp_init(0, [2, 3])),
    ("gan.mlp_init", "sizes", "'abc'", T, lambda: gan.mlp_init(KEY, "abc")),
    ("gan.mlp_init", "sizes", "3.5", T, lambda: gan.mlp_init(KEY, [2, 3.5])),
    ("gan.mlp_init", "sizes", "0", V, lambda: gan.mlp_init(KEY, [2, 0])),
    ("gan.mlp_apply", "activation", "'relu'", T, lambda: gan.mlp_apply(gan.mlp_init(KEY, [2, 3]), ONES, "relu")),
    ("gan.mlp_players_init", "data_dim", "0", V, lambda: gan.mlp_players_init(0, 2, 4)),
    ("gan.mlp_players_init", "key", "0", T, lambda: gan.mlp_players_init(2, 2, 4)(0)),
    ("gan.image_players_init", "width", "32.0", T, lambda: gan.image_players_init(64, 2, 32.0)),
    ("gan.image_players_init", "depth", "True", T, lambda: gan.image_players_init(64, 2, 4, depth=True)),
    ("gan.image_players_init", "latent_dim", "'16'", T, lambda: gan.image_players_init(64, "16", 4)),
    ("gan.digit_benchmark", "mnist_dir", "3", T, lambda: gan.digit_benchmark(3)),
    ("gan.high_quality_fraction", "samples", "'abc'", T, lambda: gan.high_quality_fraction("abc", RING)),
    ("gan.high_quality_fraction", "mixture", "None", T, lambda: gan.high_quality_fraction(RING.means, None)),
    ("gan.high_quality_fraction", "threshold_std", "'3'", T,
     lambda: gan.high_quality_fraction(RING.means, RING, threshold_std="3")),
    ("gan.mode_counts", "samples", "(3,)", V, lambda: gan.mode_counts(jnp.ones(3), RING)),
    ("gan.modes_covered", "min_count", "0", V, lambda: gan.modes_covered(RING.means, RING, min_count=0)),
    ("gan.modes_covered", "min_count", "2.0", T, lambda: gan.modes_covered(RING.means, RING, min_count=2.0)),
    ("gan.sample_quality", "mixture", "'ring'", T, lambda: sample_quality(mixture="ring")),
    ("gan.sample_quality", "generator", "None", T, lambda: sample_quality(generator=None)),
    ("gan.sample_quality", "latent_dim", "0", V, lambda: sample_quality(latent_dim=0)),
    ("gan.sample_quality", "num_samples", "10.0", T, lambda: sample_quality(num_samples=10.0)),
    # gan: digits, MNIST, diagnostics
    ("gan.Digits.sample", "key", "None", T, lambda: DIGITS.sample(None, 2)),
    ("gan.Digits.sample", "n", "True", T, lambda: DIGITS.sample(KEY, True)),
    ("gan.digits.from_pixels", "pixels", "'abc'", T, lambda: digits.from_pixels("abc", [1], 16)),
    ("gan.digits.from_pixels", "labels", "None", T, lambda: digits.from_pixels(np.zeros((1, 8, 8)), None, 16)),
    ("gan.digits.from_pixels", "max_value", "'16'", T, lambda: digits.from_pixels(np.zeros((1, 8, 8)), [1], "16")),
    ("gan.held_out_split", "data", "'digits'", T, lambda: gan.held_out_split("digits")),
    ("gan.held_out_split", "fraction", "1.0", V, lambda: gan.held_out_split(DIGITS, fraction=1.0)),
    ("gan.held_out_split", "seed", "1.5", T, lambda: gan.held_out_split(DIGITS, seed=1.5)),
    ("gan.held_out_split", "seed", "-1", V, lambda: gan.held_out_split(DIGITS, seed=-1)),
    ("gan.held_out_split", "seed", "4294967296", V, lambda: gan.held_out_split(DIGITS, seed=2**32)),
    ("gan.image_grid", "images", "'abc'", T, lambda: gan.image_grid("abc")),
    ("gan.image_grid", "rows", "0", V, lambda: gan.image_grid(IMAGES, rows=0)),
    ("gan.image_grid", "cols", "2.0", T, lambda: gan.image_grid(IMAGES, cols=2.0)),
    ("gan.image_grid", "pad", "-1", V, lambda: gan.image_grid(IMAGES, pad=-1)),
    ("gan.image_grid", "pad", "True", T, lambda: gan.image_grid(IMAGES, pad=True)),
    ("gan.mnist.read_idx", "path", "None", T, lambda: mnist.read_idx(None)),
    ("gan.load_mnist", "directory", "3", T, lambda: gan.load_mnist(3)),
    ("gan.load_mnist", "split", "'validation'", V, lambda: gan.load_mnist(".", split="validation")),
    ("gan.diagnostics.gradient_norms", "num_batches", "0", V, lambda: diagnostics.gradient_norms(0)),
    ("gan.diagnostics.gradient_norms", "num_batches", "1.0", T, lambda: diagnostics.gradient_norms(1.0)),
    ("gan.diagnostics.update_norms", "rule_x", "'adam'", T, lambda: diagnostics.update_norms("adam", SGD)),
    ("gan.diagnostics.update_norms", "num_batches", "True", T, lambda: diagnostics.update_norms(SGD, SGD, True)),
    ("gan.diagnostics.mmd", "samples", "'abc'", T, lambda: diagnostics.mmd("abc", RING.means)),
    ("gan.diagnostics.mmd", "bandwidths", "'abc'", T, lambda: diagnostics.mmd(RING.means, RING.means, "abc")),
    ("gan.diagnostics.mmd", "bandwidths", "[-1.0]", V, lambda: diagnostics.mmd(RING.means, RING.means, [-1.0])),
    ("gan.diagnostics.mixture_mmd", "mixture", "None", T, lambda: diagnostics.mixture_mmd(None, gan.mlp_apply, 2)),
    ("gan.diagnostics.mixture_mmd", "generator", "None", T, lambda: diagnostics.mixture_mmd(RING, None, 2)),
    ("gan.diagnostics.mixture_mmd", "latent_dim", "0", V, lambda: diagnostics.mixture_mmd(RING, gan.mlp_apply, 0)),
    ("gan.diagnostics.coefficient_of_variation", "values", "'abc'", T,
     lambda: diagnostics.coefficient_of_variation("abc")),
    ("gan.diagnostics.coefficient_of_variation", "axis", "0.5", T,
     lambda: diagnostics.coefficient_of_variation([1.0, 2.0], axis=0.5)),
    # gan: digit metrics
    ("gan.digit_metrics.train_classifier", "seed", "1.5", T, lambda: digit_metrics.train_classifier(DIGITS, settings(seed=1.5))),
    ("gan.digit_metrics.train_classifier", "split_seed", "4294967296", V,
     lambda: digit_metrics.train_classifier(DIGITS, settings(split_seed=2**32))),
    ("gan.digit_metrics.train_classifier", "train", "'digits'", T, lambda: digit_metrics.train_classifier("digits")),
    ("gan.digit_metrics.train_classifier", "num_steps", "0", V,
     lambda: digit_metrics.train_classifier(DIGITS, settings(num_steps=0))),
    ("gan.digit_metrics.classifier_accuracy", "data", "None", T, lambda: digit_metrics.classifier_accuracy(CLASSIFIER, None)),
    ("gan.digit_metrics.load_or_train_classifier", "directory", "3", T,
     lambda: digit_metrics.load_or_train_classifier(digit_metrics.ClassifierSettings(), 3)),
    ("gan.mnist_classifier", "directory", "3", T, lambda: gan.mnist_classifier(DIGITS, directory=3)),
    ("gan.digits_classifier", "settings", "'default'", V, lambda: gan.digits_classifier("default")),
    ("gan.confidence", "images", "'abc'", T, lambda: gan.confidence(CLASSIFIER, "abc")),
    ("gan.confidence", "classifier", "None", T, lambda: gan.confidence(None, IMAGES)),
    ("gan.digit_metrics.class_counts", "min_confidence", "1.0", V,
     lambda: digit_metrics.class_counts(CLASSIFIER, IMAGES, min_confidence=1.0)),
    ("gan.digit_metrics.class_counts", "min_confidence", "'0.99'", T,
     lambda: digit_metrics.class_counts(CLASSIFIER, IMAGES, min_confidence="0.99")),
    ("gan.class_coverage", "min_share", "True", T, lambda: gan.class_coverage(CLASSIFIER, IMAGES, min_share=True)),
    ("gan.digit_metrics.feature_statistics", "images", "(1, 64)", V,
     lambda: digit_metrics.feature_statistics(CLASSIFIER, jnp.zeros((1, 64)))),
    ("gan.digit_metrics.gaussian_frechet_distance", "first", "(0.0, 1.0)", T,
     lambda: digit_metrics.gaussian_frechet_distance((0.0, 1.0), (0.0, 1.0))),
    ("gan.frechet_distance", "real_images", "'abc'", T, lambda: gan.frechet_distance(CLASSIFIER, "abc", IMAGES)),
    ("gan.digit_quality", "num_samples", "1", V, lambda: digit_quality(num_samples=1)),
    ("gan.digit_quality", "generator", "None", T, lambda: digit_quality(generator=None)),
    ("gan.digit_quality", "min_share", "0", V, lambda: digit_quality(min_share=0)),
    ("gan.digit_quality", "classifier", "None", T, lambda: digit_quality(classifier=None)),
    # gan: the two-mode setting of mode collapse
    ("mode_collapse.truncated_cubic", "threshold", "0", V, lambda: mc.truncated_cubic(ONES, threshold=0)),
    ("mode_collapse.truncated_cubic", "threshold", "'1'", T, lambda: mc.truncated_cubic(ONES, threshold="1")),
    ("mode_collapse.truncated_cubic", "t", "'abc'", T, lambda: mc.truncated_cubic("abc")),
    ("mode_collapse.two_modes", "dim", "1", V, lambda: mc.two_modes(1, 0.3)),
    ("mode_collapse.two_modes", "dim", "2.0", T, lambda: mc.two_modes(2.0, 0.3)),
    ("mode_collapse.two_modes", "inner", "1.0", V, lambda: mc.two_modes(4, 1.0)),
    ("mode_collapse.two_modes", "inner", "'0.3'", T, lambda: mc.two_modes(4, "0.3")),
    ("mode_collapse.two_modes", "key", "0", T, lambda: mc.two_modes(4, 0.3, key=0)),
    ("mode_collapse.embedded_modes", "dim", "0", V, lambda: mc.embedded_modes(0, 0.3)),
    ("mode_collapse.embedded_modes", "inner", "True", T, lambda: mc.embedded_modes(4, True)),
    ("mode_collapse.sample_data", "key", "0", T, lambda: mc.sample_data(0, MODES, 3)),
    ("mode_collapse.sample_data", "modes", "'abc'", T, lambda: mc.sample_data(KEY, "abc", 3)),
    ("mode_collapse.sample_data", "n", "0", V, lambda: mc.sample_data(KEY, MODES, 0)),
    ("mode_collapse.sample_data", "mode_weight", "1.0", V, lambda: mc.sample_data(KEY, MODES, 3, mode_weight=1.0)),
    ("mode_collapse.sparse_latents", "key", "None", T, lambda: mc.sparse_latents(None, 3, 4)),
    ("mode_collapse.sparse_latents", "width", "0", V, lambda: mc.sparse_latents(KEY, 3, 0)),
    ("mode_collapse.sparse_latents", "pair_prob", "'0.5'", T, lambda: mc.sparse_latents(KEY, 3, 4, pair_prob="0.5")),
    ("mode_collapse.sparse_latents", "pair_prob", "1.5", V, lambda: mc.sparse_latents(KEY, 3, 4, pair_prob=1.5)),
    ("mode_collapse.latent_support", "width", "2.0", T, lambda: mc.latent_support(2.0)),
    ("mode_collapse.latent_support", "pair_prob", "True", T, lambda: mc.latent_support(3, pair_prob=True)),
    ("mode_collapse.two_mode_setting", "gen_width", "0", V, lambda: setting(gen_width=0)),
    ("mode_collapse.two_mode_setting", "disc_width", "2.0", T, lambda: setting(disc_width=2.0)),
    ("mode_collapse.two_mode_setting", "threshold", "'1'", T, lambda: setting(threshold="1")),
    ("mode_collapse.two_mode_setting", "scale", "0", V, lambda: setting(scale=0)),
    ("mode_collapse.two_mode_setting", "bias_scale", "-1", V, lambda: setting(bias_scale=-1)),
    ("mode_collapse.two_mode_setting", "batch_size", "True", T, lambda: setting(batch_size=True)),
    ("mode_collapse.two_mode_setting", "key", "3", T, lambda: setting(key=3)),
    ("mode_collapse.discriminator_logits", "setting", "None", T,
     lambda: mc.discriminator_logits({"w": jnp.ones((2, 8)), "b": 0.0}, jnp.ones((1, 8)), None)),
    ("mode_collapse.two_mode_game", "setting", "None", T, lambda: mc.two_mode_game(None)),
    ("mode_collapse.initializer", "setting", "None", T, lambda: mc.initializer(None, 0.1, 0.1)),
    ("mode_collapse.initializer", "gen_norm", "'0.1'", T, lambda: mc.initializer(SETTING, "0.1", 0.1)),
    ("mode_collapse.initializer", "disc_norm", "0", V, lambda: mc.initializer(SETTING, 0.1, 0)),
    ("mode_collapse.sgda", "eta_g", "True", T, lambda: mc.sgda(True, 0.1)),
    ("mode_collapse.sgda", "eta_d", "'0.1'", T, lambda: mc.sgda(0.1, "0.1")),
    ("mode_collapse.sgda", "decay", "-1", V, lambda: mc.sgda(0.1, 0.1, decay=-1)),
    ("mode_collapse.nsgda", "eta_g", "0", V, lambda: mc.nsgda(0, 0.1)),
    ("mode_collapse.layerwise_nsgda", "eta_d", "None", T, lambda: mc.layerwise_nsgda(0.1, None)),
    ("mode_collapse.mode_recovery", "epsilon", "3.0", V, lambda: mc.mode_recovery(GENERATOR, MODES, epsilon=3.0)),
    ("mode_collapse.mode_recovery", "pair_prob", "'0'", T, lambda: mc.mode_recovery(GENERATOR, MODES, pair_prob="0")),
    ("mode_collapse.collapse_recovery", "pair_prob", "2.0", V,
     lambda: mc.collapse_recovery(GENERATOR, MODES, pair_prob=2.0)),
    ("mode_collapse.output_shares", "pair_prob", "-0.5", V, lambda: mc.output_shares(GENERATOR, MODES, pair_prob=-0.5)),
    ("mode_collapse.recovery_metric", "setting", "None", T, lambda: mc.recovery_metric(None)),
    ("mode_collapse.recovery_metric", "neurons", "'yes'", T, lambda: mc.recovery_metric(SETTING, neurons="yes")),
    ("mode_collapse.recovery_metric", "gradients", "1", T, lambda: mc.recovery_metric(SETTING, gradients=1)),
    ("mode_collapse.recovery_metric", "epsilon", "0", V, lambda: mc.recovery_metric(SETTING, epsilon=0)),
    ("mode_collapse.setting_family", "setting", "None", T, lambda: setting_family(setting=None)),
    ("mode_collapse.setting_family", "gen_norm", "'0.1'", T, lambda: setting_family(gen_norm="0.1")),
    ("mode_collapse.setting_family", "neurons", "'no'", T, lambda: setting_family(neurons="no")),
    ("mode_collapse.setting_family", "epsilon", "0", V, lambda: setting_family(epsilon=0)),
    ("runner.sweep (a family)", "init", "<function", V, lambda: family_sweep(init=lambda key: key)),
    ("runner.sweep (a family)", "make_scheme", "'sgda'", T, lambda: family_sweep(make_scheme="sgda")),
    ("runner.sweep (a family)", "num_steps", "0", V, lambda: family_sweep(num_steps=0)),
    ("runner.sweep (a family)", "dim", "[32.0]", V, lambda: family_sweep(points=runner.grid(eta_g=[0.1], eta_d=[0.1], dim=[32]))),
    ("runner.sweep (a family)", "seed", "4294967296", V,
     lambda: family_sweep(points=runner.stack_grids(runner.grid(eta_g=[0.1], eta_d=[0.1]),
                                                    runner.grid(eta_g=[0.1], eta_d=[0.1], seed=[0]), seed=2**32)[0])),
    ("runner.sweep (a family)", "axes", "['a']", T,
     lambda: family_sweep(game=setting_family()._replace(axes=["a"]))),
    ("runner.sweep (a family)", "defaults", "[1.0]", T,
     lambda: family_sweep(game=runner.GameFamily(("a",), setting_family().build, [1.0]))),
    ("runner.sweep (a family)", "default for a", "'1'", T,
     lambda: family_sweep(game=runner.GameFamily(("a",), setting_family().build, ("1",)))),
    ("runner.sweep (a family)", "check", "'none'", T,
     lambda: family_sweep(game=setting_family()._replace(check="none"))),
    ("runner.sweep (a family)", "x0 (from the family's init)", "nan", V,
     lambda: family_sweep(game=scaled_bilinear((jnp.full(2, jnp.nan), ONES)))),
    ("runner.sweep (a family)", "x0 and y0", "(3,)", V, lambda: family_sweep(game=scaled_bilinear((jnp.ones(3), ONES)))),
    ("runner.sweep (a family)", "the game built by the family", "'game'", T,
     lambda: family_sweep(game=runner.GameFamily(("a",), lambda a: ("game", None, None), (1.0,)))),
    ("runner.sweep (a family)", "build must return", "'game'", T,
     lambda: family_sweep(game=runner.GameFamily(("a",), lambda a: "game", (1.0,)))),
    ("runner.stack_grids", "grids[0]", "'x'", T, lambda: runner.stack_grids("x")),
    ("runner.stack_grids", "dim", "'x'", T,
     lambda: runner.stack_grids(runner.grid(dim=[8]), runner.grid(inner=[0.3]), dim="x", inner=0.3)),
]


@pytest.mark.parametrize("function, argument, shown, error, call", CASES,
                         ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in CASES])
def test_bad_input_names_the_argument_and_the_value(function, argument, shown, error, call):
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert isinstance(raised.value, ValueError), "every bad-input error of the library is a ValueError"
    assert argument in message, f"{function}: the message does not name {argument!r}: {message}"
    assert shown in message, f"{function}: the message does not show the value {shown!r}: {message}"


def test_the_table_covers_every_issue_case_and_150_rows():
    assert len(CASES) >= 150
    covered = {(function, argument, shown) for function, argument, shown, _, _ in CASES}
    issue_cases = {
        ("rules.sgd", "learning_rate", "True"), ("runner.grid", "learning_rate", "'abc'"),
        ("rules.adam", "learning_rate", "'0.1'"), ("rules.sgd", "momentum", "'0.5'"),
        ("runner.grid", "learning_rate", "write learning_rate=[0.1]"), ("runner.run", "key", "1.5"),
        ("runner.grid", "seed", "0.5"), ("games.bilinear", "matrix", "nan"), ("hidden.matrix_game", "matrix", "nan"),
        ("natural.integrate", "num_saves", "1"), ("runner.run", "key", "4294967296"),
        ("runner.run", "key", "1099511627776"), ("runner.grid", "seed", "4294967296"),
    }
    assert issue_cases <= covered, issue_cases - covered


def test_type_errors_are_also_value_errors():
    with pytest.raises(TypeError, match=r"learning_rate must be a finite number > 0 or a schedule.*; got True \(a bool, not a number\)"):
        rules.sgd(True)
    with pytest.raises(ValueError, match=r"got '0.1' \(a str\)"):
        rules.adam("0.1")


# Valid edge inputs still work, and give the numbers they gave before.

def test_numpy_scalars_and_arrays_are_numbers():
    update = lambda rule: rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))[0]
    np.testing.assert_array_equal(update(rules.sgd(np.float32(0.1), momentum=np.float64(-0.5))), update(rules.sgd(0.1)))
    np.testing.assert_array_equal(update(rules.sgd(np.int64(1))), update(rules.sgd(1)))
    np.testing.assert_array_equal(update(rules.adam(jnp.asarray(0.1), b1=np.float32(0.9))),
                                  update(optax.adam(jnp.asarray(0.1), b1=np.float32(0.9))))
    np.testing.assert_array_equal(update(rules.select([rules.sgd(0.1), rules.adam(0.1)], np.int32(1))),
                                  update(rules.adam(0.1)))
    assert schemes.consensus(SGD, gamma=np.float32(2.0)) is not None
    assert games.bilinear([[1.0, 0.0], [0.0, 1.0]], regularization=np.int64(0)) is not None


def test_hyper_parameters_may_be_traced_under_jit_and_vmap():
    def first_update(learning_rate, momentum):
        rule = rules.sgd(learning_rate, momentum=momentum)
        return rule.update(jnp.array([3.0, 4.0]), rule.init(jnp.zeros(2)))[0]

    swept = jax.jit(jax.vmap(first_update))(jnp.array([0.1, 0.2]), jnp.array([0.0, -0.5]))
    np.testing.assert_allclose(swept, [[-0.3, -0.4], [-0.6, -0.8]], rtol=1e-6)

    def anchored_step(gamma):
        scheme = schemes.anchoring(rules.adam(gamma), gamma=gamma)
        return scheme.step(GAME, scheme.init(ONES, ONES), None).x

    np.testing.assert_array_equal(jax.jit(anchored_step)(0.5), anchored_step(0.5))


def test_seeds_and_keys_in_their_accepted_forms_give_the_same_runs():
    reference = run(key=7, num_steps=3).metrics["field_norm"]
    for key in (np.int64(7), np.uint32(7), jax.random.PRNGKey(7)):
        np.testing.assert_array_equal(run(key=key, num_steps=3).metrics["field_norm"], reference)
    assert run(key=2**32 - 1).metrics["field_norm"].shape == (3,)
    points = runner.grid(learning_rate=np.array([0.1, 0.2]), seed=range(2))
    assert points.values["seed"].tolist() == [0, 1, 0, 1]
    assert runner.grid(learning_rate=jnp.array([0.1]), seed=np.array([2**32 - 1], dtype=np.uint32)).size == 1
    assert claims.Ledger("c.ipynb", profile="quick", seed=np.int64(3)).seed == 3


def test_verdicts_from_comparisons_are_accepted():
    ledger = claims.Ledger("c.ipynb", profile="quick", seed=0)
    assert ledger.record("a", "s", kind="verification", source="p", measured=1.0, expected=2.0,
                         holds=np.float64(1.0) < 2) == "holds"
    assert ledger.record("b", "s", kind="verification", source="p", measured=1.0, expected=2.0,
                         holds=jnp.asarray(3.0) < 2) == "does not hold"


def test_a_sweep_still_traces_its_hyper_parameters():
    points = runner.grid(learning_rate=[0.1, 0.2], seed=[0, 1])
    result = sweep(points=points)
    assert result.metrics["field_norm"].shape == (4, 3)
    assert not np.any(np.asarray(result.diverged))

r"""Running games: one run is one compiled ``lax.scan``; a sweep is one ``vmap`` of it.

:func:`run` plays a scheme on a game for ``num_steps`` iterations and logs metrics every ``log_every``
steps (and at step 0). :func:`sweep` runs a whole grid of hyper-parameters and seeds as a single compiled
call, sharded over the devices when several are visible; given a :class:`GameFamily` instead of a game, the
same call also sweeps the game itself (its dimension, its data, how the players start) as traced inputs.
:func:`grid` and :func:`stack_grids` build the grids.

A run whose iterate becomes non-finite is *diverged*: its state is frozen at the last finite iterate,
``diverged_at`` records the step at which it blew up, metrics logged afterwards are NaN, and the other
runs of the sweep carry on.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from minimax import _validation
from minimax.games import Game
from minimax.metrics import Metric, field_norm, tree_all_finite
from minimax.schemes import Scheme, SchemeState

PyTree = Any


class RunResult(NamedTuple):
    """What a run (or, with leading axes, a sweep of runs) returns.

    Attributes:
      metrics: ``{name: array}``, each of shape ``(..., num_logs)``; entry ``k`` is logged after
        ``steps[k]`` iterations (``steps[0] = 0``, the starting point).
      steps: the iteration counts at which metrics were logged, shape ``(num_logs,)``.
      final: the final :class:`~minimax.schemes.SchemeState` (the last finite one for diverged runs).
      diverged_at: the step at which the iterate first became non-finite, or ``-1``.
    """

    metrics: dict
    steps: np.ndarray
    final: SchemeState
    diverged_at: jax.Array

    @property
    def diverged(self) -> jax.Array:
        """Whether each run diverged."""
        return self.diverged_at >= 0

    def on_grid(self, points: Grid) -> RunResult:
        """The result of ``sweep(..., points, ...)`` with its axis of runs reshaped to ``points.shape``.

        Metrics become NumPy arrays of shape ``(*points.shape, num_logs)``, every leaf of ``final`` gets
        the grid's axes in front, and ``diverged_at`` has shape ``points.shape``.

        Example:
          >>> from minimax import games, rules, schemes
          >>> points = grid(learning_rate=[0.1, 0.5], seed=[0, 1, 2])
          >>> result = sweep(games.bilinear(jnp.eye(2)), lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)),
          ...                lambda key: (jax.random.normal(key, (2,)), jnp.ones(2)), points, num_steps=4).on_grid(points)
          >>> result.metrics["field_norm"].shape, result.final.x.shape, result.diverged.shape
          ((2, 3, 5), (2, 3, 2), (2, 3))
        """
        _validation.check_instance("points", points, Grid, "the grid this result was swept on")
        if jnp.shape(self.diverged_at) != (points.size,):
            raise ValueError(f"points must be the grid this result was swept on, with {jnp.shape(self.diverged_at)[0]} "
                             f"points; got a grid of shape {points.shape} ({points.size} points).")
        metrics = points.unflatten({name: np.asarray(value) for name, value in self.metrics.items()})
        return RunResult(metrics, self.steps, points.unflatten(self.final), points.unflatten(self.diverged_at))


def _check_entry_points(game, scheme, scheme_name, metrics) -> None:
    """The game, the scheme (or the function making it) and the metric of a run or sweep, before any tracing."""
    _validation.check_instance("game", game, Game, "e.g. minimax.games.bilinear(matrix), or a GameFamily in a sweep")
    if scheme_name == "scheme":
        _validation.check_instance("scheme", scheme, Scheme, "e.g. minimax.schemes.simultaneous(rules.sgd(0.1))")
    else:
        _validation.check_callable(scheme_name, scheme, "a function of the grid's hyper-parameters returning a Scheme")
    _validation.check_callable("metrics", metrics, "a function (game, state, key) -> {name: value}")


def _check_schedule(num_steps, log_every) -> None:
    _validation.check_positive_int("num_steps", num_steps)
    _validation.check_positive_int("log_every", log_every)
    if num_steps % log_every:
        raise ValueError(f"num_steps must be a multiple of log_every={log_every}; got num_steps={num_steps}.")


def _check_players(game: Game, x0, y0) -> None:
    """Trace (without compiling) both losses on abstract copies of the players to catch shape mismatches."""
    try:
        batch = jax.eval_shape(game.sample, jax.random.PRNGKey(0))
        for name, loss in (("loss_x", game.loss_x), ("loss_y", game.loss_y)):
            value = jax.eval_shape(loss, x0, y0, batch)
            if value.shape != ():
                raise ValueError(f"the game's {name} must return a scalar; it returns shape {value.shape}.")
    except (TypeError, ValueError) as error:
        shapes = jax.tree_util.tree_map(np.shape, (x0, y0))
        raise ValueError(f"x0 and y0 (shapes {shapes[0]} and {shapes[1]}) do not fit the game: {error}") from None


def _as_key(key) -> jax.Array:
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        _validation.check_seed("key", key)
        return jax.random.PRNGKey(key)
    _validation.check_key("key (a PRNG key or an integer seed)", key)
    return key


def _play(game: Game, scheme: Scheme, num_steps: int, log_every: int, metrics: Metric, x0, y0, key):
    """The pure, traceable body of a run: an outer scan over logs around an inner scan over steps."""

    def one_step(carry, step_key):
        state, diverged_at = carry
        proposed = scheme.step(game, state, step_key)
        finite = tree_all_finite((proposed.x, proposed.y))
        diverged_at = jnp.where((diverged_at < 0) & ~finite, proposed.step, diverged_at)
        alive = diverged_at < 0
        state = jax.tree_util.tree_map(lambda new, old: jnp.where(alive, new, old), proposed, state)
        return (state, diverged_at), None

    def logged(state, diverged_at, metric_key):
        values = metrics(game, state, metric_key)
        return jax.tree_util.tree_map(lambda v: jnp.where(diverged_at < 0, v, jnp.nan), values)

    def one_block(carry, block_key):
        steps_key, metric_key = jax.random.split(block_key)
        carry, _ = jax.lax.scan(one_step, carry, jax.random.split(steps_key, log_every))
        return carry, logged(*carry, metric_key)

    run_key, first_metric_key = jax.random.split(key)
    start = (scheme.init(x0, y0), jnp.asarray(-1, jnp.int32))
    (final, diverged_at), history = jax.lax.scan(
        one_block, start, jax.random.split(run_key, num_steps // log_every)
    )
    initial = logged(*start, first_metric_key)
    history = jax.tree_util.tree_map(lambda first, rest: jnp.concatenate([first[None], rest]), initial, history)
    return history, final, diverged_at


def _log_steps(num_steps: int, log_every: int) -> np.ndarray:
    return np.arange(0, num_steps + 1, log_every)


class GameFamily(NamedTuple):
    r"""Games indexed by numbers that a sweep *traces*, so that one compiled program covers the whole family.

    :func:`sweep` compiles one program per :class:`~minimax.games.Game`; a study over, say, the data's
    dimension would compile once per value. Given a family, :func:`sweep` reads the grid's axes named in
    ``axes`` as the game's numbers and passes them, as traced scalars, to ``build``.

    Attributes:
      axes: the names of the grid axes that set the game (every other axis but ``seed`` goes to the scheme).
      build: ``(**values) -> (game, init, metrics)``: the game at those values, the function ``key -> (x0, y0)``
        drawing its players, and the metric logged. Sizes must not depend on the values (they are traced).
      defaults: the value of each axis, in ``axes`` order, where the grid lacks it.
      check: ``{axis: values} -> None``, called with the concrete column of every axis before compiling;
        raises ``ValueError`` naming the axis and what it accepts.

    Before compiling, :func:`sweep` builds the first point's game with concrete values and checks it as it checks
    a plain game: a :class:`~minimax.games.Game`, callable ``init`` and metric, finite players that fit the losses.

    A compiled sweep is reused for any family with the same ``axes`` and an equal ``build`` of the same type
    (``defaults`` and ``check`` are not part of the program), so ``build`` should be an object that compares
    equal when it builds the same games: a module-level function, or a named tuple with a ``__call__``.
    """

    axes: tuple
    build: Callable
    defaults: tuple
    check: Callable | None = None


def run(
    game: Game,
    scheme: Scheme,
    x0: PyTree,
    y0: PyTree,
    num_steps: int,
    key=0,
    log_every: int = 1,
    metrics: Metric = field_norm,
) -> RunResult:
    r"""Play ``scheme`` on ``game`` from ``(x0, y0)`` for ``num_steps`` iterations, as one compiled scan.

    Args:
      game: the :class:`~minimax.games.Game`.
      scheme: a :class:`~minimax.schemes.Scheme` with its rules.
      x0, y0: the starting parameters (pytrees of finite arrays).
      num_steps: number of iterations, a multiple of ``log_every``.
      key: a PRNG key or an integer seed (mini-batches of stochastic games).
      log_every: metrics are computed every ``log_every`` steps.
      metrics: ``(game, state, key) -> {name: value}``, see :mod:`minimax.metrics`.

    Example:
      >>> from minimax import games, rules, schemes, metrics
      >>> result = run(games.bilinear(jnp.eye(1)), schemes.extragradient(rules.sgd(0.5)),
      ...              jnp.ones(1), jnp.ones(1), num_steps=10, metrics=metrics.distance_to_origin)
      >>> result.metrics["distance"].shape
      (11,)
    """
    _check_entry_points(game, scheme, "scheme", metrics)
    _check_schedule(num_steps, log_every)
    _validation.check_finite_tree("x0", x0)
    _validation.check_finite_tree("y0", y0)
    key = _as_key(key)
    _check_players(game, x0, y0)
    play = jax.jit(functools.partial(_play, game, scheme, num_steps, log_every, metrics))
    history, final, diverged_at = play(x0, y0, key)
    return RunResult(history, _log_steps(num_steps, log_every), final, diverged_at)


class Grid(NamedTuple):
    """A cartesian grid of hyper-parameters, flattened to one axis of ``size`` points.

    ``values[name][i]`` is the value of ``name`` at point ``i``; :meth:`unflatten` reshapes a sweep's
    arrays from ``(size, ...)`` back to ``(*shape, ...)``, one axis per name in ``names`` order.
    """

    values: dict
    names: tuple
    shape: tuple

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def point(self, index: int) -> dict:
        """The hyper-parameters of point ``index`` as Python numbers."""
        _validation.check_nonnegative_int("index", index)
        if index >= self.size:
            raise ValueError(f"index must be an integer from 0 to {self.size - 1} (a point of the grid); got {index!r}.")
        return {name: self.values[name][index].item() for name in self.names}

    def unflatten(self, tree):
        """Reshape every leaf's leading axis ``size`` into the grid's ``shape``."""
        return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf).reshape(self.shape + np.shape(leaf)[1:]), tree)


def grid(**axes) -> Grid:
    """The cartesian product of the given axes, e.g. ``grid(learning_rate=[0.1, 0.5], seed=range(4))``.

    Example:
      >>> g = grid(learning_rate=[0.1, 0.2, 0.3], seed=[0, 1])
      >>> g.shape, g.values["seed"].tolist()
      ((3, 2), [0, 1, 0, 1, 0, 1])
    """
    if not axes:
        raise ValueError("grid needs at least one axis, e.g. grid(learning_rate=[0.1, 0.2]).")
    names = tuple(axes)
    columns = {name: _validation.check_grid_axis(name, values) for name, values in axes.items()}
    points = list(itertools.product(*(columns[name].tolist() for name in names)))
    values = {name: np.asarray([p[i] for p in points], dtype=columns[name].dtype) for i, name in enumerate(names)}
    return Grid(values, names, tuple(len(columns[name]) for name in names))


def stack_grids(*grids: Grid, **defaults) -> tuple[Grid, list[slice]]:
    r"""Concatenate several grids into one flat grid, to run several studies as one :func:`sweep` call.

    Axes missing from a grid take the value in ``defaults``. Returns the stacked grid (shape ``(N,)``) and
    one ``slice`` per input grid, to cut the sweep's results back into the studies.

    Example:
      >>> both, parts = stack_grids(grid(dim=[32, 64], seed=[0]), grid(inner=[0.1], seed=[0]), dim=64, inner=0.3)
      >>> both.values["dim"].tolist(), both.values["inner"].tolist(), parts[1]
      ([32, 64, 64], [0.3, 0.3, 0.1], slice(2, 3, None))
    """
    if not grids:
        raise ValueError("stack_grids needs at least one grid.")
    for position, one in enumerate(grids):
        _validation.check_instance(f"grids[{position}]", one, Grid, "e.g. minimax.runner.grid(dim=[32, 64])")
    for name, value in defaults.items():
        _validation.check_number(name, value, "a number (the value of the axis in grids that lack it)")
    names = []
    for one in grids:
        names += [name for name in one.names if name not in names]
    missing = [name for name in names if any(name not in one.names for one in grids) and name not in defaults]
    if missing:
        raise ValueError(f"stack_grids needs a default for the axes {missing}, which some grids lack.")
    columns, parts, start = {name: [] for name in names}, [], 0
    for one in grids:
        for name in names:
            columns[name].append(np.asarray(one.values[name]) if name in one.names else np.full(one.size, defaults[name]))
        parts.append(slice(start, start + one.size))
        start += one.size
    values = {name: np.concatenate(column) for name, column in columns.items()}
    return Grid(values, tuple(names), (start,)), parts


@functools.lru_cache(maxsize=64)
def _compiled_sweep(game, make_scheme, num_steps, log_every, metrics, hyper_names):
    """One jitted, vmapped function per sweep configuration, so that re-sweeping new values reuses it."""

    def one(hypers, x0, y0, key):
        scheme = make_scheme(**dict(zip(hyper_names, hypers)))
        return _play(game, scheme, num_steps, log_every, metrics, x0, y0, key)

    return jax.jit(jax.vmap(one))


@functools.lru_cache(maxsize=64)
def _compiled_family_sweep(axes, build, build_type, make_scheme, num_steps, log_every, hyper_names):
    """As :func:`_compiled_sweep`, with the game, its players and its metric built from traced values.

    ``build_type`` is part of the key because named tuples of different types compare equal on equal fields.
    """

    def one(hypers, values, key):
        game, init, metrics = build(**dict(zip(axes, values)))
        init_key, run_key = jax.random.split(key)
        x0, y0 = init(init_key)
        scheme = make_scheme(**dict(zip(hyper_names, hypers)))
        return _play(game, scheme, num_steps, log_every, metrics, x0, y0, run_key)

    return jax.jit(jax.vmap(one))


def _shard_leading_axis(tree, size: int):
    """Pad the leading axis to a multiple of the device count and shard it across devices."""
    devices = jax.devices()
    if len(devices) == 1:
        return tree
    padded = -(-size // len(devices)) * len(devices)
    sharding = NamedSharding(Mesh(np.asarray(devices), ("runs",)), PartitionSpec("runs"))

    def pad_and_place(leaf):
        leaf = jnp.asarray(leaf)
        padding = jnp.repeat(leaf[-1:], padded - size, axis=0)
        return jax.device_put(jnp.concatenate([leaf, padding]), sharding)

    return jax.tree_util.tree_map(pad_and_place, tree)


def sweep(
    game: Game | GameFamily,
    make_scheme: Callable[..., Scheme],
    init: Callable[[jax.Array], tuple[PyTree, PyTree]] | None,
    points: Grid,
    num_steps: int,
    log_every: int = 1,
    metrics: Metric | None = None,
) -> RunResult:
    r"""Run every point of a grid as one compiled, vmapped call.

    Each point's hyper-parameters (every axis except ``seed`` and a family's game axes) are passed as keyword
    arguments to ``make_scheme``; its ``seed`` (0 when the grid has none) gives the key from which the
    starting point and the run's mini-batches are drawn. Every point is validated *before* compiling by
    building its scheme with concrete values, so a bad step size raises a clear ``ValueError`` at once.
    The result has a leading axis of ``points.size`` runs (use ``points.unflatten`` or
    :meth:`RunResult.on_grid`); when several devices are visible the runs are sharded across them (e.g. the
    CPU cores, exposed with ``XLA_FLAGS=--xla_force_host_platform_device_count=2``).

    Args:
      game: a :class:`~minimax.games.Game`, or a :class:`GameFamily` whose axes in the grid set the game of
        each point (then ``init`` and ``metrics`` are ``None``: the family builds them).
      make_scheme: a function of the grid's hyper-parameters returning a :class:`~minimax.schemes.Scheme`.
      init: ``key -> (x0, y0)``, drawing the players of a seed (``None`` with a family).
      points: a :func:`grid` (or :func:`stack_grids`).
      num_steps, log_every: as in :func:`run`.
      metrics: as in :func:`run` (default :func:`~minimax.metrics.field_norm`; ``None`` with a family).

    Example:
      >>> from minimax import games, rules, schemes
      >>> points = grid(learning_rate=[0.1, 0.5], seed=[0, 1, 2])
      >>> result = sweep(games.bilinear(jnp.eye(2)), lambda learning_rate: schemes.extragradient(rules.sgd(learning_rate)),
      ...                lambda key: (jax.random.normal(key, (2,)), jnp.ones(2)), points, num_steps=20)
      >>> points.unflatten(result.metrics["field_norm"]).shape
      (2, 3, 21)

      A family of bilinear games :math:`x^\top (aI) y`, swept over :math:`a` in the same program:

      >>> from minimax import metrics
      >>> def scaled(a):
      ...     return games.bilinear(a * jnp.eye(2)), lambda key: (jnp.ones(2), jnp.ones(2)), metrics.field_norm
      >>> family = GameFamily(axes=("a",), build=scaled, defaults=(1.0,))
      >>> points = grid(learning_rate=[0.1], a=[0.5, 1.0, 2.0])
      >>> result = sweep(family, lambda learning_rate: schemes.simultaneous(rules.sgd(learning_rate)), None,
      ...                points, num_steps=1)
      >>> result.metrics["field_norm"][:, 0].round(3).tolist()  # ‖F(z₀)‖ = a‖(1, 1, 1, 1)‖
      [1.0, 2.0, 4.0]
    """
    is_family = isinstance(game, GameFamily)
    if is_family:
        _check_family(game, init, metrics)
        _validation.check_callable("make_scheme", make_scheme, "a function of the grid's hyper-parameters returning a Scheme")
    else:
        metrics = field_norm if metrics is None else metrics
        _check_entry_points(game, make_scheme, "make_scheme", metrics)
        _validation.check_callable("init", init, "a function key -> (x0, y0)")
    _validation.check_instance("points", points, Grid, "e.g. minimax.runner.grid(learning_rate=[0.1, 0.2])")
    _check_schedule(num_steps, log_every)
    if "seed" in points.values:
        _validation.check_seeds("the grid's seed axis", points.values["seed"])
    game_axes = game.axes if is_family else ()
    hyper_names = tuple(name for name in points.names if name != "seed" and name not in game_axes)
    for index in range(points.size):
        make_scheme(**{name: points.values[name][index].item() for name in hyper_names})
    seeds = points.values.get("seed", np.zeros(points.size, dtype=np.int64))
    keys = jax.vmap(jax.random.PRNGKey)(jnp.asarray(seeds))
    hypers = tuple(jnp.asarray(points.values[name], dtype=jnp.float32) for name in hyper_names)
    if is_family:
        columns = {name: np.asarray(points.values[name] if name in points.values else np.full(points.size, default),
                                    dtype=float) for name, default in zip(game.axes, game.defaults)}
        if game.check is not None:
            game.check(columns)
        values = tuple(jnp.asarray(columns[name], dtype=jnp.float32) for name in game.axes)
        _check_family_point(game, tuple(value[0] for value in values), keys[0])
        swept = _compiled_family_sweep(game.axes, game.build, type(game.build), make_scheme, num_steps, log_every,
                                       hyper_names)
        outputs = swept(*_shard_leading_axis((hypers, values, keys), points.size))
    else:
        init_keys, run_keys = jnp.moveaxis(jax.vmap(jax.random.split)(keys), 1, 0)
        x0, y0 = jax.vmap(init)(init_keys)
        _validation.check_finite_tree("x0 (from init)", x0)
        _validation.check_finite_tree("y0 (from init)", y0)
        _check_players(game, *jax.tree_util.tree_map(lambda leaf: leaf[0], (x0, y0)))
        swept = _compiled_sweep(game, make_scheme, num_steps, log_every, metrics, hyper_names)
        outputs = swept(*_shard_leading_axis((hypers, x0, y0, run_keys), points.size))
    history, final, diverged_at = jax.tree_util.tree_map(lambda leaf: leaf[: points.size], outputs)
    return RunResult(history, _log_steps(num_steps, log_every), final, diverged_at)


def _check_family_point(family: GameFamily, values, key) -> None:
    """Build the first point's game, players and metric with concrete values, as the non-family path checks them."""
    built = family.build(**dict(zip(family.axes, values)))
    if not isinstance(built, tuple) or len(built) != 3:
        raise _validation.ArgumentTypeError(
            f"the family's build must return (game, init, metrics); it returned {type(built).__name__} {built!r:.80}.")
    game, init, metrics = built
    _validation.check_instance("the game built by the family", game, Game, "a minimax.games.Game")
    _validation.check_callable("the init built by the family", init, "a function key -> (x0, y0)")
    _validation.check_callable("the metric built by the family", metrics, "a function (game, state, key) -> {name: value}")
    x0, y0 = init(jax.random.split(key)[0])
    _validation.check_finite_tree("x0 (from the family's init)", x0)
    _validation.check_finite_tree("y0 (from the family's init)", y0)
    _check_players(game, x0, y0)


def _check_family(family: GameFamily, init, metrics) -> None:
    if init is not None or metrics is not None:
        given = "init" if init is not None else "metrics"
        raise ValueError(f"{given} must be None when game is a GameFamily (its build function returns the game, "
                         f"init and metrics of each point); got {given}={init if init is not None else metrics!r}.")
    _validation.check_callable("the family's build", family.build, "a function (**values) -> (game, init, metrics)")
    if not isinstance(family.axes, tuple) or not all(isinstance(name, str) for name in family.axes):
        raise _validation.ArgumentTypeError(f"the family's axes must be a tuple of axis names; got {family.axes!r}.")
    if not isinstance(family.defaults, tuple) or len(family.defaults) != len(family.axes):
        raise _validation.ArgumentTypeError(
            f"the family's defaults must be a tuple of one number per axis ({len(family.axes)}: {family.axes}); "
            f"got {family.defaults!r}.")
    for name, default in zip(family.axes, family.defaults):
        _validation.check_number(f"the family's default for {name}", default)
    if family.check is not None:
        _validation.check_callable("the family's check", family.check, "a function {axis: values} -> None, or None")

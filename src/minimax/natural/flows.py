r"""Continuous-time dynamics of hidden games, integrated with an adaptive ODE solver (diffrax).

The natural-gradient flow in the hidden-mapping geometry (Mladenovic et al., 2022) is

.. math::

   \dot\theta = -(A_\theta + \delta I)^{-1}\nabla_\theta\Psi(\theta, \phi), \qquad
   \dot\phi = (B_\phi + \delta I)^{-1}\nabla_\phi\Psi(\theta, \phi),

with :math:`A_\theta = w_xJ_\theta^\top J_\theta`, :math:`B_\phi = w_yJ_\phi^\top J_\phi` and the pseudo-inverse for
:math:`\delta = 0` (the flow of the theorems); plain gradient descent–ascent is
:math:`\dot\theta = -\nabla_\theta\Psi`, :math:`\dot\phi = \nabla_\phi\Psi`.

The flows are integrated with diffrax (Kidger, 2021), JAX's ODE library: explicit Runge–Kutta
solvers with embedded error estimates (Tsit5 by default, Dopri8 for tight tolerances) and a PID step-size
controller, jit- and vmap-able over initial conditions. A quantity measured along the solution is a
property of the flow only if it does not move when ``rtol``/``atol`` tighten: :func:`integrate`
returns the number of steps so that this can be checked, and :func:`time_derivative` differentiates a
saved quantity in time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation
from minimax.hidden.games import HiddenGame, MLPPlayer, output_gradients, payoff
from minimax.natural.solvers import METHODS, natural_direction, pushthrough_direction

PyTree = Any
SOLVERS = {"tsit5": diffrax.Tsit5, "dopri5": diffrax.Dopri5, "dopri8": diffrax.Dopri8}


def _check_hidden(hidden) -> None:
    _validation.check_instance("hidden", hidden, HiddenGame, "e.g. minimax.hidden.matching_pennies(player_x, player_y)")


def natural_field(hidden: HiddenGame, method: str = "dual", damping=0.0, rcond=1e-6, player_x=None, player_y=None,
                  **options) -> Callable:
    r"""The natural-gradient vector field ``(t, (theta, phi), args) -> (theta_dot, phi_dot)``.

    ``method="dual"`` uses the push-through form on the output gradients,
    :math:`\dot\theta = -J_\theta^\top(w_xJ_\theta J_\theta^\top + \delta I)^{-1}\nabla_F L`; the other methods
    precondition :math:`\nabla_\theta\Psi` (``"kfac"`` needs ``player_x``/``player_y`` as MLPPlayers).
    """
    _check_hidden(hidden)
    _validation.check_choice("method", method, METHODS)
    _validation.check_nonnegative("damping", damping)
    _validation.check_positive("rcond", rcond)
    px = hidden.outputs_x if player_x is None else player_x
    py = hidden.outputs_y if player_y is None else player_y
    if method == "kfac" and not (isinstance(px, MLPPlayer) and isinstance(py, MLPPlayer)):
        raise ValueError("method='kfac' needs player_x and player_y given as MLPPlayers.")

    def field(t, z, args=None):
        x, y = z
        if method == "dual":
            grad_F, grad_G = output_gradients(hidden, x, y)
            dx = pushthrough_direction(hidden.outputs_x, x, grad_F, damping, hidden.weight_x, rcond)
            dy = pushthrough_direction(hidden.outputs_y, y, grad_G, damping, hidden.weight_y, rcond)
        else:
            grad_x, grad_y = jax.grad(lambda a, b: payoff(hidden, a, b), argnums=(0, 1))(x, y)
            dx = natural_direction(method, px, x, grad_x, damping, hidden.weight_x, **options)
            dy = natural_direction(method, py, y, grad_y, damping, hidden.weight_y, **options)
        return jax.tree_util.tree_map(jnp.negative, dx), dy

    return field


def gda_field(hidden: HiddenGame) -> Callable:
    r"""Gradient descent–ascent, :math:`(\dot\theta, \dot\phi) = (-\nabla_\theta\Psi, \nabla_\phi\Psi)`."""
    _check_hidden(hidden)

    def field(t, z, args=None):
        grad_x, grad_y = jax.grad(lambda a, b: payoff(hidden, a, b), argnums=(0, 1))(*z)
        return jax.tree_util.tree_map(jnp.negative, grad_x), grad_y

    return field


class Trajectory(NamedTuple):
    """An integrated flow: ``xs``/``ys`` saved at ``ts`` (leading axis), with the solver's statistics.

    ``num_steps`` counts accepted and rejected steps; ``ok`` is False when diffrax stopped early
    (step-size collapse or ``max_steps``), in which case the saved values after the stop are ``inf``.
    """

    ts: jax.Array
    xs: PyTree
    ys: PyTree
    num_steps: jax.Array
    ok: jax.Array


@functools.partial(jax.jit, static_argnames=("field", "num_saves", "solver", "max_steps"))
def _solve(field, x0, y0, t1, num_saves, rtol, atol, solver, max_steps):
    ts = jnp.linspace(0.0, t1, num_saves)
    solution = diffrax.diffeqsolve(
        diffrax.ODETerm(field), SOLVERS[solver](), t0=0.0, t1=t1, dt0=None, y0=(x0, y0),
        saveat=diffrax.SaveAt(ts=ts), stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
        max_steps=max_steps, throw=False,
    )
    xs, ys = solution.ys
    return Trajectory(ts, xs, ys, solution.stats["num_steps"], solution.result == diffrax.RESULTS.successful)


def integrate(field: Callable, x0: PyTree, y0: PyTree, t1: float, num_saves: int = 201, rtol: float = 1e-6,
              atol: float = 1e-8, solver: str = "tsit5", max_steps: int = 100_000, batched: bool = False) -> Trajectory:
    r"""Integrate ``field`` from :math:`(\theta_0, \phi_0)` over :math:`[0, t_1]` with an adaptive Runge–Kutta solver.

    Args:
      field: ``(t, (x, y), args) -> (x_dot, y_dot)``, e.g. :func:`natural_field` or :func:`gda_field`.
      x0, y0: starting parameters (with a leading batch axis when ``batched``: one solve per start, vmapped).
      t1: the final time, > 0.
      num_saves: values are saved at ``num_saves`` equally spaced times, ``ts[0] = 0``.
      rtol, atol: the tolerances of the PID step-size controller, > 0.
      solver: ``"tsit5"``, ``"dopri5"`` or ``"dopri8"``.

    Example:
      >>> from minimax import hidden
      >>> game = hidden.matching_pennies(jax.nn.sigmoid, jax.nn.sigmoid, regularization=1.0)
      >>> path = integrate(gda_field(game), jnp.ones(1), jnp.zeros(1), t1=1.0, num_saves=3)
      >>> path.xs.shape
      (3, 1)
    """
    _validation.check_callable("field", field, "a vector field (t, (x, y), args) -> (x_dot, y_dot)")
    _validation.check_positive("t1", t1)
    _validation.check_positive_int("num_saves", num_saves)
    if num_saves < 2:
        raise ValueError(f"num_saves must be an integer >= 2 (the start t = 0 and the end t = t1 at least); "
                         f"got {num_saves!r}.")
    _validation.check_positive("rtol", rtol)
    _validation.check_positive("atol", atol)
    _validation.check_choice("solver", solver, SOLVERS)
    _validation.check_positive_int("max_steps", max_steps)
    _validation.check_finite_tree("x0", x0)
    _validation.check_finite_tree("y0", y0)
    _validation.check_bool("batched", batched)
    solve = functools.partial(_solve, field, t1=t1, num_saves=num_saves, rtol=rtol, atol=atol, solver=solver,
                              max_steps=max_steps)
    if batched:
        return jax.vmap(lambda a, b: solve(a, b))(x0, y0)
    return solve(x0, y0)


def along(trajectory: Trajectory, quantity: Callable[[PyTree, PyTree], jax.Array]) -> jax.Array:
    """``quantity(x, y)`` at every saved time (vmapped over the time axis, and the batch axis if any)."""
    _validation.check_instance("trajectory", trajectory, Trajectory, "what minimax.natural.integrate returns")
    _validation.check_callable("quantity", quantity, "a function (x, y) -> array")
    leading = jnp.ndim(trajectory.ts)
    fn = jax.vmap(quantity)
    for _ in range(leading - 1):
        fn = jax.vmap(fn)
    return fn(trajectory.xs, trajectory.ys)


def time_derivative(ts, values) -> np.ndarray:
    r"""The time derivative of a saved quantity, by second-order finite differences (:func:`numpy.gradient`) on the last axis."""
    _validation.check_numbers("ts", ts)
    _validation.check_numbers("values", values)
    return np.gradient(np.asarray(values), np.asarray(ts), axis=-1)

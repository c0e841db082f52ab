r"""Closed-form contraction factors of the schemes on the bilinear game :math:`\min_x\max_y x^\top A y`.

Per singular value :math:`\sigma` of :math:`A` the game splits into independent 2-D blocks
:math:`(x_i, y_i)` with field :math:`F = (\sigma y_i, -\sigma x_i)`, and every scheme with plain SGD rules
is a linear recurrence on each block. Its *rate* is the spectral radius :math:`\rho` of the recurrence:
the distance to the equilibrium behaves like :math:`\rho^t`, so the scheme converges iff :math:`\rho < 1`.
Writing :math:`a = \eta\sigma`:

* simultaneous GDA: :math:`\sqrt{1 + a^2}` (diverges for every step size);
* alternating GDA: :math:`1` for :math:`a \le 2` (bounded cycles), larger beyond;
* extragradient: :math:`\sqrt{1 - a^2 + a^4}` (converges iff :math:`a < 1`);
* optimistic GDA: see :func:`optimistic_rate` (converges iff :math:`a < 1/\sqrt3`);
* Hamiltonian GD: :math:`|1 - \eta\sigma^2|`;
* consensus / SGA: :math:`\sqrt{(1 - \eta\gamma\sigma^2)^2 + \eta^2\sigma^2}`;
* heavy-ball (simultaneous) and negative momentum (alternating): spectral radii of the 4×4 recurrences,
  computed by :func:`momentum_rate`.

Functions take NumPy arrays and broadcast; they are the *theory* against which the chapters and the tests
compare the iterates that :mod:`minimax.schemes` produces. :data:`CLASSIC_METHODS` pairs each method
(built from :mod:`minimax.schemes` and :mod:`minimax.rules`) with its closed form, and
:func:`measured_rate` reads the rate off a run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from minimax import _validation, rules, schemes
from minimax.schemes import Scheme


def _check_rate_arguments(eta, sigma, **others) -> None:
    """The step sizes, the singular value and any other coefficient of a closed form: real numbers or arrays of them."""
    for name, value in (("eta", eta), ("sigma", sigma), *others.items()):
        _validation.check_numbers(name, value)


def simultaneous_rate(eta, sigma=1.0):
    r"""Simultaneous GDA: :math:`\|z_{t+1}\| = \sqrt{1 + \eta^2\sigma^2}\,\|z_t\|` exactly."""
    _check_rate_arguments(eta, sigma)
    a = np.asarray(eta) * sigma
    return np.sqrt(1 + a**2)


def alternating_rate(eta, sigma=1.0):
    r"""Alternating GDA: eigenvalues solve :math:`\lambda^2 - (2 - a^2)\lambda + 1 = 0`; modulus 1 for :math:`a \le 2`."""
    _check_rate_arguments(eta, sigma)
    a = np.asarray(eta, dtype=float) * sigma
    b = np.abs(a**2 - 2)
    return np.where(a <= 2, 1.0, (b + np.sqrt(np.maximum(b**2 - 4, 0.0))) / 2)


def extragradient_rate(eta, sigma=1.0):
    r"""Extragradient: :math:`\sqrt{1 - a^2 + a^4}`, minimal (:math:`\sqrt3/2`) at :math:`a = 1/\sqrt2`."""
    _check_rate_arguments(eta, sigma)
    a = np.asarray(eta) * sigma
    return np.sqrt(1 - a**2 + a**4)


def optimistic_rate(eta, sigma=1.0):
    r"""Optimistic GDA, :math:`z_{t+1} = z_t - 2\eta F(z_t) + \eta F(z_{t-1})`.

    .. math::

       \rho = \begin{cases}
         \sqrt{\bigl(1 + \sqrt{1 - 4a^2}\bigr)/2} & a \le 1/2,\\
         \sqrt{\bigl(1 + (2a + \sqrt{4a^2 - 1})^2\bigr)/4} & a > 1/2,
       \end{cases}

    minimal (:math:`1/\sqrt2`) at :math:`a = 1/2`, below 1 iff :math:`a < 1/\sqrt3`.
    """
    _check_rate_arguments(eta, sigma)
    a = np.asarray(eta, dtype=float) * sigma
    small = np.sqrt((1 + np.sqrt(np.maximum(1 - 4 * a**2, 0.0))) / 2)
    large = np.sqrt((1 + (2 * a + np.sqrt(np.maximum(4 * a**2 - 1, 0.0))) ** 2) / 4)
    return np.where(a <= 0.5, small, large)


def hamiltonian_rate(eta, sigma=1.0):
    r"""Hamiltonian GD: gradient descent on :math:`\tfrac12\sigma^2\|z\|^2`, factor :math:`|1 - \eta\sigma^2|`."""
    _check_rate_arguments(eta, sigma)
    return np.abs(1 - np.asarray(eta) * sigma**2)


def consensus_rate(eta, gamma, sigma=1.0):
    r"""Consensus optimization / SGA: :math:`\sqrt{(1 - \eta\gamma\sigma^2)^2 + \eta^2\sigma^2}`."""
    _check_rate_arguments(eta, sigma, gamma=gamma)
    eta = np.asarray(eta)
    return np.sqrt((1 - eta * gamma * sigma**2) ** 2 + (eta * sigma) ** 2)


def momentum_iteration_matrix(eta: float, beta: float, sigma: float = 1.0, alternating: bool = False) -> np.ndarray:
    r"""The linear map :math:`(x_t, y_t, x_{t-1}, y_{t-1}) \mapsto (x_{t+1}, y_{t+1}, x_t, y_t)` of heavy-ball GDA.

    .. math::

       x_{t+1} = x_t - \eta\sigma y_t + \beta(x_t - x_{t-1}), \qquad
       y_{t+1} = y_t + \eta\sigma \tilde x + \beta(y_t - y_{t-1}),

    with :math:`\tilde x = x_t` (simultaneous) or :math:`\tilde x = x_{t+1}` (alternating).
    """
    for name, value in (("eta", eta), ("beta", beta), ("sigma", sigma)):
        _validation.check_number(name, value)
    _validation.check_bool("alternating", alternating)
    a = eta * sigma
    x_row = np.array([1 + beta, -a, -beta, 0.0])
    if alternating:
        y_row = np.array([a * (1 + beta), 1 + beta - a**2, -a * beta, -beta])
    else:
        y_row = np.array([a, 1 + beta, 0.0, -beta])
    return np.stack([x_row, y_row, [1.0, 0, 0, 0], [0, 1.0, 0, 0]])


def momentum_rate(eta, beta, sigma=1.0, alternating=False):
    """Spectral radius of :func:`momentum_iteration_matrix`, broadcast over ``eta`` and ``beta``."""
    _check_rate_arguments(eta, sigma, beta=beta)
    eta, beta = np.broadcast_arrays(np.asarray(eta, dtype=float), np.asarray(beta, dtype=float))
    radii = [
        np.max(np.abs(np.linalg.eigvals(momentum_iteration_matrix(e, b, sigma, alternating))))
        for e, b in zip(eta.ravel(), beta.ravel())
    ]
    return np.asarray(radii).reshape(eta.shape)


def game_rate(rate_fn, eta, singular_values, **kwargs):
    """The rate on a whole bilinear game: the worst (largest) block rate over its singular values."""
    _validation.check_callable("rate_fn", rate_fn, "a closed-form rate, e.g. extragradient_rate")
    _validation.check_numbers("singular_values", singular_values)
    return np.max([rate_fn(eta, sigma=s, **kwargs) for s in np.atleast_1d(singular_values)], axis=0)


def measured_rate(steps, distance, floor=1e-30, ceiling=1e30):
    r"""The contraction factor per step measured on a run: :math:`\exp` of the least-squares slope of
    :math:`\log\|z_t\|` against :math:`t` over the second half of the usable points.

    Points that under- or overflowed (outside ``[floor, ceiling]``, or non-finite) are dropped, so one
    common run length serves fast and slow methods alike. Fitting a line rather than comparing two points
    averages out the wobble of methods whose iterates trace ellipses.
    """
    steps, distance = _validation.check_numbers("steps", steps), _validation.check_numbers("distance", distance)
    _validation.check_nonnegative("floor", floor)
    _validation.check_positive("ceiling", ceiling)
    usable = np.isfinite(distance) & (distance > floor) & (distance < ceiling)
    steps, distance = steps[usable], distance[usable]
    if len(steps) < 4:
        return np.nan
    late = slice(len(steps) // 2, None)
    slope = np.polyfit(steps[late], np.log(distance[late]), 1)[0]
    return float(np.exp(slope))


class Method(NamedTuple):
    """A classic minimax method with SGD rules: its label, how to build it, and its block rate."""

    label: str
    make_scheme: Callable[..., Scheme]
    rate: Callable | None


def _simultaneous(learning_rate):
    return schemes.simultaneous(rules.sgd(learning_rate))


def _alternating(learning_rate):
    return schemes.alternating(rules.sgd(learning_rate))


TWO_TIMESCALE_RATIO = 4.0
HEAVY_BALL_MOMENTUM = 0.5
NEGATIVE_MOMENTUM = -0.5
CONSENSUS_GAMMA = 1.0
ANCHORING_GAMMA = 1.0


def _two_timescale(learning_rate):
    return schemes.simultaneous(rules.sgd(learning_rate), rules.sgd(TWO_TIMESCALE_RATIO * learning_rate))


def _extragradient(learning_rate):
    return schemes.extragradient(rules.sgd(learning_rate))


def _optimistic(learning_rate):
    return schemes.optimistic(rules.sgd(learning_rate))


def _heavy_ball(learning_rate, momentum=HEAVY_BALL_MOMENTUM):
    return schemes.simultaneous(rules.sgd(learning_rate, momentum=momentum))


def _negative_momentum(learning_rate, momentum=NEGATIVE_MOMENTUM):
    return schemes.alternating(rules.sgd(learning_rate, momentum=momentum))


def _hamiltonian(learning_rate):
    return schemes.hamiltonian(rules.sgd(learning_rate))


def _consensus(learning_rate):
    return schemes.consensus(rules.sgd(learning_rate), gamma=CONSENSUS_GAMMA)


def _anchoring(learning_rate):
    return schemes.anchoring(rules.sgd(learning_rate), gamma=ANCHORING_GAMMA)


CLASSIC_METHODS = {
    "simultaneous": Method("simultaneous GDA", _simultaneous, simultaneous_rate),
    "alternating": Method("alternating GDA", _alternating, alternating_rate),
    "two_timescale": Method(
        f"two-timescale GDA (ηy = {TWO_TIMESCALE_RATIO:g}ηx)",
        _two_timescale,
        lambda eta, sigma=1.0: simultaneous_rate(np.sqrt(TWO_TIMESCALE_RATIO) * np.asarray(eta), sigma),
    ),
    "extragradient": Method("extragradient", _extragradient, extragradient_rate),
    "optimistic": Method("optimistic GDA", _optimistic, optimistic_rate),
    "heavy_ball": Method(
        f"heavy ball (β = {HEAVY_BALL_MOMENTUM:g})",
        _heavy_ball,
        lambda eta, sigma=1.0: momentum_rate(eta, HEAVY_BALL_MOMENTUM, sigma),
    ),
    "negative_momentum": Method(
        f"alternating, negative momentum (β = {NEGATIVE_MOMENTUM:g})",
        _negative_momentum,
        lambda eta, sigma=1.0: momentum_rate(eta, NEGATIVE_MOMENTUM, sigma, alternating=True),
    ),
    "hamiltonian": Method("Hamiltonian GD", _hamiltonian, hamiltonian_rate),
    "consensus": Method(
        f"consensus (γ = {CONSENSUS_GAMMA:g})",
        _consensus,
        lambda eta, sigma=1.0: consensus_rate(eta, CONSENSUS_GAMMA, sigma),
    ),
    "anchoring": Method(f"anchored optimistic (γ = {ANCHORING_GAMMA:g})", _anchoring, None),
}
"""The methods of the bilinear-games chapter, each with plain SGD rules; ``rate`` is ``None`` when sublinear.

Each ``make_scheme`` takes ``learning_rate``; the two momentum methods also take ``momentum``.
"""

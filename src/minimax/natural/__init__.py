"""Natural gradients in the hidden-mapping geometry :math:`A_\\theta = w\\,J^\\top J`.

:mod:`~minimax.natural.geometry` (Jacobians, the metric, the output Gram matrix),
:mod:`~minimax.natural.solvers` (dense reference, dual/push-through, matrix-free CG, K-FAC; the optax
transformation :func:`precondition`), :mod:`~minimax.natural.flows` (continuous-time flows with diffrax)
and :mod:`~minimax.natural.schemes` (natural GDA and natural extragradient as library schemes).

Example:
  >>> import jax, jax.numpy as jnp
  >>> from minimax import natural
  >>> outputs = lambda t: jnp.tanh(t[:2] * t[2:])
  >>> theta, g = jnp.array([0.3, -0.5, 1.0, 2.0]), jnp.array([1.0, 0.0, -1.0, 0.5])
  >>> a = natural.dense_direction(outputs, theta, g, damping=1e-2)
  >>> b = natural.cg_direction(outputs, theta, g, damping=1e-2)
  >>> bool(jnp.allclose(a, b, rtol=1e-3, atol=1e-3))
  True
"""

from minimax.natural import flows, geometry, schemes, solvers
from minimax.natural.flows import Trajectory, along, gda_field, integrate, natural_field, time_derivative
from minimax.natural.geometry import (
    flat_jacobian,
    metric_matrix,
    output_gram,
    simplex_tangent_basis,
    smallest_gram_eigenvalue,
)
from minimax.natural.schemes import natural_extragradient, natural_gda, natural_rule
from minimax.natural.solvers import (
    METHODS,
    KFACFactors,
    cg_direction,
    dense_direction,
    dual_direction,
    kfac_direction,
    kfac_factors,
    natural_direction,
    precondition,
    pushthrough_direction,
)

__all__ = [
    "METHODS", "KFACFactors", "Trajectory", "along", "cg_direction", "dense_direction", "dual_direction",
    "flat_jacobian", "flows", "gda_field", "geometry", "integrate", "kfac_direction", "kfac_factors",
    "metric_matrix", "natural_direction", "natural_extragradient", "natural_field", "natural_gda", "natural_rule",
    "output_gram", "precondition", "pushthrough_direction", "schemes", "simplex_tangent_basis",
    "smallest_gram_eigenvalue", "solvers", "time_derivative",
]

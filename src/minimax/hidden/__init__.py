"""Hidden convex–concave games: payoffs :math:`L(F_\\theta, G_\\phi)` convex–concave in the players' outputs.

:mod:`~minimax.hidden.games` (the :class:`HiddenGame`, network players and the built-in games),
:mod:`~minimax.hidden.target` (the output-space equilibrium :math:`(F^*, G^*)`: linear programming or
projected extragradient) and :mod:`~minimax.hidden.distance` (the Lyapunov function :math:`V` and its predicted derivative).

Example:
  >>> import jax, jax.numpy as jnp
  >>> from minimax import hidden
  >>> player = hidden.mlp_player([1, 8, 3], jnp.ones((1, 1)), head="softmax")
  >>> game = hidden.rock_paper_scissors(player, player, regularization=1.0)
  >>> goal = hidden.matrix_game_target(hidden.RPS)
  >>> theta, phi = player.init(jax.random.PRNGKey(0)), player.init(jax.random.PRNGKey(1))
  >>> float(hidden.lyapunov(game, goal, theta, phi)) >= 0
  True
"""

from minimax.hidden import distance, games, target
from minimax.hidden.distance import lyapunov, lyapunov_derivative, lyapunov_metric
from minimax.hidden.games import (
    RPS,
    HiddenGame,
    MLPPlayer,
    apply_head,
    as_game,
    finite_gan,
    gan_payoff,
    gan_pointwise_loss,
    matching_pennies,
    matrix_game,
    mlp_player,
    output_gradients,
    payoff,
    rock_paper_scissors,
)
from minimax.hidden.target import (
    Target,
    finite_gan_target,
    matching_pennies_target,
    matrix_equilibrium,
    matrix_game_target,
    project_box,
    project_simplex,
    solve_output_game,
)

__all__ = [
    "RPS", "HiddenGame", "MLPPlayer", "Target", "apply_head", "as_game", "finite_gan", "finite_gan_target",
    "distance", "gan_payoff", "gan_pointwise_loss", "games", "lyapunov", "lyapunov_derivative", "lyapunov_metric",
    "matching_pennies", "matching_pennies_target", "matrix_equilibrium", "matrix_game", "matrix_game_target",
    "mlp_player", "output_gradients", "payoff", "project_box", "project_simplex", "rock_paper_scissors",
    "solve_output_game", "target",
]

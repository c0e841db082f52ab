"""minimax: a small JAX library for two-player differentiable games.

Modules, one idea each: :mod:`~minimax.games` (games and their vector field), :mod:`~minimax.rules`
(per-player optax update rules), :mod:`~minimax.schemes` (how the players' steps combine),
:mod:`~minimax.runner` (compiled runs and vmapped sweeps), :mod:`~minimax.metrics` (what runs log),
:mod:`~minimax.studies` (a method over step sizes × seeds, scored at the end of training; the best
step size or block of step sizes, chosen on tuning seeds),
:mod:`~minimax.bilinear_theory` (closed-form rates on bilinear games) and :mod:`~minimax.claims`
(the claims ledger).
"""

from minimax import bilinear_theory, claims, games, metrics, rules, runner, schemes, studies

__all__ = ["bilinear_theory", "claims", "games", "metrics", "rules", "runner", "schemes", "studies"]
__version__ = "0.1.0"

r"""The two-mode games as one :class:`~minimax.runner.GameFamily`: :func:`minimax.runner.sweep` then varies the
dimension, the angle between the modes, the start, the widths, the activation and the latent law of the game
in a single compiled program, as it varies step sizes and seeds."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from minimax import _validation, runner
from minimax.gan.mode_collapse.recovery import _check_epsilon, _metric
from minimax.gan.mode_collapse.setting import (
    TwoModeSetting,
    _check_pair_prob,
    _check_setting,
    _draw_players,
    _game,
    embedded_modes,
)

#: The grid axes that a :func:`setting_family` reads as part of the game rather than as hyper-parameters.
SETTING_AXES = ("dim", "inner", "gen_norm", "disc_norm", "mode_weight", "threshold", "scale", "bias_scale",
                "pair_prob", "gen_width", "disc_width")


class _Build(NamedTuple):
    """Builds the game of one grid point; compared by value, so that equal families share a compiled sweep."""

    dim: int
    gen_width: int
    disc_width: int
    batch_size: int
    epsilon: float | None
    neurons: bool
    gradients: bool

    def __call__(self, *, dim, inner, gen_norm, disc_norm, mode_weight, threshold, scale, bias_scale, pair_prob,
                 gen_width, disc_width):
        # Every run lives in the ambient sizes (self.dim, ...); dim, gen_width and disc_width are its active sizes.
        setting = TwoModeSetting(embedded_modes(self.dim, inner), self.gen_width, self.disc_width, threshold, scale,
                                 bias_scale, pair_prob, mode_weight, self.batch_size)

        def init(key):
            return _draw_players(key, self.dim, self.gen_width, self.disc_width, gen_norm, disc_norm, dim, disc_width)

        return (_game(setting, gen_width), init,
                _metric(setting, self.epsilon, self.neurons, self.gradients, gen_width, disc_width))


class _Check(NamedTuple):
    """The grid's game axes, checked before compiling against the ambient sizes."""

    dim: int
    gen_width: int
    disc_width: int

    def __call__(self, columns: dict) -> None:
        for name, upper, lower in (("dim", self.dim, 2), ("gen_width", self.gen_width, 1),
                                   ("disc_width", self.disc_width, 1)):
            column = columns[name]
            if not np.all((column == np.round(column)) & (column >= lower) & (column <= upper)):
                raise ValueError(f"{name} must hold integers in [{lower}, {upper}] (the setting's {name}); "
                                 f"got {np.unique(column).tolist()}.")
        _validation.check_open_interval("inner", columns["inner"], 0.0, 1.0)
        for name in ("gen_norm", "disc_norm", "threshold", "scale"):
            _validation.check_positive(name, columns[name])
        _validation.check_nonnegative("bias_scale", columns["bias_scale"])
        _validation.check_open_interval("mode_weight", columns["mode_weight"], 0.0, 1.0)
        _check_pair_prob(columns["pair_prob"], int(columns["gen_width"].min()))


def setting_family(
    setting: TwoModeSetting,
    *,
    gen_norm: float,
    disc_norm: float,
    epsilon: float | None = None,
    neurons: bool = False,
    gradients: bool = False,
) -> runner.GameFamily:
    r"""The two-mode games around ``setting``, for :func:`minimax.runner.sweep` to vary in one compiled program.

    The grid's axes named in :data:`SETTING_AXES` set the game and the start of each run (``dim``, ``inner``
    :math:`=\gamma`, ``gen_norm``, ``disc_norm``, ``mode_weight``, ``threshold``, ``scale``, ``bias_scale``,
    ``pair_prob``, ``gen_width``, ``disc_width``); an axis the grid lacks takes the value of ``setting`` (and
    ``gen_norm``, ``disc_norm``). Sizes are handled by embedding: every run lives in the ambient dimension
    :math:`D` = ``setting.dim`` with :math:`M_G, M_D` = ``setting.gen_width, disc_width`` neurons; a run of
    dimension :math:`d \le D` starts with its players in the first :math:`d` coordinates (the modes span the
    first two, :func:`embedded_modes`), and since every gradient is a combination of the other player's neurons
    and of the modes, the other coordinates stay exactly zero. Likewise a run with :math:`m_D \le M_D` starts
    the extra discriminator neurons at zero, where :math:`\sigma_\Lambda'(0) = 0` keeps them, and a run with
    :math:`m_G \le M_G` draws its latents among the first :math:`m_G` coordinates only.

    Args:
      setting: the ambient sizes :math:`D, M_G, M_D`, the batch size, and the default of every other quantity.
      gen_norm, disc_norm: the initial neuron norms (:func:`initializer`) where the grid has no such axis.
      epsilon, neurons, gradients: as in :func:`recovery_metric`.

    With no game axis in the grid, a sweep of the family equals :func:`minimax.runner.sweep` of
    :func:`two_mode_game` with :func:`initializer` and :func:`recovery_metric` (same seeds, same numbers).

    Example:
      >>> from minimax import runner
      >>> from minimax.gan.mode_collapse import nsgda, two_mode_setting
      >>> setting = two_mode_setting(dim=64, inner=0.3, gen_width=4, disc_width=2)
      >>> family = setting_family(setting, gen_norm=0.1, disc_norm=0.1)
      >>> points = runner.grid(eta_g=[0.01], eta_d=[0.01], dim=[16, 64], inner=[0.2, 0.5])
      >>> result = runner.sweep(family, nsgda, None, points, num_steps=10)
      >>> result.metrics["recovered"].shape
      (4, 11, 2)
    """
    _check_setting(setting)
    _validation.check_positive("gen_norm", gen_norm)
    _validation.check_positive("disc_norm", disc_norm)
    if epsilon is not None:
        _check_epsilon(epsilon)
    _validation.check_bool("neurons", neurons)
    _validation.check_bool("gradients", gradients)
    defaults = {"dim": setting.dim, "inner": float(setting.modes[0] @ setting.modes[1]), "gen_norm": gen_norm,
                "disc_norm": disc_norm, "mode_weight": setting.mode_weight, "threshold": setting.threshold,
                "scale": setting.scale, "bias_scale": setting.bias_scale, "pair_prob": setting.pair_prob,
                "gen_width": setting.gen_width, "disc_width": setting.disc_width}
    build = _Build(setting.dim, setting.gen_width, setting.disc_width, setting.batch_size,
                   None if epsilon is None else float(epsilon), bool(neurons), bool(gradients))
    return runner.GameFamily(SETTING_AXES, build, tuple(float(defaults[name]) for name in SETTING_AXES),
                             _Check(setting.dim, setting.gen_width, setting.disc_width))

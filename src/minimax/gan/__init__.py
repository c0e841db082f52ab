"""GANs on toy data and small images: data, MLPs as pure functions, the GAN game and its metrics.

:mod:`~minimax.gan.data` (ring and grid mixtures), :mod:`~minimax.gan.digits` (scikit-learn's 8 × 8
digits, offline), :mod:`~minimax.gan.mnist` (MNIST from local IDX files), :mod:`~minimax.gan.networks`
(MLP init/apply), :mod:`~minimax.gan.image_gans` (the digit benchmark and its tanh MLPs in one call),
:mod:`~minimax.gan.losses` (the GAN losses on logits), :mod:`~minimax.gan.game`
(:func:`gan_game`, a :class:`minimax.games.Game`), :mod:`~minimax.gan.metrics` (modes covered,
high-quality fraction) and :mod:`~minimax.gan.digit_metrics` (class coverage, confidence and Fréchet
distance of generated digits, from a cached classifier).

Example:
  >>> import jax
  >>> from minimax import gan, rules, runner, schemes
  >>> game = gan.gan_game(gan.ring(), gan.mlp_apply, gan.mlp_apply, latent_dim=2, batch_size=64)
  >>> def init(key):
  ...     key_x, key_y = jax.random.split(key)
  ...     return gan.mlp_init(key_x, [2, 32, 32, 2]), gan.mlp_init(key_y, [2, 32, 32, 1])
  >>> result = runner.sweep(game, lambda learning_rate: schemes.simultaneous(rules.adam(learning_rate)),
  ...                       init, runner.grid(learning_rate=[1e-3], seed=[0, 1]), num_steps=10, log_every=10,
  ...                       metrics=gan.sample_quality(gan.ring(), gan.mlp_apply, latent_dim=2))
  >>> result.metrics["modes_covered"].shape
  (2, 2)
"""

from minimax.gan import (
    data,
    diagnostics,
    digit_metrics,
    digits,
    game,
    image_gans,
    losses,
    metrics,
    mnist,
    mode_collapse,
    networks,
)
from minimax.gan.data import Mixture, grid_mixture, ring
from minimax.gan.digit_metrics import (
    Classifier,
    ClassifierSettings,
    class_coverage,
    confidence,
    digit_quality,
    digits_classifier,
    frechet_distance,
    mnist_classifier,
)
from minimax.gan.digits import Digits, held_out_split, image_grid, load_digits
from minimax.gan.game import GanBatch, gan_game
from minimax.gan.image_gans import (
    DigitBenchmark,
    DigitGAN,
    digit_benchmark,
    digit_gan,
    image_discriminator,
    image_generator,
    image_players_init,
)
from minimax.gan.losses import (
    discriminator_loss,
    non_saturating_generator_loss,
    payoff,
    saturating_generator_loss,
)
from minimax.gan.metrics import high_quality_fraction, mode_counts, modes_covered, sample_quality
from minimax.gan.mnist import load_mnist
from minimax.gan.networks import mlp_apply, mlp_init, mlp_players_init

__all__ = [
    "Classifier",
    "ClassifierSettings",
    "DigitBenchmark",
    "DigitGAN",
    "Digits",
    "GanBatch",
    "Mixture",
    "class_coverage",
    "confidence",
    "data",
    "diagnostics",
    "digit_benchmark",
    "digit_gan",
    "digit_metrics",
    "digit_quality",
    "digits",
    "digits_classifier",
    "discriminator_loss",
    "frechet_distance",
    "game",
    "gan_game",
    "grid_mixture",
    "held_out_split",
    "high_quality_fraction",
    "image_discriminator",
    "image_gans",
    "image_generator",
    "image_grid",
    "image_players_init",
    "load_digits",
    "load_mnist",
    "losses",
    "metrics",
    "mlp_apply",
    "mlp_players_init",
    "mlp_init",
    "mnist",
    "mnist_classifier",
    "mode_collapse",
    "mode_counts",
    "modes_covered",
    "networks",
    "non_saturating_generator_loss",
    "payoff",
    "ring",
    "sample_quality",
    "saturating_generator_loss",
]

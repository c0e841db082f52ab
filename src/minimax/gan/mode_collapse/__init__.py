r"""The two-mode setting of the SGDA mode-collapse theorem: a linear generator against a cubic discriminator.

Jelassi, Dobre, Mensch, Li and Gidel (2022) compare SGDA and normalized SGDA (nSGDA) on a GAN small enough
to analyse. The data have two *modes*, unit vectors :math:`u_1, u_2 \in \mathbb R^d` with
:math:`\langle u_1, u_2\rangle = \gamma > 0`, and every data point is one of them:

.. math::

   X = s_1 u_1 + s_2 u_2, \qquad (s_1, s_2) = (1, 0) \text{ with probability } p,\ (0, 1) \text{ otherwise}.

The generator is linear in a sparse binary latent :math:`z \in \{0, 1\}^{m_G}`,

.. math::

   G_V(z) = V z = \sum_{i=1}^{m_G} z_i v_i ,

and the discriminator is a one-hidden-layer network with the *truncated cubic* activation

.. math::

   D_W(X) = \operatorname{sigmoid}\Bigl(a \sum_{j=1}^{m_D} \sigma(\langle w_j, X\rangle) + \lambda b\Bigr), \qquad
   \sigma(t) = \begin{cases} t^3 & |t| \le \Lambda, \\ 3\Lambda^2 t - 2\Lambda^3 & t > \Lambda, \\
   3\Lambda^2 t + 2\Lambda^3 & t < -\Lambda. \end{cases}

The players play the original (saturating, zero-sum) GAN game

.. math::

   \min_V \max_{W, b}\; \E_X \log D_W(X) + \E_z \log\bigl(1 - D_W(G_V(z))\bigr).

The latent law (:func:`sparse_latents`): every latent has one active coordinate, chosen uniformly, and with
probability :math:`\rho` (``pair_prob``) a second, distinct one. Then

.. math::

   \Pr[z_i = 1] = \frac{1 + \rho}{m_G}, \qquad \Pr[z_i = z_j = 1] = \frac{2\rho}{m_G(m_G - 1)}\quad (i \ne j),

so coordinates are sparse, non-negative and negatively correlated (pairs are rarer than for independent
coordinates by a factor :math:`\approx 2\rho/(1+\rho)^2`), as the hidden layer of a deeper generator
(Allen-Zhu and Li, 2021).

What is measured (:func:`mode_recovery`, :func:`recovery_metric`): the generator *recovers mode* :math:`\ell`
on a latent :math:`z` when its output points towards :math:`u_\ell`,

.. math::

   \Bigl\lVert \frac{G_V(z)}{\lVert G_V(z)\rVert_2} - u_\ell \Bigr\rVert_2 \le \varepsilon ,

and the theorem's quantity is the probability of this event over :math:`z \sim \mathcal D_z`, computed
exactly by enumerating the :math:`m_G + \binom{m_G}{2}` latents of the support. *Mode collapse* is the
opposite: every output lies along :math:`u_1 + u_2`, whose cosine with either mode is only
:math:`\sqrt{(1+\gamma)/2}`.

The package: :mod:`~minimax.gan.mode_collapse.setting` (the activation, the data, the latents, the game and its
start), :mod:`~minimax.gan.mode_collapse.training` (SGDA, nSGDA, layer-wise nSGDA, paced SGDA),
:mod:`~minimax.gan.mode_collapse.recovery` (the metrics above) and :mod:`~minimax.gan.mode_collapse.family`
(the games as one traced family, so that one sweep varies the setting as well as the step sizes).

Example:
  >>> import jax
  >>> from minimax import runner
  >>> setting = two_mode_setting(dim=16, inner=0.3, gen_width=4, disc_width=4)
  >>> game = two_mode_game(setting)
  >>> result = runner.sweep(game, sgda, initializer(setting, gen_norm=0.05, disc_norm=0.05),
  ...                       runner.grid(eta_g=[0.1], eta_d=[0.1], seed=[0, 1]), num_steps=20, log_every=10,
  ...                       metrics=recovery_metric(setting))
  >>> result.metrics["recovered"].shape
  (2, 3, 2)
"""

from minimax.gan.mode_collapse import family, recovery, setting, training
from minimax.gan.mode_collapse.family import SETTING_AXES, setting_family
from minimax.gan.mode_collapse.recovery import (
    collapse_recovery,
    cosines,
    default_epsilon,
    mode_recovery,
    output_shares,
    recovery_metric,
    reference_directions,
)
from minimax.gan.mode_collapse.setting import (
    TwoModeBatch,
    TwoModeSetting,
    discriminator_logits,
    embedded_modes,
    generate,
    initializer,
    latent_support,
    sample_data,
    sparse_latents,
    truncated_cubic,
    two_mode_game,
    two_mode_setting,
    two_modes,
)
from minimax.gan.mode_collapse.training import layerwise_nsgda, nsgda, paced_sgda, sgda

__all__ = [
    "SETTING_AXES", "TwoModeBatch", "TwoModeSetting", "collapse_recovery", "cosines", "default_epsilon",
    "discriminator_logits", "embedded_modes", "family", "generate", "initializer", "latent_support", "layerwise_nsgda",
    "mode_recovery", "nsgda", "output_shares", "paced_sgda", "recovery", "recovery_metric", "reference_directions",
    "sample_data", "setting", "setting_family", "sgda", "sparse_latents", "training", "truncated_cubic",
    "two_mode_game", "two_mode_setting", "two_modes",
]

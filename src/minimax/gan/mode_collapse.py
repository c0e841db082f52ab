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

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimax import _validation, rules, schemes
from minimax.games import Game, vector_field, zero_sum
from minimax.gan import losses

# ----------------------------------------------------------------------------------------------------------
# The activation, the data, the latents
# ----------------------------------------------------------------------------------------------------------


def truncated_cubic(t: jax.Array, threshold: float = 1.0) -> jax.Array:
    r"""The truncated cubic :math:`\sigma_\Lambda`: :math:`t^3` on :math:`[-\Lambda, \Lambda]`, linear beyond.

    .. math::

       \sigma_\Lambda(t) = c^3 + 3\Lambda^2 (t - c), \qquad c = \operatorname{clip}(t, -\Lambda, \Lambda),

    which is :math:`t^3` for :math:`|t| \le \Lambda` and :math:`3\Lambda^2 t \mp 2\Lambda^3` beyond: the linear
    continuation that matches the cubic's value and slope :math:`3\Lambda^2` at :math:`\pm\Lambda`, so
    :math:`\sigma_\Lambda` is odd and continuously differentiable.

    Args:
      t: any array.
      threshold: :math:`\Lambda > 0`.

    Example:
      >>> truncated_cubic(jnp.array([-3.0, 0.5, 2.0]), threshold=1.0).tolist()
      [-7.0, 0.125, 4.0]
    """
    _validation.check_array("t", t)
    _validation.check_positive("threshold", threshold)
    clipped = jnp.clip(t, -threshold, threshold)
    return clipped**3 + 3 * threshold**2 * (t - clipped)


def two_modes(dim: int, inner: float, key: jax.Array | None = None) -> jax.Array:
    r"""Two unit vectors :math:`u_1, u_2 \in \mathbb R^d` with :math:`\langle u_1, u_2\rangle = \gamma` exactly.

    With ``key=None`` they lie in the first two coordinates, :math:`u_1 = e_1` and
    :math:`u_2 = \gamma e_1 + \sqrt{1 - \gamma^2}\, e_2` (the players start isotropic, so nothing depends on
    this choice); with a key, the same pair is rotated into a random plane.

    Args:
      dim: :math:`d \ge 2`.
      inner: :math:`\gamma \in (0, 1)`, the cosine between the modes.
      key: optional PRNG key.

    Returns:
      the modes as the rows of a ``(2, dim)`` float32 array.

    Example:
      >>> modes = two_modes(8, 0.3)
      >>> round(float(modes[0] @ modes[1]), 6)
      0.3
    """
    _validation.check_positive_int("dim", dim)
    if dim < 2:
        raise ValueError(f"dim must be an integer >= 2 (two modes need a plane); got {dim!r}.")
    _validation.check_open_interval("inner", inner, 0.0, 1.0)
    if key is not None:
        _validation.check_key("key", key)
    modes = embedded_modes(dim, inner)
    if key is None:
        return modes
    basis, _ = jnp.linalg.qr(jax.random.normal(key, (dim, 2), dtype=jnp.float32))
    return modes[:, :2] @ basis.T


def embedded_modes(dim: int, inner) -> jax.Array:
    r""":math:`u_1 = e_1`, :math:`u_2 = \gamma e_1 + \sqrt{1-\gamma^2}\, e_2` in :math:`\mathbb R^d`; traceable in ``inner``."""
    _validation.check_positive_int("dim", dim)
    _validation.check_open_interval("inner", inner, 0.0, 1.0)
    first = jnp.zeros(dim, jnp.float32).at[0].set(1.0)
    second = jnp.zeros(dim, jnp.float32).at[0].set(inner).at[1].set(jnp.sqrt(1.0 - jnp.square(inner)))
    return jnp.stack([first, second])


def sample_data(key: jax.Array, modes: jax.Array, n: int, mode_weight: float = 0.5) -> jax.Array:
    r"""``n`` data points, each :math:`u_1` with probability ``mode_weight`` and :math:`u_2` otherwise; shape ``(n, d)``.

    Example:
      >>> points = sample_data(jax.random.PRNGKey(0), two_modes(4, 0.5), 3)
      >>> points.shape
      (3, 4)
    """
    _validation.check_key("key", key)
    _validation.check_array("modes", modes, ndim=2, shape_hint="(2, d)")
    _validation.check_positive_int("n", n)
    _validation.check_open_interval("mode_weight", mode_weight, 0.0, 1.0)
    first = jax.random.bernoulli(key, mode_weight, (n,))
    return jnp.where(first[:, None], modes[0], modes[1])


def sparse_latents(key: jax.Array, n: int, width: int, pair_prob: float = 0.0) -> jax.Array:
    r"""``n`` binary latents :math:`z \in \{0, 1\}^{m_G}`, shape ``(n, width)``, float32.

    Each latent has one active coordinate :math:`i`, uniform on :math:`[m_G]`, and with probability
    :math:`\rho` = ``pair_prob`` a second one :math:`j \ne i`, uniform among the others; so
    :math:`\Pr[z_i = 1] = (1 + \rho)/m_G` and :math:`\Pr[z_i = z_j = 1] = 2\rho / (m_G(m_G - 1))`.

    Args:
      key: PRNG key.
      n: number of latents, an integer >= 1.
      width: :math:`m_G`, an integer >= 1 (>= 2 when ``pair_prob > 0``).
      pair_prob: :math:`\rho \in [0, 1]`.

    Example:
      >>> z = sparse_latents(jax.random.PRNGKey(0), 5, 4)
      >>> z.sum(axis=1).tolist()
      [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    _validation.check_key("key", key)
    _validation.check_positive_int("n", n)
    _validation.check_positive_int("width", width)
    _check_pair_prob(pair_prob, width)
    return _latents_from_uniforms(jax.random.uniform(key, (3, n)), width, pair_prob)


def _latents_from_uniforms(uniforms, width: int, pair_prob, active_width=None):
    """Latents from three rows of U(0, 1) numbers (one PRNG draw per batch: quick to compile).

    Only the first ``active_width`` (default ``width``, may be traced) coordinates are ever active.
    """
    active = width if active_width is None else active_width
    first = jnp.minimum(jnp.floor(uniforms[0] * active), active - 1).astype(jnp.int32)
    latents = jax.nn.one_hot(first, width, dtype=jnp.float32)
    if width == 1:
        return latents
    # A second index, distinct from the first: shift it by a uniform offset in 1 .. active - 1.
    offset = 1 + jnp.minimum(jnp.floor(uniforms[1] * (active - 1)), active - 2).astype(jnp.int32)
    second = jnp.mod(first + offset, jnp.asarray(active).astype(jnp.int32))
    paired = uniforms[2] < pair_prob
    return latents + paired[:, None] * jax.nn.one_hot(second, width, dtype=jnp.float32)


def _check_pair_prob(pair_prob, width) -> None:
    _validation.check_number("pair_prob", pair_prob, "a number in [0, 1]")
    values = np.asarray(pair_prob, dtype=float)
    if not np.all(np.isfinite(values)) or not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"pair_prob must lie in [0, 1]; got {pair_prob!r}.")
    if width < 2 and np.any(values > 0):
        raise ValueError(f"pair_prob must be 0 when the generator has width 1 (no pairs exist); got {pair_prob!r}.")


@functools.lru_cache(maxsize=16)
def _full_support(width: int) -> tuple[np.ndarray, np.ndarray]:
    """The one-hot latents then every pair, shape ``(width + width(width-1)/2, width)``, and the pairs' index."""
    singles = np.eye(width, dtype=np.float32)
    pairs = list(itertools.combinations(range(width), 2))
    rows = [singles] + ([np.stack([singles[i] + singles[j] for i, j in pairs])] if pairs else [])
    last = np.concatenate([np.arange(width), np.asarray([j for _, j in pairs], dtype=int)])
    return np.concatenate(rows), last


def _support_probs(width: int, pair_prob, active_width=None) -> jax.Array:
    """The probability of each row of ``_full_support(width)`` (traceable in ``pair_prob`` and ``active_width``)."""
    active = width if active_width is None else active_width
    _, last = _full_support(width)
    is_pair = np.arange(len(last)) >= width
    inside = jnp.asarray(last) < active
    pairs = active * (active - 1) / 2
    single_prob = (1.0 - pair_prob) / active
    pair_prob_each = jnp.where(pairs > 0, pair_prob / jnp.maximum(pairs, 1.0), 0.0)
    return jnp.where(inside, jnp.where(jnp.asarray(is_pair), pair_prob_each, single_prob), 0.0)


def latent_support(width: int, pair_prob: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Every latent of :func:`sparse_latents` with its probability: ``(latents (K, width), probs (K,))``.

    The support is the :math:`m_G` one-hot vectors (probability :math:`(1-\rho)/m_G` each) followed by the
    :math:`\binom{m_G}{2}` pairs (:math:`\rho/\binom{m_G}{2}` each; left out when :math:`\rho = 0`).

    Example:
      >>> latents, probs = latent_support(3, pair_prob=0.3)
      >>> latents.shape, round(float(probs.sum()), 6)
      ((6, 3), 1.0)
    """
    _validation.check_positive_int("width", width)
    _check_pair_prob(pair_prob, width)
    latents, _ = _full_support(width)
    probs = np.asarray(_support_probs(width, float(pair_prob)), dtype=np.float32)
    keep = width if pair_prob == 0 else len(probs)
    return latents[:keep].copy(), probs[:keep]


# ----------------------------------------------------------------------------------------------------------
# The players and the game
# ----------------------------------------------------------------------------------------------------------


class TwoModeSetting(NamedTuple):
    r"""Everything that defines the game except the players' parameters and the optimizer.

    Attributes:
      modes: :math:`(u_1, u_2)` as a ``(2, d)`` array (:func:`two_modes`).
      gen_width: :math:`m_G`, the generator's number of neurons (latent dimension).
      disc_width: :math:`m_D`, the discriminator's number of neurons.
      threshold: :math:`\Lambda`, where the cubic turns linear.
      scale: :math:`a`, the discriminator's output scale.
      bias_scale: :math:`\lambda`, the scale of its bias :math:`b`.
      pair_prob: :math:`\rho`, the probability that a latent has two active coordinates.
      mode_weight: :math:`p = \Pr[X = u_1]`.
      batch_size: data points and latents drawn per step.
    """

    modes: jax.Array
    gen_width: int
    disc_width: int
    threshold: float = 1.0
    scale: float = 1.0
    bias_scale: float = 0.1
    pair_prob: float = 0.0
    mode_weight: float = 0.5
    batch_size: int = 64

    @property
    def dim(self) -> int:
        return int(self.modes.shape[1])


def two_mode_setting(
    dim: int,
    inner: float,
    gen_width: int,
    disc_width: int,
    threshold: float = 1.0,
    scale: float = 1.0,
    bias_scale: float = 0.1,
    pair_prob: float = 0.0,
    mode_weight: float = 0.5,
    batch_size: int = 64,
    key: jax.Array | None = None,
) -> TwoModeSetting:
    r"""A validated :class:`TwoModeSetting`; the modes come from :func:`two_modes` (``dim``, ``inner``, ``key``).

    Example:
      >>> setting = two_mode_setting(dim=32, inner=0.3, gen_width=8, disc_width=4)
      >>> setting.dim, setting.modes.shape
      (32, (2, 32))
    """
    modes = two_modes(dim, inner, key)
    for name, value in (("gen_width", gen_width), ("disc_width", disc_width), ("batch_size", batch_size)):
        _validation.check_positive_int(name, value)
    _validation.check_positive("threshold", threshold)
    _validation.check_positive("scale", scale)
    _validation.check_nonnegative("bias_scale", bias_scale)
    _check_pair_prob(pair_prob, gen_width)
    _validation.check_open_interval("mode_weight", mode_weight, 0.0, 1.0)
    return TwoModeSetting(modes, gen_width, disc_width, float(threshold), float(scale), float(bias_scale),
                          float(pair_prob), float(mode_weight), batch_size)


def generate(generator: jax.Array, latents: jax.Array) -> jax.Array:
    r"""The linear generator :math:`G_V(z) = Vz = \sum_i z_i v_i` for a batch of latents.

    Args:
      generator: :math:`V`, stored as its neurons :math:`v_i` in rows, shape ``(m_G, d)``.
      latents: shape ``(n, m_G)``.

    Returns:
      shape ``(n, d)``.

    Example:
      >>> generate(jnp.array([[1.0, 0.0], [0.0, 2.0]]), jnp.array([[1.0, 1.0]])).tolist()
      [[1.0, 2.0]]
    """
    return latents @ generator


def discriminator_logits(discriminator: dict, points: jax.Array, setting: TwoModeSetting) -> jax.Array:
    r"""The logits :math:`a \sum_j \sigma_\Lambda(\langle w_j, X\rangle) + \lambda b` of :math:`D_W`, shape ``(n,)``.

    Args:
      discriminator: ``{"w": (m_D, d), "b": ()}``.
      points: shape ``(n, d)``.
      setting: the :class:`TwoModeSetting` (for :math:`a, \lambda, \Lambda`).
    """
    _check_setting(setting)
    return _logits_from_preactivations(points @ discriminator["w"].T, discriminator["b"], setting)


def _logits_from_preactivations(preactivations, bias, setting: TwoModeSetting):
    clipped = jnp.clip(preactivations, -setting.threshold, setting.threshold)  # truncated_cubic, traceable Λ
    hidden = clipped**3 + 3 * setting.threshold**2 * (preactivations - clipped)
    return setting.scale * jnp.sum(hidden, axis=-1) + setting.bias_scale * bias


def _check_setting(setting) -> None:
    _validation.check_instance("setting", setting, TwoModeSetting, "see two_mode_setting")


class TwoModeBatch(NamedTuple):
    r"""One step's data: ``real`` holds the coefficients :math:`(s_1, s_2)` of each data point
    :math:`X = s_1 u_1 + s_2 u_2`, shape ``(n, 2)`` (one-hot rows), and ``latents`` the :math:`z`, shape ``(n, m_G)``."""

    real: jax.Array
    latents: jax.Array


def two_mode_game(setting: TwoModeSetting) -> Game:
    r"""The zero-sum game :math:`\min_V \max_{W,b} \E\log D_W(X) + \E\log(1 - D_W(Vz))` on mini-batches.

    Player ``x`` is the generator :math:`V` (a ``(m_G, d)`` array), player ``y`` the discriminator
    ``{"w": (m_D, d), "b": ()}``. Each evaluation draws ``setting.batch_size`` data points and latents.
    Build the game once and reuse it: compiled sweeps are cached per game object.

    Example:
      >>> setting = two_mode_setting(dim=8, inner=0.3, gen_width=4, disc_width=2, batch_size=5)
      >>> game = two_mode_game(setting)
      >>> generator, discriminator = initializer(setting, 0.1, 0.1)(jax.random.PRNGKey(0))
      >>> game.loss_y(generator, discriminator, game.sample(jax.random.PRNGKey(1))).shape
      ()
    """
    _check_setting(setting)
    return _game(setting)


def _game(setting: TwoModeSetting, active_gen_width=None) -> Game:
    def sample(key):
        # One draw of the PRNG per step: a row for the data's modes, three for the latents.
        uniforms = jax.random.uniform(key, (4, setting.batch_size))
        first = uniforms[0] < setting.mode_weight
        return TwoModeBatch(
            jnp.stack([first, ~first], axis=1).astype(jnp.float32),
            _latents_from_uniforms(uniforms[1:], setting.gen_width, setting.pair_prob, active_gen_width),
        )

    def payoff(generator, discriminator, batch):
        # <w_j, X> and <w_j, Vz> through the small matrices U Wᵀ (2, m_D) and V Wᵀ (m_G, m_D): the same numbers
        # as discriminator_logits on the points X and Vz, without forming the d-dimensional points.
        weights = discriminator["w"].T
        real = _logits_from_preactivations(batch.real @ (setting.modes @ weights), discriminator["b"], setting)
        fake = _logits_from_preactivations(batch.latents @ (generator @ weights), discriminator["b"], setting)
        return losses.payoff(real, fake)

    return zero_sum(payoff, sample)


def _draw_players(key, dim, gen_width, disc_width, gen_norm, disc_norm, active_dim=None, active_disc_width=None):
    """V and W with N(0, norm² / active_dim) entries in the first ``active_dim`` coordinates, zero beyond;
    discriminator neurons beyond ``active_disc_width`` are zero (and stay zero: sigma'(0) = 0)."""
    active_dim = dim if active_dim is None else active_dim
    noise = jax.random.normal(key, (gen_width + disc_width, dim), dtype=jnp.float32)
    noise = noise * (jnp.arange(dim) < active_dim) / jnp.sqrt(active_dim)
    weights = disc_norm * noise[gen_width:]
    if active_disc_width is not None:
        weights = weights * (jnp.arange(disc_width) < active_disc_width)[:, None]
    return gen_norm * noise[:gen_width], {"w": weights, "b": jnp.zeros((), jnp.float32)}


def initializer(setting: TwoModeSetting, gen_norm: float, disc_norm: float):
    r"""``key -> (V, {"w": W, "b": 0})`` with i.i.d. Gaussian entries of variance :math:`s^2/d`.

    .. math::

       v_i^{(0)} \sim \mathcal N\bigl(0, \tfrac{s_G^2}{d} I_d\bigr), \qquad
       w_j^{(0)} \sim \mathcal N\bigl(0, \tfrac{s_D^2}{d} I_d\bigr), \qquad b^{(0)} = 0,

    so every neuron starts with norm :math:`\approx s` (``gen_norm`` :math:`= s_G`, ``disc_norm``
    :math:`= s_D`) and a correlation of order :math:`s/\sqrt d` with any fixed unit vector, the modes
    included: in high dimension the start knows almost nothing about the data.

    Example:
      >>> setting = two_mode_setting(dim=256, inner=0.3, gen_width=4, disc_width=2)
      >>> generator, discriminator = initializer(setting, gen_norm=0.1, disc_norm=0.1)(jax.random.PRNGKey(0))
      >>> generator.shape, discriminator["w"].shape
      ((4, 256), (2, 256))
    """
    _check_setting(setting)
    _validation.check_positive("gen_norm", gen_norm)
    _validation.check_positive("disc_norm", disc_norm)
    dim, gen_width, disc_width = setting.dim, setting.gen_width, setting.disc_width

    def init(key):
        return _draw_players(key, dim, gen_width, disc_width, gen_norm, disc_norm)

    return init


# ----------------------------------------------------------------------------------------------------------
# The two training rules, as module-level scheme factories (so compiled sweeps are cached)
# ----------------------------------------------------------------------------------------------------------


def _decayed(rule: optax.GradientTransformation, decay) -> optax.GradientTransformation:
    r"""``rule`` with its steps multiplied by :math:`1/(1 + \kappa t)` (``decay`` = :math:`\kappa \ge 0`; 0 keeps them constant)."""
    _validation.check_nonnegative("decay", decay)
    return optax.chain(rule, optax.scale_by_schedule(lambda count: 1.0 / (1.0 + decay * count)))


def _check_step_sizes(eta_g, eta_d) -> None:
    _validation.check_positive("eta_g", eta_g)
    _validation.check_positive("eta_d", eta_d)


def sgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Simultaneous SGDA with step sizes :math:`\eta_G, \eta_D`, optionally decayed as :math:`\eta/(1 + \kappa t)`.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \nabla_V f, \qquad (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \nabla_{W,b} f,
       \qquad \eta_{\cdot,t} = \frac{\eta_\cdot}{1 + \kappa t},

    both gradients taken on the same mini-batch at the same point (``decay`` = :math:`\kappa`).

    Example:
      >>> scheme = sgda(0.1, 0.2)  # a scheme for minimax.runner.run / sweep
    """
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(_decayed(rules.sgd(eta_g), decay), _decayed(rules.sgd(eta_d), decay))


def nsgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Simultaneous normalized SGDA: each player moves by exactly :math:`\eta_{\cdot,t}` per step.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \frac{\nabla_V f}{\lVert\nabla_V f\rVert}, \qquad
       (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \frac{\nabla_{W,b} f}{\lVert\nabla_{W,b} f\rVert},

    the norm taken over all of a player's parameters (g-nSGDA of Jelassi et al.), with the optional decay
    :math:`\eta_{\cdot,t} = \eta_\cdot/(1 + \kappa t)` of :func:`sgda`. The step *length* no longer depends on
    the size of the gradient: both players advance at the pace their step sizes set.

    Example:
      >>> scheme = nsgda(0.01, 0.03)
    """
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(_decayed(rules.normalized_sgda(eta_g), decay), _decayed(rules.normalized_sgda(eta_d), decay))


def paced_sgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""SGDA whose step ratio compensates the players' gradient-norm ratio: the pace of nSGDA, the lengths of SGDA.

    .. math::

       V_{t+1} = V_t - \eta_{G,t} \frac{\lVert\nabla_{W,b} f\rVert}{\lVert\nabla_V f\rVert} \nabla_V f, \qquad
       (W, b)_{t+1} = (W, b)_t + \eta_{D,t} \nabla_{W,b} f,

    so the generator moves :math:`\eta_G/\eta_D` times as far as the discriminator at every step, as under
    :func:`nsgda`, while the discriminator's step (and with it both lengths) still scales with its gradient as
    under :func:`sgda`. The intervention that separates the pace argument (the ratio of the players' steps is
    what matters) from normalization itself. ``decay`` as in :func:`sgda`; a zero generator gradient gives a
    zero generator step.

    Example:
      >>> scheme = paced_sgda(0.1, 0.2)
    """
    _check_step_sizes(eta_g, eta_d)
    rule_x, rule_y = _decayed(rules.sgd(eta_g), decay), _decayed(rules.sgd(eta_d), decay)

    def init(x, y):
        return schemes.SchemeState(x, y, rule_x.init(x), rule_y.init(y), jnp.zeros((), jnp.int32))

    def step(game, state, key):
        grad_x, grad_y = vector_field(game, state.x, state.y, game.sample(key))
        norm_x = optax.tree.norm(grad_x)
        pace = jnp.where(norm_x > 0, optax.tree.norm(grad_y) / jnp.where(norm_x > 0, norm_x, 1.0), 0.0)
        updates_x, rule_state_x = rule_x.update(jax.tree_util.tree_map(lambda g: pace * g, grad_x), state.rule_state_x, state.x)
        updates_y, rule_state_y = rule_y.update(grad_y, state.rule_state_y, state.y)
        return schemes.SchemeState(optax.apply_updates(state.x, updates_x), optax.apply_updates(state.y, updates_y),
                                   rule_state_x, rule_state_y, state.step + 1, state.memory)

    return schemes.Scheme(init, step)


def layerwise_nsgda(eta_g, eta_d, decay=0.0) -> schemes.Scheme:
    r"""Layer-wise normalized SGDA (l-nSGDA): :math:`V`, :math:`W` and :math:`b` are each normalized on their own."""
    _check_step_sizes(eta_g, eta_d)
    return schemes.simultaneous(_decayed(rules.normalized_sgda(eta_g, layerwise=True), decay),
                                _decayed(rules.normalized_sgda(eta_d, layerwise=True), decay))


# ----------------------------------------------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------------------------------------------


def _unit(v, eps=1e-30):
    return v / jnp.maximum(jnp.linalg.norm(v, axis=-1, keepdims=True), eps)


def reference_directions(modes: jax.Array) -> jax.Array:
    r"""The rows :math:`u_1`, :math:`u_2`, :math:`\hat s = \frac{u_1+u_2}{\lVert u_1+u_2\rVert}` and
    :math:`\hat\delta = \frac{u_1-u_2}{\lVert u_1-u_2\rVert}`, shape ``(4, d)``.

    :math:`\hat s` is the collapse direction of Theorem 4.1; :math:`\hat\delta`, orthogonal to it in the
    plane of the modes, is the direction that tells the modes apart.
    """
    return jnp.stack([modes[0], modes[1], _unit(modes[0] + modes[1]), _unit(modes[0] - modes[1])])


def cosines(vectors: jax.Array, modes: jax.Array) -> jax.Array:
    r"""Cosines of each row of ``vectors`` with :math:`u_1, u_2, \hat s, \hat\delta`, shape ``(k, 4)`` (0 for a zero row).

    Example:
      >>> modes = two_modes(3, 0.5)
      >>> cosines(modes, modes)[:, :2].round(3).tolist()
      [[1.0, 0.5], [0.5, 1.0]]
    """
    return _unit(vectors) @ reference_directions(modes).T


def default_epsilon(modes: jax.Array) -> jax.Array:
    r"""Half the distance from a mode to the collapse direction, :math:`\varepsilon = \tfrac12\lVert \hat s - u_1\rVert = \tfrac12\sqrt{2 - \sqrt{2(1+\gamma)}}`.

    An output within :math:`\varepsilon` of :math:`u_\ell` is nearer to that mode than to the midpoint between
    it and the collapse direction :math:`\hat s`, so a collapsed generator recovers nothing, whatever
    :math:`\gamma`. For :math:`\gamma = 0.3`, :math:`\varepsilon \approx 0.31`, a cosine of at least :math:`0.95`.

    Example:
      >>> round(float(default_epsilon(two_modes(4, 0.3))), 3)
      0.311
    """
    s_hat = _unit(modes[0] + modes[1])
    return 0.5 * jnp.linalg.norm(s_hat - modes[0])


def _check_epsilon(epsilon) -> None:
    values = np.asarray(epsilon, dtype=float)
    if not np.all(np.isfinite(values)) or not np.all((values > 0) & (values < 2)):
        raise ValueError(f"epsilon must lie in the open interval (0, 2) (a distance between unit vectors); got {epsilon!r}.")


def _support_cosines(generator, modes):
    latents, _ = _full_support(generator.shape[0])
    return cosines(generate(generator, jnp.asarray(latents)), modes)


def _directions_recovered(generator, modes, epsilon, probs):
    """Pr_z[cos(G(z), u1)], Pr_z[.. u2], Pr_z[.. s_hat] >= 1 - eps²/2, over the full support with ``probs``."""
    cos = _support_cosines(generator, modes)[:, :3]
    return probs @ (cos >= 1.0 - epsilon**2 / 2).astype(jnp.float32)


def _epsilon_or_default(epsilon, modes):
    if epsilon is None:
        return default_epsilon(modes)
    if not isinstance(epsilon, jax.core.Tracer):
        _check_epsilon(epsilon)
    return epsilon


def mode_recovery(generator: jax.Array, modes: jax.Array, epsilon: float | None = None, pair_prob: float = 0.0) -> jax.Array:
    r"""The probabilities :math:`\Pr_z\bigl[\lVert G(z)/\lVert G(z)\rVert - u_\ell\rVert \le \varepsilon\bigr]`, :math:`\ell = 1, 2`.

    Exact over :math:`\mathcal D_z` (:func:`latent_support`): every latent weighted by its probability.
    The condition is :math:`\cos(G(z), u_\ell) \ge 1 - \varepsilon^2/2`.

    Args:
      generator: :math:`V`, shape ``(m_G, d)``.
      modes: ``(2, d)``.
      epsilon: :math:`\varepsilon \in (0, 2)`; ``None`` (the default) is :func:`default_epsilon` of the modes.
      pair_prob: :math:`\rho` of the latent law.

    Returns:
      shape ``(2,)``.

    Example:
      >>> modes = two_modes(4, 0.3)
      >>> mode_recovery(jnp.stack([modes[0], modes[0], modes[1], modes[0] + modes[1]]), modes).tolist()
      [0.5, 0.25]
    """
    epsilon = _epsilon_or_default(epsilon, modes)
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _directions_recovered(generator, modes, epsilon, _support_probs(generator.shape[0], pair_prob))[:2]


def collapse_recovery(generator: jax.Array, modes: jax.Array, epsilon: float | None = None, pair_prob: float = 0.0) -> jax.Array:
    r"""The probability :math:`\Pr_z\bigl[\lVert G(z)/\lVert G(z)\rVert - \hat s\rVert \le \varepsilon\bigr]` that an output points along :math:`u_1 + u_2`.

    The test of :func:`mode_recovery` for the collapse direction :math:`\hat s` of Theorem 4.1. With
    :func:`default_epsilon` the balls around :math:`u_1`, :math:`u_2` and :math:`\hat s` are disjoint, so an
    output counts for at most one of the three.

    Example:
      >>> modes = two_modes(4, 0.3)
      >>> float(collapse_recovery(jnp.stack([modes[0] + modes[1], modes[0]]), modes))
      0.5
    """
    epsilon = _epsilon_or_default(epsilon, modes)
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _directions_recovered(generator, modes, epsilon, _support_probs(generator.shape[0], pair_prob))[2]


def output_shares(generator: jax.Array, modes: jax.Array, pair_prob: float = 0.0) -> jax.Array:
    r"""How :math:`\lVert G(z)\rVert^2` splits, on average over :math:`z`: along :math:`\hat s`, along :math:`\hat\delta`, and the rest.

    .. math::

       \Bigl(\E_z \cos^2(G(z), \hat s),\ \E_z \cos^2(G(z), \hat\delta),\ 1 - \text{both}\Bigr):

    the *collapse share* (along :math:`u_1 + u_2`), the *separation share* (the part that tells the modes
    apart) and the part outside the plane of the modes.

    Example:
      >>> modes = two_modes(4, 0.3)
      >>> output_shares(modes[:1] + modes[1:], modes).round(3).tolist()
      [1.0, 0.0, 0.0]
    """
    if not isinstance(pair_prob, jax.core.Tracer):
        _check_pair_prob(pair_prob, generator.shape[0])
    return _shares(generator, modes, _support_probs(generator.shape[0], pair_prob))


def _shares(generator, modes, probs):
    cos = _support_cosines(generator, modes)
    collapse, separation = probs @ cos[:, 2] ** 2, probs @ cos[:, 3] ** 2
    return jnp.stack([collapse, separation, jnp.maximum(1.0 - collapse - separation, 0.0)])


def recovery_metric(setting: TwoModeSetting, epsilon: float | None = None, neurons: bool = True, gradients: bool = False):
    r"""A run metric ``(game, state, key) -> dict`` for :func:`minimax.runner.run` and ``sweep``.

    Returns ``recovered`` (shape ``(2,)``, :func:`mode_recovery`), ``collapsed`` (:func:`collapse_recovery`),
    ``shares`` (shape ``(3,)``, :func:`output_shares`), ``gen_norm`` and ``disc_norm`` (mean norms of the
    neurons) and, with ``neurons=True``, ``gen_norms`` ``(m_G,)``, ``gen_cos`` ``(m_G, 4)`` and ``disc_cos``
    ``(m_D, 4)`` (:func:`cosines` of every neuron); with ``gradients=True`` also ``grad_norms``
    :math:`(\lVert\nabla_V f\rVert, \lVert\nabla_{W,b} f\rVert)` on a fresh mini-batch, the *pace* at which SGDA
    moves each player. ``epsilon=None`` uses :func:`default_epsilon`. Build the metric once per setting:
    compiled sweeps are cached per metric object.
    """
    _check_setting(setting)
    if epsilon is not None:
        _check_epsilon(epsilon)
    _validation.check_bool("neurons", neurons)
    _validation.check_bool("gradients", gradients)
    return _metric(setting, epsilon, neurons, gradients)


def _metric(setting, epsilon, neurons, gradients, active_gen_width=None, active_disc_width=None):
    modes = setting.modes

    def metric(game, state, key):
        generator, weights = state.x, state.y["w"]
        threshold = default_epsilon(modes) if epsilon is None else epsilon
        probs = _support_probs(setting.gen_width, setting.pair_prob, active_gen_width)
        directions = _directions_recovered(generator, modes, threshold, probs)
        disc_norms = jnp.linalg.norm(weights, axis=1)
        disc_count = setting.disc_width if active_disc_width is None else active_disc_width
        values = {
            "recovered": directions[:2],
            "collapsed": directions[2],
            "shares": _shares(generator, modes, probs),
            "gen_norm": probs[: setting.gen_width] @ jnp.linalg.norm(generator, axis=1) / jnp.sum(probs[: setting.gen_width]),
            "disc_norm": jnp.sum(disc_norms) / disc_count,
        }
        if neurons:
            values["gen_norms"] = jnp.linalg.norm(generator, axis=1)
            values["gen_cos"] = cosines(generator, modes)
            values["disc_cos"] = cosines(weights, modes)
        if gradients:
            batch = game.sample(key)
            grad_x = jax.grad(game.loss_x, argnums=0)(state.x, state.y, batch)
            grad_y = jax.grad(game.loss_y, argnums=1)(state.x, state.y, batch)
            values["grad_norms"] = jnp.stack([optax.tree.norm(grad_x), optax.tree.norm(grad_y)])
        return values

    return metric


# ----------------------------------------------------------------------------------------------------------
# Sweeping the setting itself: dimension, angle, initialization, widths, activation, latent law
# ----------------------------------------------------------------------------------------------------------

#: The grid axes that :func:`setting_sweep` reads as part of the game rather than as hyper-parameters.
SETTING_AXES = ("dim", "inner", "gen_norm", "disc_norm", "mode_weight", "threshold", "scale", "bias_scale",
                "pair_prob", "gen_width", "disc_width")


class SettingSweep(NamedTuple):
    """What :func:`setting_sweep` returns: ``metrics`` ``{name: (size, num_logs, ...)}``, the logged ``steps``,
    the ``final`` scheme states and ``diverged_at`` (``-1`` for runs that stayed finite)."""

    metrics: dict
    steps: np.ndarray
    final: schemes.SchemeState
    diverged_at: jax.Array


@functools.lru_cache(maxsize=32)
def _compiled_setting_sweep(static, make_scheme, num_steps, log_every, epsilon, neurons, gradients, hyper_names):
    from minimax import runner  # imported here: runner does not depend on this module, and sweeps are rare

    dim, gen_width, disc_width, batch_size = static

    def one(hypers, game_values, key):
        active_dim, inner, gen_norm, disc_norm, mode_weight, threshold, scale, bias_scale, pair_prob, active_gen, active_disc = game_values
        setting = TwoModeSetting(embedded_modes(dim, inner), gen_width, disc_width, threshold, scale, bias_scale,
                                 pair_prob, mode_weight, batch_size)
        init_key, run_key = jax.random.split(key)
        x0, y0 = _draw_players(init_key, dim, gen_width, disc_width, gen_norm, disc_norm, active_dim, active_disc)
        result = runner.run(_game(setting, active_gen), make_scheme(**dict(zip(hyper_names, hypers))), x0, y0,
                            num_steps=num_steps, key=run_key, log_every=log_every,
                            metrics=_metric(setting, epsilon, neurons, gradients, active_gen, active_disc))
        return result.metrics, result.final, result.diverged_at

    return jax.jit(jax.vmap(one))


def setting_sweep(
    setting: TwoModeSetting,
    make_scheme,
    points,
    num_steps: int,
    log_every: int = 1,
    *,
    gen_norm: float,
    disc_norm: float,
    epsilon: float | None = None,
    neurons: bool = False,
    gradients: bool = False,
) -> SettingSweep:
    r"""Like :func:`minimax.runner.sweep`, but the grid may also vary the *game*: still one compiled, vmapped call.

    :func:`minimax.runner.sweep` compiles one program per game, so a study over the dimension or the angle
    between the modes would compile once per value. Here the game's numbers are traced inputs of a single
    program. Sizes are handled by embedding: every run lives in the ambient dimension :math:`D` =
    ``setting.dim`` with :math:`M_G, M_D` = ``setting.gen_width, disc_width`` neurons; a run of dimension
    :math:`d \le D` starts with its players in the first :math:`d` coordinates (the modes span the first two),
    and since every gradient is a combination of the other player's neurons and of the modes, the other
    coordinates stay exactly zero. Likewise a run with :math:`m_D \le M_D` starts the extra discriminator
    neurons at zero, where :math:`\sigma_\Lambda'(0) = 0` keeps them, and a run with :math:`m_G \le M_G` draws its
    latents among the first :math:`m_G` coordinates only.

    Args:
      setting: the fixed part of the game: ambient sizes :math:`D, M_G, M_D` and batch size, and the default
        value of every other quantity; its modes are replaced by :func:`embedded_modes`.
      make_scheme: a module-level function of the grid's hyper-parameters (e.g. :func:`sgda`).
      points: a :func:`minimax.runner.grid` (or :func:`stack_grids`). Axes named in :data:`SETTING_AXES`
        set the game and the start of each run (``dim``, ``inner`` :math:`=\gamma`, ``gen_norm``,
        ``disc_norm``, ``mode_weight``, ``threshold``, ``scale``, ``bias_scale``, ``pair_prob``,
        ``gen_width``, ``disc_width``), ``seed`` the randomness, every other axis goes to ``make_scheme``.
      num_steps, log_every: as in :func:`minimax.runner.run`.
      gen_norm, disc_norm: the initial neuron norms (:func:`initializer`) where the grid has no such axis.
      epsilon, neurons, gradients: as in :func:`recovery_metric`.

    With no setting axis in the grid, the result equals :func:`minimax.runner.sweep` on the same setting with
    :func:`initializer` and :func:`recovery_metric` (same seeds, same numbers). Like ``sweep``, the runs are
    sharded over the devices when several are visible (e.g. CPU cores exposed with
    ``XLA_FLAGS=--xla_force_host_platform_device_count=2``).

    Example:
      >>> from minimax import runner
      >>> setting = two_mode_setting(dim=64, inner=0.3, gen_width=4, disc_width=2)
      >>> points = runner.grid(eta_g=[0.01], eta_d=[0.01], dim=[16, 64], inner=[0.2, 0.5])
      >>> result = setting_sweep(setting, nsgda, points, num_steps=10, gen_norm=0.1, disc_norm=0.1)
      >>> result.metrics["recovered"].shape
      (4, 11, 2)
    """
    _check_setting(setting)
    _validation.check_callable("make_scheme", make_scheme, "a function of the grid's hyper-parameters returning a Scheme")
    from minimax import runner

    _validation.check_instance("points", points, runner.Grid, "e.g. minimax.runner.grid(eta_g=[0.1], eta_d=[0.1])")
    _validation.check_positive_int("num_steps", num_steps)
    _validation.check_positive_int("log_every", log_every)
    if num_steps % log_every:
        raise ValueError(f"num_steps must be a multiple of log_every={log_every}; got num_steps={num_steps}.")
    if epsilon is not None:
        _check_epsilon(epsilon)
    _validation.check_bool("neurons", neurons)
    _validation.check_bool("gradients", gradients)
    for name, norm in (("gen_norm", gen_norm), ("disc_norm", disc_norm)):
        if name not in points.values:
            _validation.check_positive(name, norm)
    if "seed" in points.values:
        _validation.check_seeds("the grid's seed axis", points.values["seed"])
    size, values = points.size, points.values
    defaults = {"dim": setting.dim, "inner": float(setting.modes[0] @ setting.modes[1]), "gen_norm": gen_norm,
                "disc_norm": disc_norm, "mode_weight": setting.mode_weight, "threshold": setting.threshold,
                "scale": setting.scale, "bias_scale": setting.bias_scale, "pair_prob": setting.pair_prob,
                "gen_width": setting.gen_width, "disc_width": setting.disc_width}
    columns = {name: np.asarray(values[name] if name in values else np.full(size, defaults[name]), dtype=float)
               for name in SETTING_AXES}
    for name, upper, lower in (("dim", setting.dim, 2), ("gen_width", setting.gen_width, 1),
                               ("disc_width", setting.disc_width, 1)):
        column = columns[name]
        if not np.all((column == np.round(column)) & (column >= lower) & (column <= upper)):
            raise ValueError(f"{name} must hold integers in [{lower}, {upper}] (the setting's {name}); "
                             f"got {np.unique(column)!r}.")
    _validation.check_open_interval("inner", columns["inner"], 0.0, 1.0)
    for name in ("gen_norm", "disc_norm", "threshold", "scale"):
        _validation.check_positive(name, columns[name])
    _validation.check_nonnegative("bias_scale", columns["bias_scale"])
    _validation.check_open_interval("mode_weight", columns["mode_weight"], 0.0, 1.0)
    _check_pair_prob(columns["pair_prob"], int(columns["gen_width"].min()))
    hyper_names = tuple(name for name in points.names if name not in SETTING_AXES and name != "seed")
    for index in range(size):
        make_scheme(**{name: values[name][index].item() for name in hyper_names})
    static = (setting.dim, setting.gen_width, setting.disc_width, setting.batch_size)
    swept = _compiled_setting_sweep(static, make_scheme, num_steps, log_every,
                                    None if epsilon is None else float(epsilon), bool(neurons), bool(gradients),
                                    hyper_names)
    seeds = values.get("seed", np.zeros(size, dtype=np.int64))
    keys = jax.vmap(jax.random.PRNGKey)(jnp.asarray(seeds))
    hypers = tuple(jnp.asarray(values[name], dtype=jnp.float32) for name in hyper_names)
    game_values = tuple(jnp.asarray(columns[name], dtype=jnp.float32) for name in SETTING_AXES)
    swept_values = swept(*_shard_runs((hypers, game_values, keys), size))
    history, final, diverged_at = jax.tree_util.tree_map(lambda leaf: leaf[:size], swept_values)
    return SettingSweep(history, np.arange(0, num_steps + 1, log_every), final, diverged_at)


def _shard_runs(tree, size: int):
    """Pad the runs to a multiple of the device count and spread them over the devices, as runner.sweep does."""
    devices = jax.devices()
    if len(devices) == 1:
        return tree
    padded = -(-size // len(devices)) * len(devices)
    sharding = jax.sharding.NamedSharding(jax.sharding.Mesh(np.asarray(devices), ("runs",)),
                                          jax.sharding.PartitionSpec("runs"))

    def place(leaf):
        leaf = jnp.asarray(leaf)
        return jax.device_put(jnp.concatenate([leaf, jnp.repeat(leaf[-1:], padded - size, axis=0)]), sharding)

    return jax.tree_util.tree_map(place, tree)


def stack_grids(*grids, **defaults):
    r"""Concatenate several :func:`minimax.runner.grid` s into one flat grid, for one :func:`setting_sweep` call.

    Axes missing from a grid take the value in ``defaults``. Returns the stacked grid (shape ``(N,)``) and
    one ``slice`` per input grid, to cut the sweep's results back into the studies.

    Example:
      >>> from minimax import runner
      >>> both, parts = stack_grids(runner.grid(dim=[32, 64], seed=[0]), runner.grid(inner=[0.1], seed=[0]),
      ...                           dim=64, inner=0.3)
      >>> both.values["dim"].tolist(), both.values["inner"].tolist(), parts[1]
      ([32, 64, 64], [0.3, 0.3, 0.1], slice(2, 3, None))
    """
    from minimax import runner

    if not grids:
        raise ValueError("stack_grids needs at least one grid.")
    for position, one in enumerate(grids):
        _validation.check_instance(f"grids[{position}]", one, runner.Grid, "e.g. minimax.runner.grid(dim=[32, 64])")
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
    return runner.Grid(values, tuple(names), (start,)), parts

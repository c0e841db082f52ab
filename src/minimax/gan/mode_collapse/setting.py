r"""The two-mode setting: the truncated cubic, the data's two modes, the sparse latents, the game and its
players' start, and the family of these games that one sweep traces (:func:`setting_family`)."""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from minimax import _validation
from minimax.games import Game, zero_sum
from minimax.gan import losses

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

r"""Classifier-based metrics for generated digits: class coverage, confidence and a Fréchet distance.

A small MLP classifier :math:`c(x) = \operatorname{softmax}(\phi(x) W + b)` with penultimate features
:math:`\phi(x) \in \mathbb R^{128}` is trained once on the training part of
:func:`~minimax.gan.digits.held_out_split` of the 8 × 8 digits (:func:`digits_classifier`; full-batch
AdamW, one ``jit``-compiled ``lax.scan``, fixed seed). Its accuracy on the 360 held-out images is 0.983 (354 right;
the tests require at least 0.95). It is cached in the process and on disk, under
``$MINIMAX_CACHE_DIR`` (default ``~/.cache/minimax``). :func:`mnist_classifier` trains the same
network on MNIST's 60,000 training images, for the 784-pixel digits of the ``full`` profiles.

The metrics score :math:`n` generated images :math:`x_1, \dots, x_n`:

- :func:`confidence`, the mean top-class probability :math:`\frac1n \sum_i \max_k c_k(x_i)`;
- :func:`class_coverage`, the mode count of the 2-D benchmarks (:mod:`minimax.gan.metrics`) with the
  classifier in place of the nearest mode, as in the MNIST protocols of Metz et al. (2017) and Lin et
  al. (2018): the number of classes :math:`k` with

  .. math::

     \#\bigl\{i : \arg\max_j c_j(x_i) = k,\ \max_j c_j(x_i) \ge \tau\bigr\} \;\ge\; s\, n ,

  :math:`\tau = 0.99` and :math:`s = 0.008` by default (:func:`class_counts`, :func:`class_coverage`);

- :func:`frechet_distance`, the FID recipe of Heusel et al. (2017) in the classifier's feature space:
  the Fréchet (2-Wasserstein) distance between Gaussians fitted to the features of real and generated
  images,

  .. math::

     d^2 = \|\mu_1 - \mu_2\|^2 + \operatorname{tr}\Bigl(\Sigma_1 + \Sigma_2
           - 2\bigl(\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}\bigr)^{1/2}\Bigr).

All metrics are pure JAX, ``jit``- and ``vmap``-able (over runs, or over a leading batch of sample
sets); :func:`digit_quality` wraps them as a run metric.

Example:
  >>> from minimax.gan import digits
  >>> classifier = digits_classifier()
  >>> train, held_out = digits.held_out_split(digits.load_digits(), fraction=0.2, seed=0)
  >>> float(classifier_accuracy(classifier, held_out)) >= 0.95
  True
  >>> int(class_coverage(classifier, held_out.images))
  10
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import minimax
from minimax import _validation
from minimax.gan import digits, networks

PyTree = Any
DEFAULT_CACHE_DIR = "~/.cache/minimax"


class ClassifierSettings(NamedTuple):
    """How :func:`digits_classifier` trains: the MLP, full-batch AdamW, and the held-out split it leaves out.

    Attributes:
      hidden_sizes: the hidden layer sizes; the last one is the feature dimension.
      num_steps: full-batch AdamW steps.
      learning_rate: AdamW's step size.
      weight_decay: AdamW's decoupled weight decay.
      seed: the seed of the initial weights.
      held_out_fraction: the ``fraction`` of :func:`~minimax.gan.digits.held_out_split`.
      split_seed: the ``seed`` of :func:`~minimax.gan.digits.held_out_split`.
    """

    hidden_sizes: tuple[int, ...] = (128, 128)
    num_steps: int = 300
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    held_out_fraction: float = 0.2
    split_seed: int = 0


class Classifier(NamedTuple):
    """A trained MLP classifier of digits (a pytree: it can be passed through ``jit``).

    Attributes:
      params: :func:`~minimax.gan.networks.mlp_init` parameters with layer sizes ``(d, *hidden_sizes, 10)``.
    """

    params: list[dict]

    @property
    def input_dim(self) -> int:
        """The number of pixels :math:`d` of the images it classifies."""
        return self.params[0]["w"].shape[0]

    def features(self, images: jax.Array) -> jax.Array:
        r"""The penultimate activations :math:`\phi(x)`, shape ``(n, hidden_sizes[-1])``."""
        return jax.nn.relu(networks.mlp_apply(self.params[:-1], images))

    def logits(self, images: jax.Array) -> jax.Array:
        """The class logits :math:`\\phi(x) W + b`, shape ``(n, 10)``."""
        last = self.params[-1]
        return self.features(images) @ last["w"] + last["b"]


class Gaussian(NamedTuple):
    """A Gaussian's ``mean``, shape ``(p,)``, and ``covariance``, shape ``(p, p)``."""

    mean: jax.Array
    covariance: jax.Array


def _check_settings(settings: ClassifierSettings) -> None:
    _validation.check_instance("settings", settings, ClassifierSettings, "e.g. ClassifierSettings(num_steps=300)")
    if not isinstance(settings.hidden_sizes, tuple) or not settings.hidden_sizes:
        raise ValueError(f"hidden_sizes must be a non-empty tuple of layer sizes; got {settings.hidden_sizes!r}.")
    for size in settings.hidden_sizes:
        _validation.check_positive_int("hidden_sizes (each layer size)", size)
    _validation.check_positive_int("num_steps", settings.num_steps)
    _validation.check_positive("learning_rate", settings.learning_rate)
    _validation.check_nonnegative("weight_decay", settings.weight_decay)
    _validation.check_open_interval("held_out_fraction", settings.held_out_fraction, 0.0, 1.0)
    for name in ("seed", "split_seed"):
        _validation.check_seed(name, getattr(settings, name))


def _check_images(classifier: Classifier, images, name: str = "images", min_count: int = 1) -> None:
    _validation.check_instance("classifier", classifier, Classifier, "e.g. digits_classifier()")
    _validation.check_array(name, images)
    shape = jnp.shape(images)
    if len(shape) != 2 or shape[1] != classifier.input_dim or shape[0] < min_count:
        raise ValueError(f"{name} must have shape (n, {classifier.input_dim}) with n >= {min_count}, flattened "
                         f"images as the classifier's; got shape {shape}.")


@functools.partial(jax.jit, static_argnames="settings")
def _fit(params: list[dict], images: jax.Array, labels: jax.Array, settings: ClassifierSettings) -> list[dict]:
    optimizer = optax.adamw(settings.learning_rate, weight_decay=settings.weight_decay)

    def loss(params):
        logits = networks.mlp_apply(params, images)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    def step(carry, _):
        params, state = carry
        updates, state = optimizer.update(jax.grad(loss)(params), state, params)
        return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, optimizer.init(params)), None, length=settings.num_steps)
    return params


def train_classifier(train: digits.Digits, settings: ClassifierSettings = ClassifierSettings()) -> Classifier:
    r"""An MLP classifier fitted to ``train`` by full-batch AdamW on the cross-entropy (no cache).

    .. math::

       \min_\theta\ \frac1N \sum_{i=1}^N -\log \operatorname{softmax}\bigl(f_\theta(x_i)\bigr)_{y_i}

    Same data and settings, same weights (fixed initial seed, no minibatch noise).

    Example:
      >>> small = train_classifier(digits.load_digits(), ClassifierSettings(hidden_sizes=(16,), num_steps=5))
      >>> [layer["w"].shape for layer in small.params]
      [(64, 16), (16, 10)]
    """
    _validation.check_instance("train", train, digits.Digits, "e.g. digits.load_digits()")
    _check_settings(settings)
    sizes = [train.dim, *settings.hidden_sizes, digits.NUM_CLASSES]
    params = networks.mlp_init(jax.random.PRNGKey(settings.seed), sizes)
    return Classifier(_fit(params, train.images, train.labels, settings))


def classifier_accuracy(classifier: Classifier, data: digits.Digits) -> jax.Array:
    """The fraction of ``data``'s images whose most likely class is their label."""
    _validation.check_instance("data", data, digits.Digits, "e.g. a held-out split of digits.load_digits()")
    _check_images(classifier, data.images, "data.images")
    return jnp.mean(jnp.argmax(classifier.logits(data.images), axis=-1) == data.labels)


def cache_directory() -> Path:
    """``$MINIMAX_CACHE_DIR`` if set, else ``~/.cache/minimax``."""
    return Path(os.environ.get("MINIMAX_CACHE_DIR", DEFAULT_CACHE_DIR)).expanduser()


def _cache_path(directory: Path, settings: ClassifierSettings, name: str = "digits", data: tuple = ()) -> Path:
    """A file named by everything the weights depend on: the settings, this code, the versions running it, the data.

    The 8 × 8 digits enter through scikit-learn's version and the code of :mod:`~minimax.gan.digits`, so a
    cache hit reads no data (and imports no scikit-learn, which takes seconds); other data sets pass
    their arrays as ``data``.
    """
    versions = (minimax.__version__, jax.__version__, optax.__version__, metadata.version("scikit-learn"))
    digest = hashlib.sha256()
    for part in (repr(settings), *versions):
        digest.update(part.encode())
    for source in (__file__, digits.__file__):
        digest.update(Path(source).read_bytes())
    for array in data:
        digest.update(np.ascontiguousarray(array).tobytes())
    return directory / f"{name}-classifier-{digest.hexdigest()[:20]}.npz"


def _load(path: Path, sizes: list[int]) -> Classifier | None:
    """The classifier stored at ``path``, or None when the file is missing, unreadable or of other shapes."""
    try:
        with np.load(path) as stored:
            params = [{"w": stored[f"w{index}"], "b": stored[f"b{index}"]} for index in range(len(sizes) - 1)]
    except Exception:  # a corrupt or foreign cache file fails in many ways; each means "train again"
        return None
    shapes_match = all(layer["w"].shape == (fan_in, fan_out) and layer["b"].shape == (fan_out,)
                       for layer, fan_in, fan_out in zip(params, sizes[:-1], sizes[1:]))
    finite = all(np.all(np.isfinite(leaf)) for leaf in jax.tree_util.tree_leaves(params))
    if not (shapes_match and finite):
        return None
    return Classifier(jax.tree_util.tree_map(lambda leaf: jnp.asarray(leaf, jnp.float32), params))


def _save(path: Path, classifier: Classifier) -> None:
    """Write atomically (temporary file, then rename): chapters running in parallel never read half a file."""
    arrays = {f"{name}{index}": np.asarray(layer[name])
              for index, layer in enumerate(classifier.params) for name in ("w", "b")}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz.tmp", delete=False) as handle:
            np.savez(handle, **arrays)
        os.replace(handle.name, path)
    except OSError as error:  # a read-only cache only costs a retraining next time
        warnings.warn(f"could not cache the classifier at {path}: {error}", stacklevel=3)


def _load_or_train(path: Path, sizes: list[int], train: Callable[[], Classifier]) -> Classifier:
    classifier = _load(path, sizes)
    if classifier is None:
        classifier = train()
        _save(path, classifier)
    return classifier


def load_or_train_classifier(settings: ClassifierSettings, directory: str | os.PathLike) -> Classifier:
    """The classifier of ``settings`` from the cache in ``directory``, trained and stored there when absent or corrupt."""
    _check_settings(settings)
    _validation.check_path("directory", directory)
    path = _cache_path(Path(directory).expanduser(), settings)

    def train() -> Classifier:
        train_split, _ = digits.held_out_split(digits.load_digits(), settings.held_out_fraction, settings.split_seed)
        return train_classifier(train_split, settings)

    return _load_or_train(path, [digits.DIGITS_DIM, *settings.hidden_sizes, digits.NUM_CLASSES], train)


def mnist_classifier(
    train: digits.Digits, settings: ClassifierSettings = ClassifierSettings(), directory: str | os.PathLike | None = None
) -> Classifier:
    """A classifier of 28 × 28 MNIST digits fitted to ``train``, cached under a name that hashes its images and labels.

    ``train`` is MNIST's training split (:func:`minimax.gan.mnist.load_mnist`); the test split, which it
    never sees, is the held-out set (``held_out_fraction`` and ``split_seed`` of ``settings`` are unused).
    Same images and settings, same weights; the cache lives in ``directory`` (default
    :func:`cache_directory`), so the 60,000-image fit runs once per machine.

    Example (with the four files of MNIST in ``~/data/mnist``):

    .. code-block:: python

       classifier = mnist_classifier(mnist.load_mnist("~/data/mnist", "train"))
       classifier_accuracy(classifier, mnist.load_mnist("~/data/mnist", "test"))   # its held-out accuracy
    """
    _check_settings(settings)
    if not isinstance(train, digits.Digits):
        raise ValueError(f"train must be a Digits data set (e.g. load_mnist(directory, 'train')); got {type(train).__name__}.")
    if directory is not None:
        _validation.check_path("directory", directory)
    directory = cache_directory() if directory is None else Path(directory).expanduser()
    path = _cache_path(directory, settings, "mnist", (np.asarray(train.images), np.asarray(train.labels)))
    return _load_or_train(path, [train.dim, *settings.hidden_sizes, digits.NUM_CLASSES],
                          lambda: train_classifier(train, settings))


@functools.cache
def _remembered_classifier(settings: ClassifierSettings, directory: Path) -> Classifier:
    return load_or_train_classifier(settings, directory)


def digits_classifier(settings: ClassifierSettings = ClassifierSettings()) -> Classifier:
    """The classifier of the 8 × 8 digits, trained once per ``settings`` (cached in memory and in :func:`cache_directory`).

    With the default settings it is 0.98 accurate on the held-out split
    ``held_out_split(load_digits(), fraction=0.2, seed=0)`` it never saw; training takes a few seconds
    on a CPU, loading it from the cache a few milliseconds.
    """
    _check_settings(settings)  # before the in-memory cache, which needs hashable settings
    return _remembered_classifier(settings, cache_directory())


def confidence(classifier: Classifier, images: jax.Array) -> jax.Array:
    r"""The mean top-class probability :math:`\frac1n\sum_i \max_k c_k(x_i)`, in :math:`[\frac1{10}, 1]`."""
    _check_images(classifier, images)
    return jnp.mean(jnp.max(jax.nn.softmax(classifier.logits(images), axis=-1), axis=-1))


def class_counts(classifier: Classifier, images: jax.Array, min_confidence: float = 0.99) -> jax.Array:
    r"""The number of confidently classified images of each class, shape ``(10,)``, int32.

    An image counts for class :math:`k` when :math:`\arg\max_j c_j(x) = k` and :math:`\max_j c_j(x) \ge \tau`,
    ``min_confidence`` :math:`= \tau`, the analogue of the 3σ "high quality" rule of the 2-D benchmarks.
    The default 0.99 is measured, not standard: 92 % of the held-out digits reach it, against 3 % of
    uniform noise on :math:`[-1, 1]^{64}` (at 0.9, noise still covers 7 of the 10 classes).
    """
    _check_images(classifier, images)
    _validation.check_open_interval("min_confidence", min_confidence, 0.0, 1.0)
    probabilities = jax.nn.softmax(classifier.logits(images), axis=-1)
    confident = (jnp.max(probabilities, axis=-1) >= min_confidence).astype(jnp.int32)
    classes = jnp.argmax(probabilities, axis=-1)
    return jnp.zeros(digits.NUM_CLASSES, jnp.int32).at[classes].add(confident)


def class_coverage(
    classifier: Classifier, images: jax.Array, min_confidence: float = 0.99, min_share: float = 0.008
) -> jax.Array:
    r"""The number of classes (an int32 in :math:`[0, 10]`) with at least a share ``min_share`` of the images, confidently.

    Class :math:`k` is covered when :func:`class_counts` gives it at least :math:`s\,n` of the :math:`n`
    images, :math:`s` = ``min_share``. The default :math:`s = 0.008` is the mode-coverage rule of the 2-D
    benchmarks (VEEGAN, PacGAN: a mode with fewer than 20 of 2,500 samples is lost) stated as a share,
    so that it does not depend on :math:`n`; a uniform generator gives each class :math:`n/10`.

    Args:
      classifier: e.g. :func:`digits_classifier`.
      images: generated images, shape ``(n, d)``, in :math:`[-1, 1]`.
      min_confidence: :math:`\tau \in (0, 1)`, the top-class probability an image needs to count.
      min_share: :math:`s \in (0, 1)`.
    """
    _validation.check_open_interval("min_share", min_share, 0.0, 1.0)
    counts = class_counts(classifier, images, min_confidence)
    return jnp.sum(counts >= min_share * jnp.shape(images)[0]).astype(jnp.int32)


def feature_statistics(classifier: Classifier, images: jax.Array) -> Gaussian:
    r"""The mean and the (unbiased, :math:`n - 1`) covariance of the features :math:`\phi(x_i)` of ``images``."""
    _check_images(classifier, images, min_count=2)
    features = classifier.features(images)
    mean = jnp.mean(features, axis=0)
    centred = features - mean
    return Gaussian(mean, centred.T @ centred / (features.shape[0] - 1))


def _psd_sqrt_eigenvalues(matrix: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Square roots of the eigenvalues of a symmetric PSD matrix (rounding negatives clipped to 0), and its eigenvectors."""
    symmetric = (matrix + matrix.T) / 2  # products of symmetric matrices are symmetric only up to rounding
    eigenvalues, eigenvectors = jnp.linalg.eigh(symmetric)
    return jnp.sqrt(jnp.clip(eigenvalues, 0.0)), eigenvectors


def gaussian_frechet_distance(first: Gaussian, second: Gaussian) -> jax.Array:
    r"""The squared Fréchet distance between two Gaussians, with symmetric eigendecompositions only.

    .. math::

       d^2 = \|\mu_1 - \mu_2\|^2 + \operatorname{tr}\Sigma_1 + \operatorname{tr}\Sigma_2
             - 2 \sum_j \sqrt{\lambda_j\bigl(\Sigma_1^{1/2} \Sigma_2 \Sigma_1^{1/2}\bigr)},

    where :math:`\Sigma_1^{1/2} = V \operatorname{diag}(\sqrt{\lambda}) V^\top` from
    :math:`\Sigma_1 = V \operatorname{diag}(\lambda) V^\top`. The trace of the matrix square root is the
    sum of the square roots of the eigenvalues of a symmetric PSD matrix, so no general ``sqrtm`` is needed
    and the function is ``jit``/``vmap``-able.

    Example:
      >>> unit = Gaussian(jnp.zeros(2), jnp.eye(2))
      >>> float(gaussian_frechet_distance(unit, Gaussian(jnp.ones(2), 4 * jnp.eye(2))))
      4.0
    """
    dim = jnp.shape(first.mean) if isinstance(first, Gaussian) else None
    for name, gaussian in (("first", first), ("second", second)):
        _validation.check_instance(name, gaussian, Gaussian, "e.g. feature_statistics(classifier, images)")
        if jnp.ndim(gaussian.mean) != 1 or jnp.shape(gaussian.mean) != dim or jnp.shape(gaussian.covariance) != dim * 2:
            raise ValueError(f"{name} must be a Gaussian with mean of shape {dim} and covariance of shape {dim * 2}, "
                             f"the same as first's; got {jnp.shape(gaussian.mean)} and {jnp.shape(gaussian.covariance)}.")
    root_values, root_vectors = _psd_sqrt_eigenvalues(first.covariance)
    first_root = (root_vectors * root_values) @ root_vectors.T
    middle_roots, _ = _psd_sqrt_eigenvalues(first_root @ second.covariance @ first_root)
    mean_term = jnp.sum((first.mean - second.mean) ** 2)
    return mean_term + jnp.trace(first.covariance) + jnp.trace(second.covariance) - 2 * jnp.sum(middle_roots)


def frechet_distance(classifier: Classifier, real_images: jax.Array, generated_images: jax.Array) -> jax.Array:
    """The squared Fréchet distance between the classifier's feature statistics of real and generated images.

    Args:
      classifier: e.g. :func:`digits_classifier`.
      real_images, generated_images: shapes ``(n, d)`` and ``(m, d)``, :math:`n, m \\ge 2`.
    """
    _check_images(classifier, real_images, "real_images", min_count=2)
    _check_images(classifier, generated_images, "generated_images", min_count=2)
    return gaussian_frechet_distance(feature_statistics(classifier, real_images),
                                     feature_statistics(classifier, generated_images))


def digit_quality(
    classifier: Classifier,
    generator: Callable[[PyTree, jax.Array], jax.Array],
    latent_dim: int,
    real_images: jax.Array,
    num_samples: int = 2500,
    min_confidence: float = 0.99,
    min_share: float = 0.008,
):
    """A run metric ``(game, state, key) -> {"class_coverage", "confidence", "frechet_distance"}``.

    It draws ``num_samples`` latents, maps them through ``generator(state.x, latents)`` and scores the
    images; the real images' feature statistics are computed once, here. Pass it as ``metrics=`` to
    :func:`minimax.runner.run` or ``sweep``.
    """
    _validation.check_instance("classifier", classifier, Classifier, "e.g. digits_classifier()")
    _validation.check_callable("generator", generator, "a function (params, latents) -> images")
    _validation.check_positive_int("latent_dim", latent_dim)
    _validation.check_positive_int("num_samples", num_samples)
    if num_samples < 2:
        raise ValueError(f"num_samples must be an integer >= 2 (a covariance needs two samples); got {num_samples!r}.")
    _validation.check_open_interval("min_confidence", min_confidence, 0.0, 1.0)
    _validation.check_open_interval("min_share", min_share, 0.0, 1.0)
    real_statistics = feature_statistics(classifier, real_images)

    def metric(game, state, key):
        del game
        samples = generator(state.x, jax.random.normal(key, (num_samples, latent_dim)))
        return {
            "class_coverage": class_coverage(classifier, samples, min_confidence, min_share),
            "confidence": confidence(classifier, samples),
            "frechet_distance": gaussian_frechet_distance(real_statistics, feature_statistics(classifier, samples)),
        }

    return metric

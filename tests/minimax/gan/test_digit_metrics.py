import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from minimax.gan import digit_metrics, digits, networks

SETTINGS = digit_metrics.ClassifierSettings()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("minimax-cache")


@pytest.fixture(scope="session")
def classifier(cache_dir):
    start = time.perf_counter()
    trained = digit_metrics.load_or_train_classifier(SETTINGS, cache_dir)
    jax.block_until_ready(trained)
    print(f"digits classifier trained in {time.perf_counter() - start:.1f} s")
    return trained


@pytest.fixture(scope="module")
def split():
    return digits.held_out_split(digits.load_digits(), SETTINGS.held_out_fraction, SETTINGS.split_seed)


@pytest.fixture(scope="module")
def noise():
    return jax.random.uniform(jax.random.PRNGKey(0), (1000, 64), minval=-1.0, maxval=1.0)


def test_classifier_is_accurate_on_the_held_out_digits(classifier, split):
    train, held_out = split
    accuracy = float(digit_metrics.classifier_accuracy(classifier, held_out))
    print(f"held-out accuracy {accuracy:.4f}")  # 0.9833 (354 of 360) with the default settings
    assert accuracy >= 0.95
    assert float(digit_metrics.classifier_accuracy(classifier, train)) >= accuracy


def test_cache_hit_loads_without_training(classifier, cache_dir, monkeypatch):
    monkeypatch.setattr(digit_metrics, "train_classifier", pytest.fail)
    loaded = digit_metrics.load_or_train_classifier(SETTINGS, cache_dir)
    jax.tree_util.tree_map(np.testing.assert_array_equal, loaded.params, classifier.params)


def test_corrupt_cache_is_retrained_to_the_same_weights(classifier, tmp_path):
    digit_metrics.load_or_train_classifier(SETTINGS, tmp_path)
    (cached,) = tmp_path.glob("digits-classifier-*.npz")
    cached.write_bytes(b"not an npz file")
    retrained = digit_metrics.load_or_train_classifier(SETTINGS, tmp_path)  # deterministic: same weights
    jax.tree_util.tree_map(np.testing.assert_array_equal, retrained.params, classifier.params)
    assert np.load(cached)["w0"].shape == (64, 128)  # the file was written again


def test_digits_classifier_reads_the_cache_dir_from_the_environment(classifier, cache_dir, monkeypatch):
    monkeypatch.setenv("MINIMAX_CACHE_DIR", str(cache_dir))
    monkeypatch.setattr(digit_metrics, "train_classifier", pytest.fail)  # the fixture has filled that cache
    assert digit_metrics.cache_directory() == cache_dir
    jax.tree_util.tree_map(np.testing.assert_array_equal, digit_metrics.digits_classifier().params, classifier.params)
    assert digit_metrics.digits_classifier() is digit_metrics.digits_classifier()  # in-process cache


def test_held_out_digits_cover_every_class_confidently(classifier, split):
    _, held_out = split
    assert int(digit_metrics.class_coverage(classifier, held_out.images)) == 10
    assert float(digit_metrics.confidence(classifier, held_out.images)) > 0.95


def test_one_digit_covers_one_class_and_min_share_is_a_share_of_all_images(classifier, split):
    train, held_out = split
    counts = np.asarray(digit_metrics.class_counts(classifier, held_out.images))
    threes = train.images[train.labels == 3]  # the classifier fits its training images exactly
    assert int(digit_metrics.class_coverage(classifier, threes)) == 1
    assert int(np.argmax(digit_metrics.class_counts(classifier, threes))) == 3
    # A class needs at least min_share * n confident images: put the threshold just above and below one count.
    share = counts[3] / held_out.num_images
    assert int(digit_metrics.class_coverage(classifier, held_out.images, min_share=share)) >= 1
    covered_above = digit_metrics.class_coverage(classifier, held_out.images, min_share=share + 1e-6)
    assert int(covered_above) == int(np.sum(counts >= (share + 1e-6) * held_out.num_images))


def test_noise_is_rarely_confident(classifier, noise):
    assert int(digit_metrics.class_coverage(classifier, noise)) <= 2
    assert float(digit_metrics.confidence(classifier, noise)) < 0.8


def test_gaussian_frechet_distance_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    for dim, rank in [(3, 3), (16, 16), (16, 5)]:  # the last covariance is singular
        factors = [rng.normal(size=(dim, rank)) for _ in range(2)]
        covariances = [f @ f.T / rank for f in factors]
        means = [rng.normal(size=dim) for _ in range(2)]
        root = scipy.linalg.sqrtm(covariances[0] @ covariances[1]).real
        expected = np.sum((means[0] - means[1]) ** 2) + np.trace(covariances[0] + covariances[1] - 2 * root)
        first, second = (digit_metrics.Gaussian(jnp.asarray(m, jnp.float32), jnp.asarray(c, jnp.float32))
                         for m, c in zip(means, covariances))
        measured = float(digit_metrics.gaussian_frechet_distance(first, second))
        np.testing.assert_allclose(measured, expected, rtol=1e-3, atol=1e-3)
        np.testing.assert_allclose(float(digit_metrics.gaussian_frechet_distance(second, first)), expected, rtol=1e-3)
        assert abs(float(digit_metrics.gaussian_frechet_distance(first, first))) < 1e-3 * np.trace(covariances[0])


def test_frechet_distance_is_small_for_held_out_digits_and_large_for_noise(classifier, split, noise):
    train, held_out = split
    real = float(digit_metrics.frechet_distance(classifier, train.images, held_out.images))
    to_noise = float(digit_metrics.frechet_distance(classifier, train.images, noise))
    print(f"Frechet distance: train vs held-out {real:.2f}, train vs uniform noise {to_noise:.1f}")  # 6.0 and 590
    assert real < 15.0 and to_noise > 300.0


def test_metrics_vmap_over_sample_sets_equals_a_loop(classifier, split, noise):
    train, held_out = split
    sets = jnp.stack([held_out.images[:300], noise[:300], train.images[train.labels == 3][:1].repeat(300, axis=0)])

    # Arguments, not closures: XLA would constant-fold the real images' statistics at compile time.
    def scores(classifier, real, images):
        return (digit_metrics.frechet_distance(classifier, real, images),
                digit_metrics.class_coverage(classifier, images), digit_metrics.confidence(classifier, images))

    batched = jax.jit(jax.vmap(scores, in_axes=(None, None, 0)))(classifier, train.images, sets)
    looped = [jax.jit(scores)(classifier, train.images, images) for images in sets]
    for name, column, loop_column in zip(["frechet", "coverage", "confidence"], batched, zip(*looped)):
        np.testing.assert_allclose(column, np.array(loop_column), rtol=1e-4, atol=1e-3, err_msg=name)
    assert batched[1].tolist()[0] == 10 and batched[1].tolist()[2] == 1


class GeneratorState(NamedTuple):
    x: list  # what a run metric reads of the runner's state: the generator's parameters


def test_digit_quality_is_a_run_metric(classifier, split):
    # The runner calls metric(game, state, key), state.x the generator, in its compiled scan; so does this test.
    train, _ = split
    generator = networks.mlp_init(jax.random.PRNGKey(0), [4, 16, 64])
    metric = digit_metrics.digit_quality(classifier, networks.mlp_apply, 4, train.images, num_samples=100)
    scores = jax.jit(lambda state, key: metric(None, state, key))(GeneratorState(generator), jax.random.PRNGKey(1))
    assert set(scores) == {"class_coverage", "confidence", "frechet_distance"}
    assert 0 <= int(scores["class_coverage"]) <= 10 and 0.1 <= float(scores["confidence"]) <= 1.0
    assert float(scores["frechet_distance"]) > 0.0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda c, d: digit_metrics.confidence(c, d.images[:, :32]), "images"),
        (lambda c, d: digit_metrics.class_coverage(c, d.images, min_confidence=1.0), "min_confidence"),
        (lambda c, d: digit_metrics.class_coverage(c, d.images, min_share=0.0), "min_share"),
        (lambda c, d: digit_metrics.frechet_distance(c, d.images, d.images[:1]), "generated_images"),
        (lambda c, d: digit_metrics.frechet_distance(c, d.images[0], d.images), "real_images"),
        (lambda c, d: digit_metrics.classifier_accuracy(c, digits.Digits(d.images[:, :8], d.labels)), "data.images"),
        (lambda c, d: digit_metrics.gaussian_frechet_distance(
            digit_metrics.Gaussian(jnp.zeros(2), jnp.eye(2)), digit_metrics.Gaussian(jnp.zeros(3), jnp.eye(3))), "second"),
        (lambda c, d: digit_metrics.digit_quality(c, networks.mlp_apply, 4, d.images, num_samples=1), "num_samples"),
        (lambda c, d: digit_metrics.train_classifier(d, SETTINGS._replace(hidden_sizes=[128])), "hidden_sizes"),
        (lambda c, d: digit_metrics.train_classifier(d, SETTINGS._replace(num_steps=0)), "num_steps"),
        (lambda c, d: digit_metrics.load_or_train_classifier({"num_steps": 10}, "."), "settings"),
        (lambda c, d: digit_metrics.digits_classifier(SETTINGS._replace(hidden_sizes=[64])), "hidden_sizes"),
        (lambda c, d: digit_metrics.digits_classifier(SETTINGS._replace(split_seed=-1)), "split_seed"),
        (lambda c, d: digit_metrics.digits_classifier(SETTINGS._replace(held_out_fraction=1.0)), "held_out_fraction"),
    ],
)
def test_bad_input_names_the_parameter(classifier, split, call, name):
    with pytest.raises(ValueError, match=name):
        call(classifier, split[1])


@pytest.fixture(scope="module")
def mnist_like():
    """The 8 × 8 digits blown up to 28 × 28 (each pixel a 3 × 3 block, a 2-pixel border): MNIST's shape and range."""
    data = digits.load_digits()
    pixels = (np.asarray(data.images).reshape(-1, 8, 8) + 1) / 2 * 255
    large = np.pad(np.kron(pixels, np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    return digits.held_out_split(digits.from_pixels(large, np.asarray(data.labels), max_value=255), 0.2, 0)


def test_mnist_classifier_learns_784_pixel_digits_and_is_cached_by_its_data(mnist_like, tmp_path, monkeypatch):
    train, held_out = mnist_like
    settings = digit_metrics.ClassifierSettings(hidden_sizes=(64,), num_steps=150)
    classifier = digit_metrics.mnist_classifier(train, settings, directory=tmp_path)
    assert classifier.input_dim == 784
    assert float(digit_metrics.classifier_accuracy(classifier, held_out)) >= 0.9
    (cached,) = tmp_path.glob("mnist-classifier-*.npz")
    monkeypatch.setattr(digit_metrics, "train_classifier", pytest.fail)   # same data: read from the cache
    again = digit_metrics.mnist_classifier(train, settings, directory=tmp_path)
    jax.tree_util.tree_map(np.testing.assert_array_equal, again.params, classifier.params)
    monkeypatch.undo()
    fewer = digits.Digits(train.images[:-1], train.labels[:-1])          # other data: another file
    digit_metrics.mnist_classifier(fewer, settings, directory=tmp_path)
    assert len(list(tmp_path.glob("mnist-classifier-*.npz"))) == 2


def test_mnist_classifier_wants_a_data_set(tmp_path):
    with pytest.raises(ValueError, match="train must be a Digits data set.*got str"):
        digit_metrics.mnist_classifier("~/data/mnist", directory=tmp_path)

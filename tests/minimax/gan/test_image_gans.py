import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_mnist import write_split

from minimax.gan import digit_metrics, image_gans


def test_default_benchmark_is_the_8x8_digits_with_their_classifier():
    benchmark = image_gans.digit_benchmark()
    assert benchmark.source == "digits" and benchmark.train.dim == 64
    assert (benchmark.train.num_images, benchmark.held_out.num_images) == (1437, 360)
    assert benchmark.classifier.input_dim == 64
    assert float(digit_metrics.classifier_accuracy(benchmark.classifier, benchmark.held_out)) > 0.95


def test_mnist_benchmark_reads_train_and_test_files_and_fits_a_784_pixel_classifier(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMAX_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 20), ("t10k", 8)):
        write_split(tmp_path, rng.integers(0, 256, (count, 28, 28), dtype=np.uint8),
                    rng.integers(0, 10, count, dtype=np.uint8), prefix=prefix)
    benchmark = image_gans.digit_benchmark(tmp_path)
    assert benchmark.source == "mnist"
    assert (benchmark.train.num_images, benchmark.held_out.num_images, benchmark.train.dim) == (20, 8, 784)
    assert benchmark.classifier.input_dim == 784
    assert len(list((tmp_path / "cache").glob("mnist-classifier-*.npz"))) == 1


def test_an_empty_mnist_dir_means_the_8x8_digits_and_a_missing_file_is_named(tmp_path):
    assert image_gans.digit_benchmark("").source == "digits"
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        image_gans.digit_benchmark(tmp_path)


def test_image_players_map_latents_to_images_in_range_and_images_to_logits():
    generator, discriminator = image_gans.image_players_init(64, latent_dim=16, width=32, depth=3)(jax.random.PRNGKey(0))
    assert [layer["w"].shape for layer in generator] == [(16, 32), (32, 32), (32, 32), (32, 64)]
    images = image_gans.image_generator(generator, 10 * jax.random.normal(jax.random.PRNGKey(1), (50, 16)))
    assert images.shape == (50, 64) and float(jnp.abs(images).max()) <= 1.0
    assert image_gans.image_discriminator(discriminator, images).shape == (50, 1)


@pytest.mark.parametrize("options, message", [
    ({"width": 0}, r"width must be"),
    ({"depth": 1.5}, r"depth must be"),
])
def test_image_players_init_bad_input(options, message):
    arguments = {"data_dim": 64, "latent_dim": 16, "width": 32, **options}
    with pytest.raises(ValueError, match=message):
        image_gans.image_players_init(**arguments)


def test_the_full_profile_reads_mnist_from_the_environment_and_the_quick_profile_does_not(tmp_path, monkeypatch):
    monkeypatch.setenv("MINIMAX_MNIST_DIR", str(tmp_path))    # a folder without MNIST's files
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        image_gans.digit_benchmark("", from_environment=True)
    assert image_gans.digit_benchmark("").source == "digits"
    monkeypatch.delenv("MINIMAX_MNIST_DIR")
    assert image_gans.digit_benchmark(from_environment=True).source == "digits"


def test_digit_gan_plays_the_image_players_on_the_training_images():
    train = image_gans.digit_benchmark().train
    game, init = image_gans.digit_gan(train, latent_dim=16, width=32, batch_size=8)
    generator, discriminator = init(jax.random.PRNGKey(0))
    assert [layer["w"].shape for layer in generator] == [(16, 32), (32, 32), (32, 64)]
    assert [layer["w"].shape for layer in discriminator] == [(64, 32), (32, 32), (32, 1)]
    batch = game.sample(jax.random.PRNGKey(1))
    assert batch.real.shape == (8, 64) and batch.latent.shape == (8, 16)
    same_image = (np.asarray(batch.real)[:, None, :] == np.asarray(train.images)[None]).all(axis=-1)
    assert same_image.any(axis=1).all()    # every real image of the batch is a training image
    # The non-saturating generator loss on the tanh generator's images: -mean log D(G(z)).
    fake_logits = image_gans.image_discriminator(discriminator, image_gans.image_generator(generator, batch.latent))
    assert float(game.loss_x(generator, discriminator, batch)) == pytest.approx(
        float(-jnp.mean(jax.nn.log_sigmoid(fake_logits))), rel=1e-5)


def test_digit_gan_names_a_train_set_that_is_not_images():
    with pytest.raises(ValueError, match="train must be"):
        image_gans.digit_gan(np.zeros((10, 64)), latent_dim=16, width=32, batch_size=8)

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from booktools.figures.images import image_row

matplotlib.use("Agg")


def test_the_pictures_stand_in_order_in_grayscale_on_the_images_range():
    rng = np.random.default_rng(0)
    pictures = {name: rng.uniform(-1, 1, (19, 28)) for name in ("held-out digits", "Adam", "SGDA")}
    fig = image_row(pictures)
    assert [ax.get_title() for ax in fig.axes] == list(pictures)
    for ax, picture in zip(fig.axes, pictures.values()):
        shown = ax.get_images()[0]
        np.testing.assert_array_equal(shown.get_array(), picture)
        assert shown.get_clim() == (-1, 1) and shown.get_cmap().name == "gray" and not ax.axison
    assert tuple(fig.get_size_inches()) == pytest.approx((3 * 3.1, 3.4))
    plt.close(fig)


def test_one_picture_is_a_row_of_one():
    fig = image_row({"only": np.zeros((4, 4))}, panel_size=(2.0, 2.0))
    assert len(fig.axes) == 1 and tuple(fig.get_size_inches()) == pytest.approx((2.0, 2.0))
    plt.close(fig)


@pytest.mark.parametrize("pictures, message", [
    ({}, "pictures must be a non-empty mapping"),
    ([np.zeros((4, 4))], "pictures must be a non-empty mapping"),
    ({"images, not a tile": np.zeros((36, 64, 1))}, r"pictures\['images, not a tile'\] must be a 2-D array"),
])
def test_bad_pictures_are_named(pictures, message):
    with pytest.raises(ValueError, match=message):
        image_row(pictures)

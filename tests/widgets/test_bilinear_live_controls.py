"""The bilinear chapter's live controls, headless: build them from the chapter's own cells, move each
one, and check that the picture it drives is redrawn, and redrawn with the values the controls show.

Only the cells the controls need run (notebook_code (a test helper of tests/widgets).code_slice): seconds, not the chapter's
minute of experiments. ipywidgets' ``observe`` callbacks run synchronously in the kernel-less process,
so setting a control's value redraws the picture before the assignment returns.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from notebook_code import run_slice

from booktools.figures.live_figures import figure_png

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "part1" / "02_bilinear_games.ipynb"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chapter():
    """The chapter's 'Try it' section: its controls, the picture they drive, and ``explore_figure``."""
    import matplotlib

    matplotlib.use("Agg")
    namespace = run_slice(CHAPTER, {"live_explorer", "explore_figure"})
    live = namespace["live_explorer"]
    return {"controls": live.controls, "picture": live.picture, "explore_figure": namespace["explore_figure"],
            "live": live}


def expected_picture(chapter) -> bytes:
    """The picture for the values the controls show now, drawn directly."""
    values = {name: control.value for name, control in chapter["controls"].items()}
    return figure_png(chapter["explore_figure"](**values))


def image_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(png)).size


def test_the_controls_start_with_a_drawn_picture(chapter):
    picture, controls = chapter["picture"], chapter["controls"]
    assert set(controls) == {"method", "learning_rate", "momentum"}
    assert bytes(picture.value).startswith(PNG_SIGNATURE) and image_size(bytes(picture.value))[0] > 300
    assert picture.value == expected_picture(chapter), "the first picture is that of the initial values"


def test_the_page_gets_the_momentum_methods_pictures_for_three_betas(chapter):
    live = chapter["live"]
    assert [axis.values for axis in live.axes] == [("heavy_ball", "negative_momentum"), (0.3,), (-0.5, 0.0, 0.5)]
    assert len(live.pictures) == 6 and len(set(live.pictures)) == 6, "every precomputed picture differs"


def test_moving_the_step_size_redraws_the_picture_for_that_step_size(chapter):
    picture, controls = chapter["picture"], chapter["controls"]
    before = picture.value
    controls["learning_rate"].value = 0.9
    assert picture.value != before
    assert picture.value == expected_picture(chapter)


def test_choosing_another_method_redraws_the_picture(chapter):
    picture, controls = chapter["picture"], chapter["controls"]
    before = picture.value
    controls["method"].value = "simultaneous"
    assert picture.value != before
    assert picture.value == expected_picture(chapter)


def test_momentum_changes_the_picture_only_for_the_momentum_methods(chapter):
    picture, controls = chapter["picture"], chapter["controls"]
    controls["method"].value = "optimistic"
    before = picture.value
    controls["momentum"].value = 0.3
    assert picture.value == before, "optimistic GDA has no momentum: its picture must not change"
    controls["method"].value = "heavy_ball"
    with_momentum = picture.value
    controls["momentum"].value = -0.3
    assert picture.value != with_momentum
    assert picture.value == expected_picture(chapter)

"""The bilinear chapter's live controls, headless: run the chapter's code cells, move each control, and check
that the picture it drives is redrawn, and redrawn with the values the controls show.

The whole chapter runs (it takes about half a minute on a CPU), in this process and in the chapter's folder,
so that ipywidgets' ``observe`` callbacks run synchronously: setting a control's value redraws the picture
before the assignment returns.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from booktools.figures.live_figures import figure_png

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "part1" / "02_bilinear_games.ipynb"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAGIC_LINE = re.compile(r"^\s*[%!]")


def run_chapter(notebook: Path, claims_dir: Path) -> dict:
    """Execute the notebook's code cells in order in one namespace (IPython magics dropped); return it."""
    namespace: dict = {"__name__": "__chapter__"}
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    saved = Path.cwd(), os.environ.get("MINIMAX_CLAIMS_DIR")
    os.environ["MINIMAX_CLAIMS_DIR"] = str(claims_dir)  # the chapter's ledger must not land in the repository
    os.chdir(notebook.parent)
    try:
        for index, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                code = "\n".join("" if MAGIC_LINE.match(line) else line for line in source.splitlines())
                exec(compile(code, f"{notebook.name}[cell {index}]", "exec"), namespace)
    finally:
        os.chdir(saved[0])
        if saved[1] is None:
            os.environ.pop("MINIMAX_CLAIMS_DIR")
        else:
            os.environ["MINIMAX_CLAIMS_DIR"] = saved[1]
    return namespace


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    """The chapter's 'Try it' section: its controls, the picture they drive, and ``explore_figure``."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    namespace = run_chapter(CHAPTER, tmp_path_factory.mktemp("claims"))
    plt.close("all")
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

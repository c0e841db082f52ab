import base64
import json
import re

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest

from booktools.figures.live_figures import WIDGET_VIEW, figure_png, live_figure, static_axes

matplotlib.use("Agg")


def draw_line(slope, color):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope], color=color)
    return fig


def gallery_data(figure) -> dict:
    page = figure.to_html()
    return json.loads(re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page).group(1))


def test_the_picture_is_drawn_for_the_initial_values_and_redrawn_when_a_control_moves():
    calls = []

    def draw(slope, color):
        calls.append((slope, color))
        return draw_line(slope, color)

    controls = {"slope": widgets.IntSlider(value=1, min=0, max=3), "color": widgets.Dropdown(options=["red", "blue"])}
    figure = live_figure(draw, controls, static=False, why="test")
    picture = figure.widget.children[1]
    assert calls == [(1, "red")] and bytes(picture.value).startswith(b"\x89PNG")
    first = picture.value
    controls["slope"].value = 3
    assert calls[-1] == (3, "red") and picture.value != first
    controls["color"].value = "blue"
    assert calls[-1] == (3, "blue")
    assert picture.value == figure_png(draw_line(3, "blue"))
    assert list(figure.widget.children[0].children) == list(controls.values())


def test_figures_are_closed_after_drawing():
    before = len(plt.get_fignums())
    live_figure(draw_line, {"slope": widgets.IntSlider(value=1), "color": widgets.Dropdown(options=["red"])})
    assert len(plt.get_fignums()) == before


def test_the_page_gets_every_option_of_a_dropdown_and_a_few_slider_positions_including_the_current_one():
    controls = {"slope": widgets.IntSlider(value=2, min=0, max=9),
                "color": widgets.Dropdown(options=[("Red", "red"), ("Blue", "blue")], value="blue")}
    axes = static_axes(controls, {}, max_pictures=8)
    assert [axis.name for axis in axes] == ["slope", "color"]
    assert axes[1].values == ("red", "blue") and axes[1].labels == ("Red", "Blue")
    assert 2 in axes[0].values and len(axes[0].values) == 4 and axes[0].kind == "slider"
    assert static_axes(controls, {}, max_pictures=4)[0].values == (2, 9), "trimmed to fit the budget"


def test_a_log_slider_is_spread_in_its_exponent():
    axis, = static_axes({"eta": widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0, step=0.5)}, {})
    assert axis.values == pytest.approx((1e-3, 10 ** -2.0, 0.1, 1.0)) and 0.1 in axis.values


def test_the_gallery_holds_one_picture_per_grid_position_and_shows_the_initial_one_first():
    controls = {"slope": widgets.IntSlider(value=2, min=0, max=3), "color": widgets.Dropdown(options=["red", "blue"])}
    figure = live_figure(draw_line, controls, static={"slope": [1, 2, 3]})
    data = gallery_data(figure)
    assert data["shape"] == [3, 2] and len(data["images"]) == 6
    assert data["captions"][2] == "slope = 2, color = red"
    assert base64.b64decode(data["images"][2]) == figure_png(draw_line(2, "red"))
    assert figure.initial_index() == 2
    page = figure.to_html()
    assert f'src="data:image/png;base64,{data["images"][2]}"' in page, "the initial picture works without script"
    assert page.count('class="lf-select"') == 1 and page.count('class="lf-slider"') == 1


def test_the_bundle_carries_the_live_widget_the_gallery_and_a_plain_picture():
    figure = live_figure(draw_line, {"slope": widgets.IntSlider(value=1, max=2), "color": widgets.Dropdown(options=["red"])})
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {WIDGET_VIEW, "text/html", "image/png", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == figure.widget.model_id
    assert base64.b64decode(bundle["image/png"]) == bytes(figure.picture.value)
    assert "0x" not in bundle["text/plain"], "a stable text representation"


def test_a_control_that_cannot_be_precomputed_gets_one_line_saying_why():
    figure = live_figure(draw_line, {"slope": widgets.IntSlider(value=1), "color": widgets.Dropdown(options=["red"])},
                         static=False, why="Every move trains a new model.")
    assert figure.pictures == []
    assert "Every move trains a new model." in figure.to_html() and "Binder" in figure.to_html()


@pytest.mark.parametrize("controls, options, message", [
    ({}, {}, "controls must name at least one widget"),
    ({"slope": 2}, {}, "control 'slope' must be an ipywidgets value widget.*got int"),
    ({"slope": widgets.IntSlider()}, {"static": False}, "static=False needs why"),
    ({"slope": widgets.IntSlider()}, {"static": {"slop": [1]}}, r"static names \['slop'\], which are not controls"),
    ({"c": widgets.Dropdown(options=["red"])}, {"static": {"c": ["green"]}}, "not among its options"),
    ({"c": widgets.Dropdown(options=list("abcdefgh")), "d": widgets.Dropdown(options=list("abc"))}, {},
     "would hold 24 pictures"),
    ({"t": widgets.Text()}, {}, "has no default grid for the page"),
    ({"slope": widgets.IntSlider()}, {"max_pictures": 0}, "max_pictures must be a positive integer"),
])
def test_bad_controls(controls, options, message):
    with pytest.raises(ValueError, match=message):
        live_figure(lambda **values: draw_line(1, "red"), controls, **options)

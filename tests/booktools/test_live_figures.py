import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest

from booktools.live_figures import figure_png, live_figure

matplotlib.use("Agg")


def draw_line(slope, color):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope], color=color)
    return fig


def test_the_picture_is_drawn_for_the_initial_values_and_redrawn_when_a_control_moves():
    calls = []

    def draw(slope, color):
        calls.append((slope, color))
        return draw_line(slope, color)

    controls = {"slope": widgets.IntSlider(value=1, min=0, max=3), "color": widgets.Dropdown(options=["red", "blue"])}
    box = live_figure(draw, controls)
    picture = box.children[1]
    assert calls == [(1, "red")] and bytes(picture.value).startswith(b"\x89PNG")
    first = picture.value
    controls["slope"].value = 3
    assert calls[-1] == (3, "red") and picture.value != first
    controls["color"].value = "blue"
    assert calls[-1] == (3, "blue")
    assert picture.value == figure_png(draw_line(3, "blue"))
    assert list(box.children[0].children) == list(controls.values())


def test_figures_are_closed_after_drawing():
    before = len(plt.get_fignums())
    live_figure(draw_line, {"slope": widgets.IntSlider(value=1), "color": widgets.Dropdown(options=["red"])})
    assert len(plt.get_fignums()) == before


@pytest.mark.parametrize("controls, message", [
    ({}, "controls must name at least one widget"),
    ({"slope": 2}, "control 'slope' must be an ipywidgets value widget.*got int"),
])
def test_bad_controls(controls, message):
    with pytest.raises(ValueError, match=message):
        live_figure(draw_line, controls)

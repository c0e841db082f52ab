"""booktools.figures.static_figures on the Python side: encoding, shapes, errors, the HTML block."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

from booktools.figures import static_figures as sf


def test_curves_round_trip_within_a_ten_thousandth_of_their_span():
    rng = np.random.default_rng(0)
    curves = rng.normal(size=(3, 4, 50)) * np.array([1e-3, 1.0, 1e3])[:, None, None]
    decoded = sf.decode_curves(sf.encode_curves(curves))
    span = curves.max(axis=-1, keepdims=True) - curves.min(axis=-1, keepdims=True)
    assert decoded.shape == curves.shape
    assert np.all(np.abs(decoded - curves) <= span / 65534 + 1e-12)


def test_log_axis_curves_are_stored_as_logarithms_and_lose_non_positive_points():
    decoded = sf.decode_curves(sf.encode_curves(np.array([1e-6, 1.0, 0.0, -1.0, 1e6]), scale="log"))
    assert np.allclose(decoded[[0, 1, 4]], [-6.0, 0.0, 6.0], atol=1e-3)
    assert np.isnan(decoded[[2, 3]]).all()


def test_points_far_outside_a_fixed_range_are_dropped_so_the_visible_part_stays_precise():
    curve = np.array([0.1, 0.5, 5.0, 1e30, np.inf])
    decoded = sf.decode_curves(sf.encode_curves(curve, limits=(-1.0, 1.0)))
    assert np.allclose(decoded[:3], curve[:3], atol=1e-3)
    assert np.isnan(decoded[3:]).all()


def test_eight_bit_codes_round_trip_within_a_254th_of_the_span_in_half_the_bytes():
    curves = np.random.default_rng(1).normal(size=(4, 30)) * np.array([1e-3, 1.0, 1e3, 1.0])[:, None]
    curves[3, 5:9] = np.nan
    eight, sixteen = sf.encode_curves(curves, bits=8), sf.encode_curves(curves)
    decoded = sf.decode_curves(eight)
    span = np.nanmax(curves, axis=-1, keepdims=True) - np.nanmin(curves, axis=-1, keepdims=True)
    present = ~np.isnan(curves)
    assert np.all(np.abs(decoded - curves)[present] <= np.broadcast_to(span / 254, curves.shape)[present])
    assert np.isnan(decoded[3, 5:9]).all() and not np.isnan(decoded[present]).any()
    assert eight["bits"] == 8 and "bits" not in sixteen, "16-bit data keep the format of committed figures"
    assert len(base64.b64decode(eight["data"])) * 2 == len(base64.b64decode(sixteen["data"]))


def test_a_panel_with_eight_bits_encodes_all_its_series_with_eight_bits():
    figure = make_figure()
    figure.panel("coarse", bits=8).line(np.arange(5), np.zeros((2, 3, 5))).markers([1.0], [1.0])
    figure.panel("fine").line(np.arange(5), np.zeros((2, 3, 5)))
    coarse, fine = figure.to_json()["panels"]
    assert {s[axis].get("bits") for s in coarse["series"] for axis in "xy"} == {8}
    assert {s[axis].get("bits") for s in fine["series"] for axis in "xy"} == {None}


def test_a_constant_and_an_empty_curve_encode_without_dividing_by_zero():
    decoded = sf.decode_curves(sf.encode_curves(np.array([[2.0, 2.0], [np.nan, np.nan]])))
    assert decoded[0].tolist() == [2.0, 2.0]
    assert np.isnan(decoded[1]).all()


def make_figure(shape=(2, 3)):
    figure = sf.ExplorableFigure([sf.dropdown("a", ["x", "y"][: shape[0]]), sf.slider("b", [str(i) for i in range(shape[1])])])
    return figure


def test_series_arrays_broadcast_over_the_controls():
    figure = make_figure()
    panel = figure.panel("p")
    panel.line(np.arange(5), np.zeros((2, 3, 5)))       # one curve per position
    panel.line(np.arange(5), np.zeros((1, 3, 5)))       # shared along the select
    panel.dashed([0, 4], np.zeros((2, 1, 2)))           # shared along the slider
    shapes = [s["y"]["shape"] for s in figure.to_json()["panels"][0]["series"]]
    assert shapes == [[2, 3, 5], [1, 3, 5], [2, 1, 2]]


@pytest.mark.parametrize("y, message", [
    (np.zeros((3, 3, 5)), "axis 0 has length 3, but the control has 2 positions"),
    (np.zeros((2, 5)), "expected shape"),
    (np.zeros((2, 3, 4)), "x has 5 points per curve but y has 4"),
])
def test_wrong_shapes_are_refused_with_the_expected_shape(y, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_figure().panel("p").line(np.arange(5), y)


@pytest.mark.parametrize("make, message", [
    (lambda: sf.Control("c", ("a",), kind="knob"), "kind must be one of"),
    (lambda: sf.slider("c", []), "needs at least one label"),
    (lambda: sf.dropdown("c", ["a"], initial=3), "initial must be an index"),
    (lambda: sf.ExplorableFigure([]), "at least one control"),
    (lambda: sf.ExplorableFigure([sf.dropdown("c", ["a"]), sf.dropdown("c", ["b"])]), "unique"),
    (lambda: make_figure().panel("p", y_scale="log", y_range=(0, 1)), "positive range"),
    (lambda: make_figure().panel("p", x_scale="sqrt"), "x_scale must be one of"),
    (lambda: make_figure().panel("p", equal_aspect=True, y_scale="log"), "equal_aspect needs two linear axes"),
    (lambda: make_figure().panel("p", bits=12), "bits must be one of"),
    (lambda: make_figure().captions([["a", "b"]]), "does not broadcast"),
    (lambda: make_figure().to_html(), "at least one panel"),
])
def test_bad_figures_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_html_block_embeds_data_script_and_style_and_cannot_close_its_script_early():
    figure = make_figure()
    figure.panel("</script><b>", x_label="x").line([0, 1], np.zeros((2, 3, 2)))
    figure.captions(np.full((2, 3), "<!-- caption -->"))
    block = figure.to_html()
    figure_id = re.search(r'id="(sf-[0-9a-f]+)"', block).group(1)
    data = re.search(rf'<script type="application/json" id="{figure_id}-data">(.*?)</script>', block, re.S).group(1)
    assert "<" not in data
    assert json.loads(data)["panels"][0]["title"] == "</script><b>"
    assert "window.StaticFigures.render" in block and ".sf-figure" in block
    assert figure._repr_html_() == block
    assert block == figure.to_html(), "the same figure gives the same block (stable notebook outputs)"
    assert repr(figure) == "<ExplorableFigure '': a (2) × b (3), 1 panel(s)>", "no memory address in the text output"


def test_the_png_shows_the_initial_position_for_viewers_without_script():
    def figure(initial):
        fig = sf.ExplorableFigure([sf.dropdown("a", ["0", "1"], initial=initial)], title="t")
        fig.panel("p", y_scale="log").line(np.arange(5), np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]]) + 0.0, label="c")
        return fig.captions(["first", "second"])

    first, second = figure(0), figure(1)
    assert first.to_png().startswith(b"\x89PNG") and first.to_png() != second.to_png()
    assert first._repr_png_() == first.to_png()
    from IPython.core.formatters import format_display_data

    bundle, _ = format_display_data(first)
    assert {"text/html", "image/png", "text/plain"} <= set(bundle)

"""An ExplorableFigure, alone on a page in headless Chromium: it draws, and its controls redraw it.

Fast (no book build): the figure is made here from small synthetic data whose curves differ at every
grid position, so a control that does not redraw, or redraws the wrong curve, fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from booktools import static_figures

pytestmark = pytest.mark.site

SLOPES = np.array([0.5, 1.0, 2.0])          # select: the curve is slope * t ** power
POWERS = np.array([1.0, 2.0, 3.0, 4.0])     # slider


def synthetic_figure() -> static_figures.ExplorableFigure:
    t = np.linspace(0.1, 1.0, 50)
    curves = SLOPES[:, None, None] * t ** POWERS[None, :, None]
    figure = static_figures.ExplorableFigure(
        [static_figures.select("slope", [f"{s:g}" for s in SLOPES]),
         static_figures.slider("power", [f"{p:g}" for p in POWERS], initial=1)], title="synthetic")
    figure.panel("linear", x_label="t", y_label="y", x_range=(0, 1), y_range=(0, 2)).line(t, curves, label="curve")
    figure.panel("log", x_label="t", y_label="y", y_scale="log").line(t, curves).markers([1.0], [1.0], label="one")
    figure.captions([[f"slope {s:g}, power {p:g}" for p in POWERS] for s in SLOPES])
    return figure


@pytest.fixture(scope="module")
def figure_page(tmp_path_factory, serve, browser, page_tools):
    folder = tmp_path_factory.mktemp("figure-page")
    (folder / "index.html").write_text('<!doctype html><html><head><meta charset="utf-8"><title>figure</title>'
                                       f"</head><body>{synthetic_figure().to_html()}</body></html>", encoding="utf-8")
    browser.get(serve(folder).url("index.html"))
    page_tools.wait_for(browser, "document.querySelector('.sf-figure[data-sf-rendered]')", what="the figure")
    return browser


def drawn_paths(driver) -> list[str]:
    return driver.execute_script("return [...document.querySelectorAll('.sf-series[d]')].map(p => p.getAttribute('d'));")


def caption(driver) -> str:
    return driver.find_element("css selector", ".sf-caption").text


def test_the_figure_draws_its_panels_and_the_initial_position(figure_page, page_tools):
    assert len(figure_page.find_elements("css selector", "svg.sf-panel")) == 2
    assert all(len(d) > 100 for d in drawn_paths(figure_page)), "every curve is drawn"
    assert caption(figure_page) == "slope 0.5, power 2"
    assert len(figure_page.find_elements("css selector", ".sf-markers circle")) == 1
    assert page_tools.console_errors(figure_page) == []


def test_the_select_redraws_the_curves(figure_page, page_tools):
    from selenium.webdriver.support.ui import Select

    before = drawn_paths(figure_page)
    Select(figure_page.find_element("css selector", "select.sf-select")).select_by_visible_text("2")
    after = drawn_paths(figure_page)
    assert after[0] != before[0], "the linear panel's curve did not change with the select"
    assert caption(figure_page) == "slope 2, power 2"
    assert figure_page.find_element("css selector", ".sf-figure").get_attribute("data-sf-position") == "2,1"
    assert page_tools.console_errors(figure_page) == []


def test_the_slider_redraws_the_curves_from_the_keyboard(figure_page, page_tools):
    from selenium.webdriver.common.keys import Keys

    before = drawn_paths(figure_page)
    figure_page.find_element("css selector", "input.sf-slider").send_keys(Keys.RIGHT)
    after = drawn_paths(figure_page)
    assert after != before
    assert caption(figure_page).endswith("power 3")
    assert figure_page.find_element("css selector", ".sf-control-value").text == "3"
    assert page_tools.console_errors(figure_page) == []


def test_the_drawn_curve_is_the_embedded_data(figure_page):
    """The y coordinates of the drawn path follow the curve slope * t ** power of the chosen position."""
    from selenium.webdriver.support.ui import Select

    Select(figure_page.find_element("css selector", "select.sf-select")).select_by_visible_text("1")
    figure_page.execute_script("const s = document.querySelector('input.sf-slider'); s.value = '0';"
                               "s.dispatchEvent(new Event('input'));")
    path = drawn_paths(figure_page)[0]   # linear panel: y = t, a straight line
    points = np.array([[float(v) for v in step[1:].split()] for step in path.replace("L", "|L").split("|")])
    fit = np.polyfit(points[:, 0], points[:, 1], 1)
    residuals = points[:, 1] - np.polyval(fit, points[:, 0])
    assert np.max(np.abs(residuals)) < 0.2, "y = t draws as a straight line (to the 0.1 px of the path)"
    assert fit[0] < 0, "y grows upwards on the screen"

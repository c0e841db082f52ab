"""An ExplorableFigure, alone on a page in headless Chromium: it draws, and its controls redraw it.

Fast (no book build): the figure is made here from small synthetic data whose curves differ at every
grid position, so a control that does not redraw, or redraws the wrong curve, fails. Then the
chapters' own figures, taken from the committed notebooks' outputs, a page per chapter: every control
of every figure must change its drawing and its caption.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from booktools.figures import static_figures

pytestmark = pytest.mark.site

REPOSITORY = Path(__file__).resolve().parents[2]

SLOPES = np.array([0.5, 1.0, 2.0])          # select: the curve is slope * t ** power
POWERS = np.array([1.0, 2.0, 3.0, 4.0])     # slider


def synthetic_figure() -> static_figures.ExplorableFigure:
    t = np.linspace(0.1, 1.0, 50)
    curves = SLOPES[:, None, None] * t ** POWERS[None, :, None]
    figure = static_figures.ExplorableFigure(
        [static_figures.dropdown("slope", [f"{s:g}" for s in SLOPES]),
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


def figure_page_of(tmp_path, serve, browser, page_tools, blocks: list[str], name: str):
    """Serve ``blocks`` (figure HTML) on a page of their own, load it, wait until every figure is drawn."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "index.html").write_text('<!doctype html><html><head><meta charset="utf-8"><title>figures</title>'
                                       f"</head><body>{''.join(blocks)}</body></html>", encoding="utf-8")
    browser.get(serve(folder).url("index.html"))
    page_tools.wait_for(browser, f"document.querySelectorAll('.sf-figure[data-sf-rendered]').length === {len(blocks)}",
                        what="the figures")
    return browser


def path_points(path: str) -> np.ndarray:
    return np.array([[float(v) for v in step[1:].split()] for step in path.replace("L", "|L").replace("M", "|M").split("|")
                     if step])


def test_eight_bit_curves_draw_within_a_pixel_of_sixteen_bit_ones(tmp_path, serve, browser, page_tools):
    from selenium.webdriver.support.ui import Select

    t = np.linspace(0, 1, 60)
    curves = np.sin(2 * np.pi * np.array([1.0, 2.0])[:, None] * t)
    figure = static_figures.ExplorableFigure([static_figures.dropdown("frequency", ["1", "2"])])
    for bits in (16, 8):
        figure.panel(f"{bits} bits", x_range=(0, 1), y_range=(-1.1, 1.1), bits=bits).line(t, curves)
    # An older copy of the script already on the page (another notebook in JupyterLab, say) has no
    # version and cannot read 8-bit curves: the figure's own, newer script must replace it.
    older_copy = "<script>window.StaticFigures = {render: function () {}};</script>"
    page = figure_page_of(tmp_path, serve, browser, page_tools, [older_copy + figure.to_html()], "eight-bits")
    for frequency in ("1", "2"):
        Select(page.find_element("css selector", "select.sf-select")).select_by_visible_text(frequency)
        fine, coarse = (path_points(d) for d in drawn_paths(page))
        assert fine.shape == coarse.shape == (60, 2)
        assert np.max(np.abs(fine - coarse)) < 1.5, "8-bit codes are within about a pixel of the 16-bit ones"
    assert page_tools.console_errors(page) == []


def test_two_panels_share_a_row_of_the_books_column(tmp_path, serve, browser, page_tools):
    """The book's text column is 676 px wide (sphinx-book-theme at 1280 px): two panels must fit in a row."""
    block = f'<div style="width: 676px">{synthetic_figure().to_html()}</div>'
    page = figure_page_of(tmp_path, serve, browser, page_tools, [block], "column")
    boxes = page.execute_script("return [...document.querySelectorAll('svg.sf-panel')].map(p => p.getBoundingClientRect())"
                                ".map(b => [Math.round(b.top), Math.round(b.width)]);")
    assert len(boxes) == 2 and boxes[0][0] == boxes[1][0], f"the panels are not side by side: {boxes}"
    assert all(300 <= width <= 400 for _, width in boxes), boxes


# The chapters' figures as committed (the outputs of their executed notebooks), with how many each has.
CHAPTER_FIGURES = {"book/part1/02_bilinear_games.ipynb": 1, "book/part1/03_optimize_vs_learn.ipynb": 1,
                   "book/part1/06_mode_collapse.ipynb": 2, "book/part2/04_finite_sums.ipynb": 1}
FIGURE_BUDGET = 300_000   # characters of HTML per figure: pages stay light


def chapter_figure_blocks(chapter: str) -> list[str]:
    import nbformat

    notebook = nbformat.read(REPOSITORY / chapter, as_version=4)
    return [output["data"]["text/html"] for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if 'class="sf-figure"' in output.get("data", {}).get("text/html", "")]


@pytest.mark.parametrize("chapter", sorted(CHAPTER_FIGURES))
def test_every_control_of_the_chapters_figures_redraws_them(chapter, tmp_path, serve, browser, page_tools):
    blocks = chapter_figure_blocks(chapter)
    assert len(blocks) == CHAPTER_FIGURES[chapter], f"{chapter}: expected {CHAPTER_FIGURES[chapter]} figures"
    assert max(len(block) for block in blocks) < FIGURE_BUDGET, [len(block) for block in blocks]
    page = figure_page_of(tmp_path, serve, browser, page_tools, blocks, "chapter")
    for figure in page.find_elements("css selector", ".sf-figure"):
        for control in figure.find_elements("css selector", "select.sf-select, input.sf-slider"):
            before = figure_drawing(figure)
            step_by_keyboard(control)
            after = figure_drawing(figure)
            name = control.get_attribute("aria-label")
            assert after["paths"] != before["paths"], f"{chapter}: moving {name} did not change the drawing"
            assert after["caption"] != before["caption"], f"{chapter}: the caption did not follow {name}"
            assert after["position"] != before["position"]
    assert page_tools.console_errors(page) == []


def step_by_keyboard(control):
    """Move a select or a slider one position, away from its last one, with the arrow keys."""
    from selenium.webdriver.common.keys import Keys

    is_slider = control.tag_name == "input"
    last = control.get_attribute("max") if is_slider else str(len(control.find_elements("css selector", "option")) - 1)
    forward, back = (Keys.RIGHT, Keys.LEFT) if is_slider else (Keys.DOWN, Keys.UP)
    control.send_keys(back if control.get_attribute("value") == last else forward)


def figure_drawing(figure) -> dict:
    return {"paths": [p.get_attribute("d") for p in figure.find_elements("css selector", "path.sf-series")],
            "caption": figure.find_element("css selector", ".sf-caption").text,
            "position": figure.get_attribute("data-sf-position")}

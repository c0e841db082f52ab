"""Live figures for re-executors: ipywidgets controls that redraw a matplotlib figure (needs a kernel).

A chapter passes a drawing function and its controls; :func:`live_figure` draws the figure for the
controls' current values, shows it as a PNG in an ``ipywidgets.Image`` under the controls, and draws it
again whenever a control moves. Without a kernel (the static book) nothing can redraw; the kernel-free
explorers of :mod:`booktools.static_figures` are the static book's interactive figures.

Example::

    def draw(method, seed_index):
        fig, ax = plt.subplots()
        ax.plot(curves[method][seed_index])
        return fig

    live_figure(draw, {"method": widgets.Dropdown(options=["adam", "sgda"]),
                       "seed_index": widgets.IntSlider(min=0, max=7)})
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

DPI = 72  # a live picture is redrawn on every move: small PNGs keep it quick


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes; the figure is closed (a redraw per move must not pile figures up)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def live_figure(draw: Callable[..., Figure], controls: Mapping[str, widgets.ValueWidget]) -> widgets.VBox:
    """Controls over a picture: ``draw(**{name: control.value})`` now, and again whenever a control changes.

    Returns a ``VBox`` whose children are an ``HBox`` of the controls and the ``Image`` it redraws.
    """
    if not controls:
        raise ValueError("controls must name at least one widget, e.g. {'seed_index': widgets.IntSlider()}.")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise ValueError(f"control {name!r} must be an ipywidgets value widget (a slider, a dropdown, ...); "
                             f"got {type(control).__name__}.")

    def current_png() -> bytes:
        return figure_png(draw(**{name: control.value for name, control in controls.items()}))

    picture = widgets.Image(format="png", value=current_png())

    def redraw(change):
        picture.value = current_png()

    for control in controls.values():
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox(list(controls.values())), picture])

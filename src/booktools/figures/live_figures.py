"""Live figures: ipywidgets controls that redraw a matplotlib figure, with a kernel-free twin for the page.

The one pattern of the book's "Try it" sections. A chapter passes a drawing function and its controls;
:func:`live_figure` draws the figure for the controls' current values, shows it as a PNG in an
``ipywidgets.Image`` under the controls, and draws it again whenever a control moves (in Jupyter,
JupyterLab, Colab or VS Code, where a kernel runs).

A static page has no kernel, so the same call also precomputes the pictures over a coarse grid of the
controls' choices (every option of a drop-down, a few positions of each slider, at most
``max_pictures`` in all, or the grid the chapter gives as ``static``) and embeds them as a *gallery*:
the same controls as plain HTML, and a few lines of script that swap the picture. The displayed object
carries three representations, and each front end takes the one it can use::

    application/vnd.jupyter.widget-view+json   the live widget (Jupyter, Colab, VS Code)
    text/html                                  the gallery (the HTML book: _config.yml drops the widget view)
    image/png                                  the picture of the initial values (PDF and plain viewers)

Where no precomputation fits (a control that trains a new model on every move), ``static=False`` with
``why=...`` puts one line on the page instead: why, and where to run the chapter.

Example::

    def draw(method, seed_index):
        fig, ax = plt.subplots()
        ax.plot(curves[method][seed_index])
        return fig

    live_figure(draw, {"method": widgets.Dropdown(options=["adam", "sgda"]),
                       "seed_index": widgets.IntSlider(min=0, max=7)},
                static={"seed_index": [0, 1]})       # the page shows 2 x 2 pictures
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

DPI = 72                 # a live picture is redrawn on every move: small PNGs keep it quick
MAX_PICTURES = 16        # a gallery's default budget: about 20-40 KB a picture at 72 dpi
SLIDER_POSITIONS = 4     # positions of a slider in the default grid, before the budget trims it
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CHOICE_WIDGETS = (widgets.Dropdown, widgets.Select, widgets.RadioButtons, widgets.ToggleButtons,
                  widgets.SelectionSlider)


def figure_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes; the figure is closed (a redraw per move must not pile figures up)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


@dataclass(frozen=True)
class StaticAxis:
    """The positions of one control in the gallery: the values passed to ``draw`` and their labels."""

    name: str
    description: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    kind: str                  # "select" (a drop-down on the page) or "slider"


class LiveFigure:
    """Controls over a redrawn picture (``widget``), and the gallery that stands in for it on a page."""

    def __init__(self, draw: Callable[..., Figure], controls: Mapping[str, widgets.ValueWidget], *,
                 static: Mapping[str, Sequence[Any]] | bool | None = None, why: str = "",
                 max_pictures: int = MAX_PICTURES, title: str = ""):
        _check_controls(controls)
        if static is False and not why:
            raise ValueError("static=False needs why=...: one sentence telling the reader why this control "
                             "cannot be precomputed for the page")
        if not (isinstance(max_pictures, int) and not isinstance(max_pictures, bool) and max_pictures >= 1):
            raise ValueError(f"max_pictures must be a positive integer, got {max_pictures!r}")
        self.draw, self.controls, self.title, self.why = draw, dict(controls), title, why
        self.picture = widgets.Image(format="png", value=self._png(self.current_values()))
        for control in self.controls.values():
            control.observe(self._redraw, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), self.picture])
        self.axes: list[StaticAxis] = []
        self.pictures: list[bytes] = []
        if static is not False:
            self.axes = static_axes(self.controls, {} if static in (None, True) else static, max_pictures)
            self.pictures = [self._png(dict(zip(self.controls, values)))
                             for values in itertools.product(*(axis.values for axis in self.axes))]

    def current_values(self) -> dict[str, Any]:
        """What ``draw`` receives now: each control's value, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def _png(self, values: dict[str, Any]) -> bytes:
        return figure_png(self.draw(**values))

    def _redraw(self, change) -> None:
        self.picture.value = self._png(self.current_values())

    def initial_index(self) -> int:
        """The gallery position closest to the controls' initial values (what the page shows first)."""
        positions = [_closest(axis.values, self.controls[axis.name].value) for axis in self.axes]
        return int(np.ravel_multi_index(positions, [len(axis.values) for axis in self.axes])) if positions else 0

    def to_html(self) -> str:
        """The kernel-free stand-in: a gallery of the precomputed pictures, or one line saying why not."""
        if not self.axes:
            return (f'<p class="lf-kernel-only"><strong>Live control:</strong> {html.escape(self.why)} '
                    "Run this chapter (the launch buttons at the top of the page open it in Binder or Colab, "
                    "or <code>make lab</code> in a clone) to use it.</p>")
        shape = [len(axis.values) for axis in self.axes]
        captions = [", ".join(f"{axis.description} = {label}" for axis, label in zip(self.axes, labels))
                    for labels in itertools.product(*(axis.labels for axis in self.axes))]
        data = {"shape": shape, "labels": [list(axis.labels) for axis in self.axes], "captions": captions,
                "images": [base64.b64encode(png).decode("ascii") for png in self.pictures]}
        payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
        gallery_id = "lf-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
        initial = self.initial_index()
        positions = np.unravel_index(initial, shape)
        controls = "".join(_control_html(axis, int(k), number) for number, (axis, k) in
                           enumerate(zip(self.axes, positions)))
        label = html.escape(self.title or "precomputed pictures of the live figure")
        note = (f"{len(self.pictures)} pictures precomputed when the chapter ran, over "
                + " × ".join(f"{len(axis.values)} {html.escape(axis.description)}" for axis in self.axes)
                + "; run the chapter to move the controls freely.")
        return (f'<div class="lf-gallery" id="{gallery_id}" role="group" aria-label="{label}">'
                f'<div class="lf-controls">{controls}</div>'
                f'<img class="lf-picture" alt="{html.escape(captions[initial])}" '
                f'src="data:image/png;base64,{data["images"][initial]}">'
                f'<p class="lf-caption">{html.escape(captions[initial])}</p>'
                f'<p class="lf-note">{note}</p></div>\n'
                f'<script type="application/json" id="{gallery_id}-data">{payload}</script>\n'
                f"<style>{_asset('live_figures.css')}</style>\n"
                f"<script>{_asset('live_figures.js')}\n"
                f'window.LiveFigureGallery.render(document.getElementById("{gallery_id}"));</script>\n')

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {WIDGET_VIEW: self.widget._repr_mimebundle_()[WIDGET_VIEW],
                  "text/html": self.to_html(),
                  "image/png": base64.b64encode(bytes(self.picture.value)).decode("ascii"),
                  "text/plain": repr(self)}
        return bundle

    def __repr__(self) -> str:
        # Stable text (no model id), so re-running a chapter leaves its text/plain output alone.
        controls = " × ".join(self.controls)
        return f"<LiveFigure: {controls}; {len(self.pictures)} precomputed picture(s)>"


def live_figure(draw: Callable[..., Figure], controls: Mapping[str, widgets.ValueWidget], *,
                static: Mapping[str, Sequence[Any]] | bool | None = None, why: str = "",
                max_pictures: int = MAX_PICTURES, title: str = "") -> LiveFigure:
    """Controls over a picture: ``draw(**{name: control.value})`` now, again whenever a control moves,
    and over a coarse grid of the controls' choices for the page (see the module docstring).

    ``static`` maps control names to the values the page's gallery shows (the others take their default
    grid); ``False`` (with ``why``) precomputes nothing. Returns a :class:`LiveFigure`; its ``widget`` is a
    ``VBox`` of an ``HBox`` of the controls and the ``Image`` it redraws.
    """
    return LiveFigure(draw, controls, static=static, why=why, max_pictures=max_pictures, title=title)


def static_axes(controls: Mapping[str, widgets.ValueWidget], chosen: Mapping[str, Sequence[Any]],
                max_pictures: int = MAX_PICTURES) -> list[StaticAxis]:
    """The gallery's grid: the ``chosen`` values, every option of a drop-down, a few slider positions.

    Sliders start at :data:`SLIDER_POSITIONS` positions (always including the current value) and the
    widest is trimmed until the grid holds at most ``max_pictures`` pictures; a grid that still does not
    fit is an error asking for ``static=``.
    """
    unknown = sorted(set(chosen) - set(controls))
    if unknown:
        raise ValueError(f"static names {unknown}, which are not controls; the controls are {sorted(controls)}")
    counts = {name: SLIDER_POSITIONS for name, control in controls.items()
              if name not in chosen and not isinstance(control, CHOICE_WIDGETS) and _is_slider(control)}
    fixed = 1
    for name, control in controls.items():
        if name in chosen:
            fixed *= len(chosen[name])
        elif isinstance(control, CHOICE_WIDGETS):
            fixed *= len(control._options_values)
        elif isinstance(control, widgets.Checkbox):
            fixed *= 2
        elif name not in counts:
            raise ValueError(f"control {name!r} ({type(control).__name__}) has no default grid for the page: "
                             f"give its values in static={{{name!r}: [...]}}")
    while fixed * int(np.prod(list(counts.values()) or [1])) > max_pictures and any(c > 2 for c in counts.values()):
        widest = max(counts, key=counts.get)
        counts[widest] -= 1
    total = fixed * int(np.prod(list(counts.values()) or [1]))
    if total > max_pictures:
        raise ValueError(f"the page's gallery would hold {total} pictures (more than max_pictures={max_pictures}): "
                         f"choose fewer values with static={{name: [...]}} or raise max_pictures")
    return [_axis(name, control, chosen.get(name), counts.get(name)) for name, control in controls.items()]


def _axis(name: str, control: widgets.ValueWidget, chosen: Sequence[Any] | None, count: int | None) -> StaticAxis:
    description = control.description or name
    if isinstance(control, CHOICE_WIDGETS):
        options = dict(zip(control._options_values, control._options_labels))
        values = tuple(chosen) if chosen is not None else tuple(control._options_values)
        missing = [value for value in values if value not in options]
        if missing:
            raise ValueError(f"static values {missing} of control {name!r} are not among its options "
                             f"{list(control._options_values)}")
        return StaticAxis(name, description, values, tuple(str(options[value]) for value in values), "select")
    if isinstance(control, widgets.Checkbox):
        values = tuple(chosen) if chosen is not None else (False, True)
        return StaticAxis(name, description, values, tuple(str(value) for value in values), "select")
    values = tuple(chosen) if chosen is not None else _slider_positions(control, count)
    return StaticAxis(name, description, values, tuple(_label(value) for value in values), "slider")


def _is_slider(control: widgets.ValueWidget) -> bool:
    return all(hasattr(control, attribute) for attribute in ("min", "max", "value"))


def _slider_positions(control: widgets.ValueWidget, count: int) -> tuple[Any, ...]:
    """``count`` evenly spread positions of a slider (in the exponent for a log slider), snapped to its
    step, with the one nearest the current value replaced by the current value."""
    log = isinstance(control, widgets.FloatLogSlider)
    low, high = float(control.min), float(control.max)
    points = np.linspace(low, high, count)
    step = float(getattr(control, "step", 0) or 0)
    if step > 0:
        points = low + np.round((points - low) / step) * step
    values = [float(control.base) ** p for p in points] if log else list(points)
    current = control.value
    values[_closest(values, current)] = current
    if isinstance(control.value, (int, np.integer)) and not isinstance(control.value, bool):
        values = [int(round(value)) for value in values]
    return tuple(sorted(dict.fromkeys(values)))


def _closest(values: Sequence[Any], target: Any) -> int:
    """The index of ``target`` in ``values``, or of the nearest number (log-nearest for positive ones)."""
    if target in values:
        return list(values).index(target)
    if not all(isinstance(value, (int, float, np.number)) for value in (*values, target)):
        return 0                      # an option the gallery does not show: start at its first one
    numbers = np.asarray(values, dtype=float)
    if np.all(numbers > 0) and float(target) > 0:
        return int(np.argmin(np.abs(np.log(numbers) - np.log(float(target)))))
    return int(np.argmin(np.abs(numbers - float(target))))


def _label(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _control_html(axis: StaticAxis, position: int, number: int) -> str:
    name = html.escape(axis.description)
    if axis.kind == "select":
        options = "".join(f'<option value="{k}"{" selected" if k == position else ""}>{html.escape(label)}</option>'
                          for k, label in enumerate(axis.labels))
        field = f'<select class="lf-select" data-lf-axis="{number}" aria-label="{name}">{options}</select>'
    else:
        field = (f'<input type="range" class="lf-slider" data-lf-axis="{number}" aria-label="{name}" min="0" '
                 f'max="{len(axis.labels) - 1}" step="1" value="{position}">'
                 f'<output class="lf-value">{html.escape(axis.labels[position])}</output>')
    return f'<label class="lf-control"><span class="lf-control-name">{name}</span>{field}</label>'


def _check_controls(controls: Mapping[str, widgets.ValueWidget]) -> None:
    if not controls:
        raise ValueError("controls must name at least one widget, e.g. {'seed_index': widgets.IntSlider()}.")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise ValueError(f"control {name!r} must be an ipywidgets value widget (a slider, a dropdown, ...); "
                             f"got {type(control).__name__}.")


def _asset(name: str) -> str:
    """The text of a file shipped beside this module (the gallery's script and stylesheet)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")

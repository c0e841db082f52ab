r"""Interactive figures that work in the static book: precomputed data, a few controls, no kernel.

A chapter runs its sweep once (one vmapped call), hands the arrays to an :class:`ExplorableFigure`
and displays it. The figure is one HTML block: the data as embedded JSON, a small dependency-free
script (``static_figures.js``, about 10 KB, inlined) and its CSS. In the browser the reader moves a
slider or picks from a select, and the script redraws the SVG panels from the embedded data, in the
static HTML page as well as in Jupyter, Colab or VS Code (where the live ipywidgets versions also work).

Data layout. The controls span a grid: control ``k`` has ``len(labels_k)`` positions. Every array of
a series has shape ``(*grid_shape, n_points)``; a leading axis may be 1 (the same curve for every
position of that control), and a 1-D array of ``n_points`` is shared by all positions. Curves may
contain NaN (drawn as gaps). Captions are an array of strings of shape ``grid_shape`` (or
broadcastable to it).

Pages stay light: each curve is stored as 16-bit integers over its own range (on a log axis, over
the range of its logarithm), about 0.01 % of the curve's span, which is finer than a pixel. On an
axis with a fixed range, points farther than ``FAR_OUTSIDE`` ranges beyond it are dropped (a
diverging run would otherwise spend the 16 bits on 1e30 and lose the part of the curve one sees).
A panel with many curves per position (e.g. one path per neuron at every cell of a grid) can ask
for ``bits=8``: 1/254 of each curve's span, about a pixel of a panel, in half the bytes.

Example::

    figure = ExplorableFigure([dropdown("method", ["GDA", "extragradient"]), slider("η", ["0.1", "0.5"])])
    panel = figure.panel("distance", x_label="t", y_label="‖z_t‖", y_scale="log")
    panel.line(steps, distances)            # distances.shape == (2, 2, len(steps))
    figure.captions([["GDA, η = 0.1", ...], ...])
    figure                                  # displays in a notebook (``_repr_html_``)
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

CONTROL_KINDS = ("select", "slider")
SCALES = ("linear", "log")
STYLES = ("line", "dashed", "dotted", "markers")
QUANTIZATION_LEVELS = 65534          # codes 0..65534 hold values; 65535 marks a missing point
MISSING_CODE = 65535
CODE_BITS = {16: ("<u2", QUANTIZATION_LEVELS, MISSING_CODE), 8: ("u1", 254, 255)}  # bits -> dtype, levels, missing
FAR_OUTSIDE = 10.0                   # on a fixed-range axis, drop points this many ranges beyond it
DEFAULT_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f")


@dataclass(frozen=True)
class Control:
    """A control of the figure: a ``select`` (drop-down) or a ``slider`` over ``labels``."""

    name: str
    labels: tuple[str, ...]
    kind: str = "select"
    initial: int = 0

    def __post_init__(self):
        if self.kind not in CONTROL_KINDS:
            raise ValueError(f"control {self.name!r}: kind must be one of {CONTROL_KINDS}, got {self.kind!r}")
        if len(self.labels) == 0:
            raise ValueError(f"control {self.name!r} needs at least one label")
        if not 0 <= self.initial < len(self.labels):
            raise ValueError(f"control {self.name!r}: initial must be an index in [0, {len(self.labels)}), "
                             f"got {self.initial}")


def dropdown(name: str, labels: Sequence[str], initial: int = 0) -> Control:
    """A drop-down over ``labels`` (e.g. the methods); ``initial`` is the index shown first."""
    return Control(name, tuple(str(label) for label in labels), "select", initial)


def slider(name: str, labels: Sequence[str], initial: int = 0) -> Control:
    """A slider over the positions ``labels`` (e.g. formatted step sizes), showing the current label."""
    return Control(name, tuple(str(label) for label in labels), "slider", initial)


@dataclass
class Series:
    """One curve (or set of markers) of a panel; ``x`` and ``y`` are already validated arrays."""

    x: np.ndarray
    y: np.ndarray
    label: str
    style: str
    color: str


@dataclass
class Panel:
    """One plot of the figure: axes, labels, scales, optional fixed ranges, and its series."""

    grid_shape: tuple[int, ...]
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    x_scale: str = "linear"
    y_scale: str = "linear"
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    equal_aspect: bool = False
    bits: int = 16
    series: list[Series] = field(default_factory=list)

    def __post_init__(self):
        if self.bits not in CODE_BITS:
            raise ValueError(f"panel {self.title!r}: bits must be one of {tuple(CODE_BITS)}, got {self.bits!r}")
        for axis, scale, limits in (("x", self.x_scale, self.x_range), ("y", self.y_scale, self.y_range)):
            if scale not in SCALES:
                raise ValueError(f"panel {self.title!r}: {axis}_scale must be one of {SCALES}, got {scale!r}")
            if limits is not None:
                low, high = limits
                if not (np.isfinite(low) and np.isfinite(high) and low < high):
                    raise ValueError(f"panel {self.title!r}: {axis}_range must be (low, high) with low < high, "
                                     f"got {limits!r}")
                if scale == "log" and low <= 0:
                    raise ValueError(f"panel {self.title!r}: a log {axis} axis needs a positive range, got {limits!r}")
        if self.equal_aspect and "log" in (self.x_scale, self.y_scale):
            raise ValueError(f"panel {self.title!r}: equal_aspect needs two linear axes")

    def line(self, x, y, label: str = "", color: str | None = None) -> Panel:
        """Add a solid curve; returns the panel, so calls chain."""
        return self._add(x, y, label, "line", color)

    def dashed(self, x, y, label: str = "", color: str | None = None) -> Panel:
        """Add a dashed curve (e.g. a closed form next to the measurement)."""
        return self._add(x, y, label, "dashed", color)

    def dotted(self, x, y, label: str = "", color: str | None = None) -> Panel:
        """Add a dotted curve (e.g. a reference circle)."""
        return self._add(x, y, label, "dotted", color)

    def markers(self, x, y, label: str = "", color: str | None = None) -> Panel:
        """Add points drawn as dots (e.g. a starting point, an equilibrium)."""
        return self._add(x, y, label, "markers", color)

    def _add(self, x, y, label: str, style: str, color: str | None) -> Panel:
        name = f"series {label or len(self.series)!r} of panel {self.title!r}"
        x_array = _as_series_array(x, self.grid_shape, f"{name}: x")
        y_array = _as_series_array(y, self.grid_shape, f"{name}: y")
        if x_array.shape[-1] != y_array.shape[-1]:
            raise ValueError(f"{name}: x has {x_array.shape[-1]} points per curve but y has {y_array.shape[-1]}")
        color = color or DEFAULT_COLORS[len(self.series) % len(DEFAULT_COLORS)]
        self.series.append(Series(x_array, y_array, label, style, color))
        return self


def _as_series_array(values, grid_shape: tuple[int, ...], name: str) -> np.ndarray:
    """``values`` as a float array of shape ``(*broadcastable grid, n_points)``, or a clear ValueError."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array.reshape((1,) * len(grid_shape) + array.shape)
    expected = f"(n_points,) or {(*grid_shape, 'n_points')} (a leading axis may be 1)"
    if array.ndim != len(grid_shape) + 1 or array.shape[-1] == 0:
        raise ValueError(f"{name}: expected shape {expected}, got {np.shape(values)}")
    for axis, (size, positions) in enumerate(zip(array.shape[:-1], grid_shape)):
        if size not in (1, positions):
            raise ValueError(f"{name}: axis {axis} has length {size}, but the control has {positions} "
                             f"positions; expected shape {expected}")
    return array


class ExplorableFigure:
    """A figure of one or more panels driven by selects and sliders, rendered in the browser alone."""

    def __init__(self, controls: Sequence[Control], title: str = ""):
        if not controls:
            raise ValueError("an ExplorableFigure needs at least one control (select or slider)")
        names = [control.name for control in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be unique, got {names}")
        self.controls = list(controls)
        self.title = title
        self.panels: list[Panel] = []
        self._captions: np.ndarray | None = None

    @property
    def grid_shape(self) -> tuple[int, ...]:
        """One axis per control, of the number of its positions."""
        return tuple(len(control.labels) for control in self.controls)

    def panel(self, title: str = "", **options) -> Panel:
        """Add and return a panel; ``options`` are :class:`Panel`'s (labels, scales, ranges, aspect, bits)."""
        panel = Panel(self.grid_shape, title, **options)
        self.panels.append(panel)
        return panel

    def captions(self, texts) -> ExplorableFigure:
        """One line of text per grid position (shape ``grid_shape``, or broadcastable to it)."""
        array = np.asarray(texts, dtype=object)
        try:
            np.broadcast_to(array, self.grid_shape)
        except ValueError:
            raise ValueError(f"captions: shape {array.shape} does not broadcast to the grid {self.grid_shape}") from None
        if array.ndim != len(self.grid_shape):
            array = array.reshape((1,) * (len(self.grid_shape) - array.ndim) + array.shape)
        self._captions = array
        return self

    def to_json(self) -> dict:
        """The figure as the JSON document the browser script reads."""
        if not self.panels:
            raise ValueError("an ExplorableFigure needs at least one panel (figure.panel(...))")
        return {
            "version": 1,
            "title": self.title,
            "controls": [{"name": c.name, "kind": c.kind, "labels": list(c.labels), "initial": c.initial}
                         for c in self.controls],
            "panels": [_panel_json(panel) for panel in self.panels],
            "captions": None if self._captions is None else {
                "shape": list(self._captions.shape), "texts": [str(t) for t in self._captions.ravel()]},
        }

    def to_html(self) -> str:
        """One self-contained HTML block: container, JSON data, the CSS and the script."""
        payload = json.dumps(self.to_json(), separators=(",", ":"), allow_nan=False)
        figure_id = "sf-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
        # No "<" inside the <script> element (it could close it): JSON's own escape keeps the data intact.
        safe_payload = payload.replace("<", "\\u003c")
        label = html.escape(self.title or "interactive figure")
        return (f'<div class="sf-figure" id="{figure_id}" role="group" aria-label="{label}">'
                f'<noscript>This figure needs JavaScript.</noscript></div>\n'
                f'<script type="application/json" id="{figure_id}-data">{safe_payload}</script>\n'
                f"<style>{_asset('static_figures.css')}</style>\n"
                f"<script>{_asset('static_figures.js')}\n"
                f'window.StaticFigures.render(document.getElementById("{figure_id}"));</script>\n')

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_png_(self) -> bytes:
        """The initial position as a picture, for viewers that run no script (PDF, GitHub, nbviewer)."""
        return self.to_png()

    def to_png(self, dpi: int = 72) -> bytes:
        """The panels at the controls' initial positions, drawn with matplotlib, as PNG bytes."""
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        if not self.panels:
            raise ValueError("an ExplorableFigure needs at least one panel (figure.panel(...))")
        position = tuple(control.initial for control in self.controls)
        columns = min(2, len(self.panels))
        rows = -(-len(self.panels) // columns)
        fig = Figure(figsize=(5 * columns, 3.9 * rows))
        for number, panel in enumerate(self.panels):
            _draw_panel(fig.add_subplot(rows, columns, number + 1), panel, position)
        caption = "" if self._captions is None else str(np.broadcast_to(self._captions, self.grid_shape)[position])
        fig.suptitle("\n".join(text for text in (self.title, caption) if text), fontsize=10)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        plt.close(fig)
        return buffer.getvalue()

    def __repr__(self) -> str:
        # Stable text (no memory address), so that re-running a chapter leaves its text/plain output alone.
        controls = " × ".join(f"{c.name} ({len(c.labels)})" for c in self.controls)
        return f"<ExplorableFigure {self.title!r}: {controls}, {len(self.panels)} panel(s)>"

    def display(self):
        """An ``IPython.display.HTML`` object of the figure (what a chapter's last line returns)."""
        from IPython.display import HTML

        return HTML(self.to_html())


def _at(values: np.ndarray, position: tuple[int, ...]) -> np.ndarray:
    """The curve of a series at one grid position (axes of length 1 are shared by every position)."""
    return values[tuple(0 if size == 1 else k for size, k in zip(values.shape[:-1], position))]


def _draw_panel(ax, panel: Panel, position: tuple[int, ...]) -> None:
    """One panel at one grid position on a matplotlib axis, as the script draws it."""
    for series in panel.series:
        x, y = _at(series.x, position), _at(series.y, position)
        if series.style == "markers":
            ax.plot(x, y, "o", ms=4, color=series.color, label=series.label or None)
        else:
            ax.plot(x, y, color=series.color, label=series.label or None,
                    ls={"line": "-", "dashed": "--", "dotted": ":"}[series.style], lw=1.3)
    ax.set(title=panel.title, xlabel=panel.x_label, ylabel=panel.y_label, xscale=panel.x_scale, yscale=panel.y_scale)
    if panel.x_range is not None:
        ax.set_xlim(panel.x_range)
    if panel.y_range is not None:
        ax.set_ylim(panel.y_range)
    if panel.equal_aspect:
        ax.set_aspect("equal")
    if any(series.label for series in panel.series):
        ax.legend(fontsize=8)


def _panel_json(panel: Panel) -> dict:
    """A panel's axes and its series, each array encoded by :func:`encode_curves`."""
    if not panel.series:
        raise ValueError(f"panel {panel.title!r} has no series; add one with .line(x, y)")
    return {
        "title": panel.title, "xLabel": panel.x_label, "yLabel": panel.y_label,
        "xScale": panel.x_scale, "yScale": panel.y_scale,
        "xRange": _transformed_range(panel.x_range, panel.x_scale),
        "yRange": _transformed_range(panel.y_range, panel.y_scale),
        "equalAspect": panel.equal_aspect,
        "series": [{"label": s.label, "style": s.style, "color": s.color,
                    "x": encode_curves(s.x, panel.x_scale, panel.x_range, panel.bits),
                    "y": encode_curves(s.y, panel.y_scale, panel.y_range, panel.bits)} for s in panel.series],
    }


def _transformed_range(limits, scale: str):
    """A fixed axis range in the coordinates the script draws in (log10 on a log axis)."""
    if limits is None:
        return None
    low, high = (float(v) for v in limits)
    return [np.log10(low), np.log10(high)] if scale == "log" else [low, high]


def encode_curves(values: np.ndarray, scale: str = "linear", limits=None, bits: int = 16) -> dict:
    """Encode curves (last axis = points) as 16-bit (or 8-bit) codes over each curve's own range, base64.

    On a log axis the codes are of ``log10(value)``; non-positive and non-finite values become
    missing points, and so do points ``FAR_OUTSIDE`` ranges beyond a fixed ``limits`` range.
    Returns ``{"shape", "low", "high", "data"}`` (and ``"bits": 8`` for 8-bit codes);
    :func:`decode_curves` inverts it.
    """
    dtype, levels, missing = CODE_BITS[bits]
    values = np.array(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "log":
            values = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
    values[~np.isfinite(values)] = np.nan
    transformed = _transformed_range(limits, scale)
    if transformed is not None:
        low, high = transformed
        margin = FAR_OUTSIDE * (high - low)
        values[(values < low - margin) | (values > high + margin)] = np.nan
    curves = values.reshape(-1, values.shape[-1])
    lows, highs = _curve_ranges(curves)
    span = np.where(highs > lows, highs - lows, 1.0)[:, None]
    codes = np.rint((curves - lows[:, None]) / span * levels)
    codes = np.where(np.isnan(curves), missing, codes).astype(dtype)
    encoded = {"shape": list(values.shape), "low": _rounded(lows), "high": _rounded(highs),
               "data": base64.b64encode(codes.tobytes()).decode("ascii")}
    return encoded if bits == 16 else encoded | {"bits": bits}


def _curve_ranges(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-curve min and max over the present points (0, 0 for a curve with none)."""
    present = ~np.isnan(curves)
    lows = np.where(present, curves, np.inf).min(axis=1)
    highs = np.where(present, curves, -np.inf).max(axis=1)
    empty = ~present.any(axis=1)
    lows[empty], highs[empty] = 0.0, 0.0
    return lows, highs


def _rounded(numbers: np.ndarray) -> list[float]:
    """Floats with 9 significant digits: enough for 16-bit codes, short in the JSON."""
    return [float(f"{value:.9g}") for value in numbers]


def decode_curves(encoded: dict) -> np.ndarray:
    """The inverse of :func:`encode_curves` (in the axis coordinates: log10 on a log axis)."""
    shape = tuple(encoded["shape"])
    dtype, levels, missing = CODE_BITS[encoded.get("bits", 16)]
    codes = np.frombuffer(base64.b64decode(encoded["data"]), dtype=dtype).reshape(-1, shape[-1]).astype(float)
    lows, highs = np.asarray(encoded["low"])[:, None], np.asarray(encoded["high"])[:, None]
    values = lows + codes / levels * (highs - lows)
    values[codes == missing] = np.nan
    return values.reshape(shape)


def _asset(name: str) -> str:
    """The text of a file shipped beside this module (the script and its stylesheet)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")

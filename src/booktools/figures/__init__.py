"""Figures the chapters import, which keep working in the built book, without a kernel.

- :mod:`~booktools.figures.live_figures`   a figure with live controls: the widget where a kernel runs,
  a gallery of precomputed pictures (and a PNG) where none does;
- :mod:`~booktools.figures.static_figures` explorable figures drawn in the browser from embedded data;
- :mod:`~booktools.figures.images`         a row of grayscale pictures (held-out images beside generated ones).

The first two inline their ``.js`` and ``.css`` companions (package data) into the figure's HTML.
"""

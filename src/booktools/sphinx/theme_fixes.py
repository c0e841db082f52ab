"""A Sphinx extension that removes the console errors the pinned Jupyter Book 1 stack puts in the
pages (found by the browser tests, tests/site). Enable it in ``_config.yml``::

    sphinx:
      extra_extensions:
        - booktools.sphinx.theme_fixes

1. sphinx-thebe 0.3 adds its configuration script (``const THEBE_JS_URL = ...``) from an
   ``env-before-read-docs`` handler, which Sphinx 7 records twice (in the registry and in the
   builder), so every page declares the constant twice: "Identifier 'THEBE_JS_URL' has already been
   declared". Identical scripts are kept once.
2. The theme's layout writes ``data-mode = localStorage.mode || "{{ default_mode }}"`` and
   sphinx-book-theme leaves ``default_mode`` empty, so a first visit logs "Got invalid theme mode: .
   Resetting to auto.". The page context gets ``default_mode = "auto"`` (follow the reader's system).
3. On pages whose notebook saved widget state, myst-nb loads require.js and
   @jupyter-widgets/html-manager 1.0.6 to draw the *frozen* widgets. Without a kernel they cannot
   respond, and the manager fails in this book: it looks for its icon fonts relative to the page
   (``book/part1/@jupyter-widgets/html-manager/dist/….woff2``: nine 404s) and typesets labels with
   the MathJax 2 API (``MathJax.Hub.Queue``) on a MathJax 3 page. Those two scripts are left out of
   the pages (``booktools_frozen_widgets = "drop"``, the default; ``"keep"`` keeps them): the static
   book's interactive figures are :mod:`booktools.figures.static_figures`, and the live controls work when
   the notebook runs in Jupyter or Colab.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple:
    """What makes two page scripts the same: the file (or inline body) and the attributes."""
    attributes = getattr(script, "attributes", {}) or {}
    filename = getattr(script, "filename", None) or ""  # sphinx-thebe's copies differ only by None vs ""
    return filename, tuple(sorted((k, str(v)) for k, v in attributes.items()))


def keep_each_script_once(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: drop the repeated entries of the page's script list."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def default_to_auto_mode(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: give the theme's layout a valid ``default_mode`` when it has none."""
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def drop_frozen_widget_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: leave myst-nb's widget-manager scripts out of the page (see point 3)."""
    if app.config.booktools_frozen_widgets != "drop":
        return
    widget_scripts = set(getattr(app.config, "nb_ipywidgets_js", None) or {})
    scripts = context.get("script_files") or []
    context["script_files"] = [script for script in scripts
                               if (getattr(script, "filename", None) or "") not in widget_scripts]


def setup(app) -> dict:
    app.add_config_value("booktools_frozen_widgets", "drop", "html", [str])
    app.connect("html-page-context", keep_each_script_once, priority=900)
    app.connect("html-page-context", drop_frozen_widget_scripts, priority=901)
    app.connect("html-page-context", default_to_auto_mode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

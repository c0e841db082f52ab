"""booktools.sphinx.theme_fixes: the page-context repairs, on the script lists Sphinx hands to templates."""

from types import SimpleNamespace

from sphinx.builders.html._assets import _JavaScript

from booktools.sphinx import theme_fixes

THEBE = 'const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"'
WIDGETS = {"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js": {},
           "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.6/dist/embed-amd.js": {}}


def app(frozen_widgets="drop"):
    return SimpleNamespace(config=SimpleNamespace(booktools_frozen_widgets=frozen_widgets, nb_ipywidgets_js=WIDGETS))


def test_identical_scripts_are_kept_once_whatever_their_empty_filename():
    scripts = [_JavaScript("_static/a.js"), _JavaScript(None, body=THEBE), _JavaScript("_static/a.js"),
               _JavaScript("", body=THEBE), _JavaScript("", body="let other = 1;")]
    context = {"script_files": scripts}
    theme_fixes.keep_each_script_once(app(), "page", "page.html", context, None)
    assert [s.filename or "" for s in context["script_files"]] == ["_static/a.js", "", ""]
    assert [s.attributes.get("body") for s in context["script_files"]] == [None, THEBE, "let other = 1;"]


def test_the_theme_mode_defaults_to_auto_unless_set():
    context = {"default_mode": ""}
    theme_fixes.default_to_auto_mode(app(), "page", "page.html", context, None)
    assert context["default_mode"] == "auto"
    context = {"default_mode": "dark"}
    theme_fixes.default_to_auto_mode(app(), "page", "page.html", context, None)
    assert context["default_mode"] == "dark"


def test_frozen_widget_scripts_are_left_out_unless_kept():
    scripts = [_JavaScript("_static/a.js"), *(_JavaScript(url) for url in WIDGETS)]
    context = {"script_files": list(scripts)}
    theme_fixes.drop_frozen_widget_scripts(app(), "page", "page.html", context, None)
    assert [s.filename or "" for s in context["script_files"]] == ["_static/a.js"]
    context = {"script_files": list(scripts)}
    theme_fixes.drop_frozen_widget_scripts(app("keep"), "page", "page.html", context, None)
    assert len(context["script_files"]) == 3

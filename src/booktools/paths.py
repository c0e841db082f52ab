"""Where things live. Every function takes the project root, so tests can use temporary projects.

Layout of a run of profile ``<p>`` (everything under ``<root>/_build``, which git ignores)::

    _build/runs/<p>/book/part1/02_bilinear_games.ipynb            executed notebook
    _build/runs/<p>/book/part1/02_bilinear_games.cache-key.json   what it was executed from
    _build/runs/<p>/book/part1/02_bilinear_games.failed.ipynb     last failed execution, if any
    _build/runs/<p>/claims/02_bilinear_games.json                 the chapter's claims ledger
    _build/runs/<p>/site/                                         staged sources for the HTML build
    _build/html/                                                  the HTML book
    _build/latex/book.pdf                                         the PDF book
"""

from __future__ import annotations

from pathlib import Path

BUILD_DIR = "_build"
TOC_FILE = "_toc.yml"
CONFIG_FILE = "_config.yml"
LIBRARY_DIR = "src/minimax"
PROFILES_DIR = "book/profiles"


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` (default: cwd) that holds ``_toc.yml``.

    Falls back to ``start`` itself, so commands that do not need the table of contents still work.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / TOC_FILE).is_file():
            return folder
    return start


def build_dir(root: Path) -> Path:
    """``<root>/_build``: everything the tooling writes."""
    return Path(root) / BUILD_DIR


def run_dir(root: Path, profile: str) -> Path:
    """The folder holding one profile's executed notebooks."""
    return build_dir(root) / "runs" / profile


def executed_notebook(root: Path, profile: str, chapter: str) -> Path:
    """Where the executed copy of ``chapter`` (a path relative to the root) is written."""
    return run_dir(root, profile) / chapter


def key_file(root: Path, profile: str, chapter: str) -> Path:
    """The cache-key sidecar of an executed notebook."""
    return executed_notebook(root, profile, chapter).with_suffix(".cache-key.json")


def failed_notebook(root: Path, profile: str, chapter: str) -> Path:
    """Where a failed execution is kept for inspection (never used by the build)."""
    return executed_notebook(root, profile, chapter).with_suffix(".failed.ipynb")


def claims_dir(root: Path, profile: str) -> Path:
    """The claims-ledger folder of a run (exported to chapters as ``MINIMAX_CLAIMS_DIR``)."""
    return (run_dir(root, profile) / "claims").resolve()


def site_dir(root: Path, profile: str) -> Path:
    """The staged copy of the book sources, with the run's executed notebooks overlaid."""
    return run_dir(root, profile) / "site"


def pdf_file(root: Path) -> Path:
    """Where ``jupyter-book build --builder pdflatex`` writes the PDF (``latex_documents`` in ``_config.yml``)."""
    return build_dir(root) / "latex" / "book.pdf"


def html_dir(root: Path) -> Path:
    """Where ``jupyter-book build`` writes the HTML (same place for ``jupyter-book build .``)."""
    return build_dir(root) / "html"

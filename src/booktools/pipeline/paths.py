"""Where things live. Every function takes the project root, so tests can use temporary projects.

Layout of a run of profile ``<p>`` (everything under ``<root>/_build``, which git ignores)::

    _build/runs/<p>/book/part1/02_bilinear_games.ipynb            executed notebook
    _build/runs/<p>/book/part1/02_bilinear_games.cache-key.json   what it was executed from
    _build/runs/<p>/book/part1/02_bilinear_games.failed.ipynb     last failed execution, if any
    _build/runs/<p>/claims/02_bilinear_games.json                 the chapter's claims ledger
    _build/runs/<p>/site/                                         staged sources for the HTML build
    _build/html/                                                  the HTML book
    _build/latex/book.pdf                                         the PDF book
    _build/jax-cache/                                             JAX's persistent compilation cache
    _build/locks/run-<p>.lock, assignments.lock                   who is writing a run (see locks.py)

A profile name is a file name, never a path: :func:`run_dir` refuses separators, ``.`` and ``..``, so no
profile can point outside ``_build/runs``.
"""

from __future__ import annotations

from pathlib import Path

from booktools.errors import BooktoolsError

BUILD_DIR = "_build"
TOC_FILE = "_toc.yml"
CONFIG_FILE = "_config.yml"
SOURCE_DIR = "src"  # the packages chapters import: minimax and booktools
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


def runs_dir(root: Path) -> Path:
    """``<root>/_build/runs``: one folder per profile that was run."""
    return build_dir(root) / "runs"


def run_dir(root: Path, profile: str) -> Path:
    """The folder holding one profile's executed notebooks (``profile`` must be a plain name)."""
    return runs_dir(root) / checked_name(profile, "profile")


def checked_name(name: str, what: str) -> str:
    """``name`` when it can only name a file inside its folder: not empty, no separator, not ``.``/``..``."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name:
        raise BooktoolsError(f"invalid {what} name {name!r}: a {what} is a plain name such as 'quick'")
    return name


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


def jax_cache_dir(root: Path) -> Path:
    """JAX's persistent compilation cache, shared by ``booktools run`` and ``make test`` (nbval)."""
    return build_dir(root) / "jax-cache"


def lock_file(root: Path, name: str) -> Path:
    """The lock file of ``name`` (``run-<profile>``, ``assignments``): outside the folders it protects,
    so that removing them (``clean``, a rebuild) never removes a lock that is held."""
    return build_dir(root) / "locks" / f"{checked_name(name, 'lock')}.lock"


def html_dir(root: Path) -> Path:
    """Where ``jupyter-book build`` writes the HTML (same place for ``jupyter-book build .``)."""
    return build_dir(root) / "html"

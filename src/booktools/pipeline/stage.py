"""Build the HTML book from a run: stage the sources with the executed notebooks overlaid, then build.

``jupyter-book build`` renders whatever outputs the notebooks carry (``execute_notebooks: "off"``), so
building from a staged copy whose chapters are a run's executed notebooks gives the book of that run
(quick, full, ...) without touching the committed notebooks, and without executing anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import yaml

from booktools.coursework.assignments import stage_student_pages
from booktools.errors import BooktoolsError
from booktools.pipeline import cache, pages, paths
from booktools.pipeline.chapters import list_chapters
from booktools.pipeline.profiles import load_profile
from booktools.pipeline.run import current_keys, is_up_to_date

# What a book build reads. Anything else the config refers to must live under book/.
STAGED_SOURCES = (paths.CONFIG_FILE, paths.TOC_FILE, "book")
IGNORED_WHEN_STAGING = shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__")
# -W: warnings are errors; --keep-going: still report all of them; --all: a fresh Sphinx environment,
# because an incremental build does not re-emit the warnings of unchanged pages and would pass.
JUPYTER_BOOK_FLAGS = ("-W", "--keep-going", "--all")
BUILDERS = {"html": "html", "pdf": "pdflatex"}  # what `booktools build` makes -> jupyter-book's builder


@dataclass
class StagedChapter:
    """Which notebook a chapter's page is built from: ``fresh`` / ``stale`` run output, or ``committed``."""

    chapter: str
    origin: str


def stage_site(root: Path, profile: str) -> list[StagedChapter]:
    """Copy the book sources into the run's ``site/`` folder and overlay the executed chapters.

    A chapter the run holds is taken from the run, even when stale (its inputs changed since; a
    warning says so). A chapter the run lacks keeps its committed notebook, with its quick outputs.
    The pages generated from the run (claims ledger, chapter times) are refreshed in the staged copy.
    """
    root = Path(root).resolve()
    chapters = list_chapters(root)  # fails early, with a clear message, when there is no _toc.yml
    site = paths.site_dir(root, profile)
    if site.exists():
        shutil.rmtree(site)  # a page deleted from book/ must not survive in the staged copy
    site.mkdir(parents=True)
    for name in STAGED_SOURCES:
        _copy(root / name, site / name)
    _disable_execution(site / paths.CONFIG_FILE)
    stage_student_pages(root, site)  # the site gets student versions only, never an instructor notebook
    staged = [_overlay(root, profile, chapter, key, site)
              for chapter, key in current_keys(root, profile, chapters).items()]
    pages.write_generated_pages(root, profile, site, {item.chapter: item.origin for item in staged},
                                refresh_only=True)
    return staged


def _copy(source: Path, destination: Path) -> None:
    """Copy a file or folder, keeping modification times (Sphinx decides what to re-read by them)."""
    if source.is_dir():
        shutil.copytree(source, destination, ignore=IGNORED_WHEN_STAGING)
    elif source.is_file():
        shutil.copy2(source, destination)


def _disable_execution(config_path: Path) -> None:
    """Make sure the staged build never executes a notebook: the run already did."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    config = config or {}
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _overlay(root: Path, profile: str, chapter: str, key: cache.CacheKey, site: Path) -> StagedChapter:
    """Put the run's executed notebook of ``chapter`` in place of the staged source, if there is one."""
    executed = paths.executed_notebook(root, profile, chapter)
    if not executed.is_file():
        return StagedChapter(chapter, "committed")
    shutil.copy2(executed, site / chapter)
    fresh = is_up_to_date(root, profile, chapter, key)
    return StagedChapter(chapter, "fresh" if fresh else "stale")


def report_staging(profile: str, staged: list[StagedChapter]) -> None:
    """Say which pages come from the run and warn about the others."""
    from_run = sum(item.origin == "fresh" for item in staged)
    print(f"Staged the {profile!r} run: {from_run} of {len(staged)} chapter(s) executed and up to date.")
    for item in staged:
        if item.origin == "stale":
            print(f"  warning: {item.chapter}: the run's notebook is stale (its inputs changed since); "
                  f"`make run PROFILE={profile}` refreshes it")
        elif item.origin == "committed":
            print(f"  warning: {item.chapter}: not in the run; using the committed notebook "
                  f"(quick outputs)")


def build_html(root: Path, profile: str, builder: str = "html") -> int:
    """Stage the run of ``profile`` and build it into ``<root>/_build/html`` (or, with ``builder="pdf"``,
    ``<root>/_build/latex/book.pdf``); return the exit status."""
    root = Path(root).resolve()
    load_profile(root, profile)  # an unknown profile fails here, listing the known ones
    staged = stage_site(root, profile)
    report_staging(profile, staged)
    status = subprocess.call(jupyter_book_command(paths.site_dir(root, profile), root, builder))
    if status == 0:
        built = paths.html_dir(root) / "index.html" if builder == "html" else paths.pdf_file(root)
        print(f"Open {_relative_or_absolute(built, Path.cwd())}")
    return status


def jupyter_book_command(source: Path, path_output: Path, builder: str = "html") -> list[str]:
    """``jupyter-book build`` of ``source`` into ``<path_output>/_build/html`` (``builder="pdf"``: the PDF,
    through XeLaTeX, into ``<path_output>/_build/latex``), warnings as errors.

    Run through this interpreter, so the build uses the environment the tooling runs in.
    """
    if builder not in BUILDERS:
        raise BooktoolsError(f"builder must be one of {sorted(BUILDERS)}, got {builder!r}")
    if find_spec("jupyter_book") is None:
        raise BooktoolsError("jupyter-book is not installed; `make book` installs it (extra `book`)")
    if builder == "pdf" and shutil.which("xelatex") is None:
        raise BooktoolsError("the PDF needs XeLaTeX: apt-get install texlive-xetex texlive-latex-extra "
                             "texlive-fonts-recommended latexmk fonts-freefont-otf fonts-dejavu-core")
    launcher = "from jupyter_book.cli.main import main; main()"
    return [sys.executable, "-c", launcher, "build", str(source), "--path-output", str(path_output),
            "--builder", BUILDERS[builder], *JUPYTER_BOOK_FLAGS]


def _relative_or_absolute(path: Path, start: Path) -> str:
    """``path`` relative to ``start`` when it lies below it (the usual ``_build/html/index.html``)."""
    try:
        return str(path.relative_to(start.resolve()))
    except ValueError:
        return str(path)

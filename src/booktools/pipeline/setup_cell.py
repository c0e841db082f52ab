"""The setup cell that opens every chapter and assignment, so that a notebook also runs outside the repository.

In the repository's environment (``make``, JupyterLab, Binder) ``minimax`` is importable and the cell does
nothing. Anywhere else — Colab, a downloaded notebook — it installs the book's package at the release the
notebook was executed with: ``optimize-and-learn`` from the repository at the tag ``v<version>`` (every
release is tagged so), with ``--no-deps``, and then only those of its requirements that are not installed
yet, so that Colab's own jax (its GPU build on a GPU runtime), numpy, matplotlib and ipywidgets are kept.
Offline, or when pip fails, it prints one sentence that says what to run instead.

The cell is tagged ``remove-cell`` (Jupyter Book leaves it off the HTML page) and is byte-identical in
every notebook: ``python -m booktools setup-cells`` inserts it, or updates it after a version bump, from
:func:`setup_cell`, which takes the version from ``pyproject.toml`` and the repository from
``_config.yml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat
import yaml

from booktools.coursework.assignments import find_instructor_notebooks
from booktools.errors import BooktoolsError
from booktools.pipeline.chapters import list_chapters
from booktools.pipeline.paths import CONFIG_FILE

CELL_ID = "book-setup"
CELL_TAGS = ["remove-cell"]
DISTRIBUTION = "optimize-and-learn"
# The extra that adds what only the notebooks import (matplotlib, ipywidgets) to the library's requirements.
NOTEBOOK_EXTRA = "notebooks"

_TEMPLATE = '''\
# Outside the book's repository (Colab, a downloaded notebook), install the book's package, release {version},
# keeping what is installed already (Colab's own jax, numpy, matplotlib and ipywidgets).
import importlib.metadata
import importlib.util
import re
import subprocess
import sys


def _install_the_book():
    book = "{distribution}[{extra}] @ git+{url}@v{version}"

    def pip_install(*requirements):
        command = [sys.executable, "-m", "pip", "install", "--quiet", *requirements]
        return subprocess.run(command, capture_output=True).returncode == 0

    def missing(requirement):
        try:
            importlib.metadata.version(re.match(r"[\\w.-]+", requirement)[0])
            return False
        except importlib.metadata.PackageNotFoundError:
            return True

    if pip_install("--no-deps", book):  # the package alone, then only its requirements not installed yet
        importlib.invalidate_caches()
        requirements = [line.split(";")[0] for line in importlib.metadata.requires("{distribution}")
                        if ";" not in line or 'extra == "{extra}"' in line]
        needed = [requirement for requirement in requirements if missing(requirement)]
        if not needed or pip_install(*needed):
            importlib.invalidate_caches()
            return
    print(f"Could not install the book's package (offline?): run  pip install '{{book}}'  in this "
          "notebook's environment (%pip install in a notebook cell), then restart the kernel.")


if importlib.util.find_spec("minimax") is None:
    _install_the_book()
'''


def package_version(root: Path) -> str:
    """The version of the book's package, from ``<root>/pyproject.toml``."""
    pyproject = Path(root) / "pyproject.toml"
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise BooktoolsError(f"cannot read project.version from {pyproject}: {exc}") from exc


def repository_url(root: Path) -> str:
    """The repository's URL, ``repository.url`` of ``<root>/_config.yml``."""
    config = Path(root) / CONFIG_FILE
    try:
        url = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise BooktoolsError(f"cannot read repository.url from {config}: {exc}") from exc
    if not url.startswith("https://"):
        raise BooktoolsError(f"repository.url in {config} must be an https:// URL, got {url!r}")
    return url.rstrip("/")


def setup_source(version: str, url: str) -> str:
    """The setup cell's code for release ``version`` of the repository at ``url``.

    >>> source = setup_source("1.2.0", "https://github.com/org/book")
    >>> "optimize-and-learn[notebooks] @ git+https://github.com/org/book@v1.2.0" in source
    True
    """
    return _TEMPLATE.format(version=version, url=url, distribution=DISTRIBUTION, extra=NOTEBOOK_EXTRA)


def setup_cell(root: Path) -> nbformat.NotebookNode:
    """The current setup cell of the book at ``root``: tagged ``remove-cell``, no outputs."""
    cell = nbformat.v4.new_code_cell(setup_source(package_version(root), repository_url(root)))
    cell.id = CELL_ID
    cell.metadata = {"tags": list(CELL_TAGS)}
    return cell


def setup_notebooks(root: Path) -> list[str]:
    """The notebooks that open with the setup cell: the chapters, then the assignments (paths from root)."""
    root = Path(root)
    assignments = [path.relative_to(root).as_posix() for path in find_instructor_notebooks(root)]
    return list_chapters(root) + assignments


def has_current_cell(notebook: nbformat.NotebookNode, cell: nbformat.NotebookNode) -> bool:
    """Whether ``notebook`` starts with exactly ``cell`` (source, id, tags; no outputs)."""
    if not notebook.cells:
        return False
    first = notebook.cells[0]
    return (first.cell_type == "code" and first.get("id") == cell.id and first.source == cell.source
            and first.metadata.get("tags") == cell.metadata["tags"] and not first.get("outputs"))


def insert_setup_cells(root: Path) -> list[str]:
    """Make every notebook of :func:`setup_notebooks` start with the current setup cell; return those changed.

    A setup cell found anywhere in a notebook (by its id) is replaced: updating after a version bump
    leaves exactly one. The rest of the notebook is written back byte for byte as nbformat writes it.
    """
    root = Path(root)
    cell = setup_cell(root)
    changed = []
    for name in setup_notebooks(root):
        path = root / name
        text = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(text, as_version=4)
        if has_current_cell(notebook, cell):
            continue
        notebook.cells = [cell, *(other for other in notebook.cells if other.get("id") != CELL_ID)]
        path.write_text(nbformat.writes(notebook) + ("\n" if text.endswith("\n") else ""), encoding="utf-8")
        changed.append(name)
    return changed

"""The chapters of the book: every ``_toc.yml`` entry that resolves to a Jupyter notebook.

Jupyter Book tables of contents name documents by path without extension (``file: book/part1/intro``);
an entry is a chapter here when ``<root>/<file>.ipynb`` exists. Markdown pages are not executed.
An entry that leads outside the project (``../x``, an absolute path) is an error: a chapter's run lands
under ``_build/runs/<profile>/<chapter>``, which must stay inside the run folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from booktools.errors import BooktoolsError
from booktools.pipeline.paths import TOC_FILE

NOTEBOOK_SUFFIX = ".ipynb"
DOCUMENT_KEYS = ("root", "file")  # the toc keys that name one document


def list_chapters(root: Path) -> list[str]:
    """Return the notebook chapters of the book, in table-of-contents order.

    Each chapter is a POSIX path relative to ``root``, e.g. ``"book/part1/02_bilinear_games.ipynb"``.
    """
    root = Path(root)
    toc_path = root / TOC_FILE
    if not toc_path.is_file():
        raise BooktoolsError(f"no table of contents: {toc_path} does not exist")
    try:
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BooktoolsError(f"{toc_path} is not valid YAML: {exc}") from exc
    chapters: list[str] = []
    for entry in _document_entries(toc):
        notebook = _as_notebook(root, entry)
        if notebook is not None and notebook not in chapters:
            chapters.append(notebook)
    return chapters


def _document_entries(node: Any) -> Iterator[str]:
    """Yield every ``root:``/``file:`` value of the (nested) toc structure, depth first, in order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in DOCUMENT_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _document_entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _document_entries(item)


def _as_notebook(root: Path, entry: str) -> str | None:
    """The notebook path (relative, POSIX) a toc entry resolves to, or None for other documents."""
    relative = Path(entry)
    if relative.suffix != NOTEBOOK_SUFFIX:
        relative = Path(entry + NOTEBOOK_SUFFIX)
    if relative.is_absolute() or ".." in relative.parts:
        raise BooktoolsError(f"{TOC_FILE}: entry {entry!r} leads outside the project; "
                             f"entries are paths relative to the project root")
    return relative.as_posix() if (root / relative).is_file() else None


def select_chapters(root: Path, requested: list[str] | None) -> list[str]:
    """Return the requested chapters (all of them when ``requested`` is empty), checked against the toc.

    A request may omit the ``.ipynb`` suffix and may be given relative to the current directory or
    absolute; an unknown one raises :class:`BooktoolsError` listing the known chapters.
    """
    known = list_chapters(root)
    if not requested:
        return known
    return [_resolve_chapter(Path(root), name, known) for name in requested]


def _resolve_chapter(root: Path, name: str, known: list[str]) -> str:
    """Match one user-given chapter name to an entry of ``known``."""
    candidates = {name, name + NOTEBOOK_SUFFIX}
    for path in (Path(name), Path(name + NOTEBOOK_SUFFIX)):
        try:  # an absolute path, or one relative to the cwd, that points into the project
            candidates.add(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    for chapter in known:
        if chapter in candidates:
            return chapter
    listing = "\n  ".join(known) or "(none: no _toc.yml entry resolves to an .ipynb file)"
    raise BooktoolsError(f"unknown chapter {name!r}; the chapters are:\n  {listing}")

"""The cache key of an executed chapter: everything its outputs depend on, and nothing else.

A chapter is re-executed only when one of these changed:

- ``notebook``:   its *sources* (cell types, sources, tags) — not outputs or execution counts, so
  committing a notebook with fresh outputs does not invalidate its cached run;
- ``library``:    the contents of every file under ``src/minimax/`` (Jupyter Book's own execution
  cache does not see these, which is why this cache exists);
- ``parameters``: what papermill injects (profile name + overrides);
- ``versions``:   the installed versions of the packages that shape the numbers and the outputs.

The key is stored as readable JSON beside the executed notebook, so a re-execution can say *why*.
Contents are hashed; on top of that, as ``make`` does, a library file that is newer than the stored key
counts as changed, so ``touch src/minimax/games.py`` re-executes too. Notebooks are compared by content
only, so writing fresh outputs into a chapter (``booktools adopt``) does not invalidate its run.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from booktools.paths import LIBRARY_DIR

KEY_FORMAT = 1  # bump when the meaning of a key changes, to invalidate every cached run
DEPENDENCIES = (
    "jax", "jaxlib", "optax", "numpy", "matplotlib", "ipywidgets", "papermill", "ipykernel",
    # Present only on GPU installs (jax[cuda12]); it distinguishes a GPU run from a CPU one.
    "jax-cuda12-plugin",
)
IGNORED_LIBRARY_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
IGNORED_LIBRARY_SUFFIXES = {".pyc", ".pyo"}

CacheKey = dict[str, Any]


def notebook_digest(path: Path) -> str:
    """SHA-256 of a notebook's cell types, sources and tags (outputs and counts are ignored)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        {
            "type": cell.get("cell_type"),
            "source": _joined(cell.get("source", "")),
            "tags": sorted(cell.get("metadata", {}).get("tags", [])),
        }
        for cell in notebook.get("cells", [])
    ]
    return _sha256(json.dumps(cells, sort_keys=True).encode())


def _joined(source: str | list[str]) -> str:
    """nbformat allows a cell source as one string or as a list of lines; normalise to one string."""
    return source if isinstance(source, str) else "".join(source)


def library_digest(root: Path) -> str:
    """SHA-256 over (relative path, contents) of every file under ``src/minimax``, sorted by path.

    Byte-code caches are skipped: importing the library writes them, and must not invalidate runs.
    """
    library = Path(root) / LIBRARY_DIR
    digest = hashlib.sha256()
    for path in sorted(_library_files(library)):
        digest.update(path.relative_to(library).as_posix().encode() + b"\0")
        digest.update(_sha256(path.read_bytes()).encode() + b"\0")
    return digest.hexdigest()


def _library_files(library: Path) -> list[Path]:
    """The source files of the library folder (empty when the folder does not exist)."""
    files = []
    for folder, subfolders, names in os.walk(library):
        subfolders[:] = [name for name in subfolders if name not in IGNORED_LIBRARY_PARTS]
        files += [Path(folder) / name for name in names
                  if Path(name).suffix not in IGNORED_LIBRARY_SUFFIXES]
    return files


def newest_library_mtime(root: Path) -> float:
    """The latest modification time among the library's source files (0 when there are none)."""
    return max((path.stat().st_mtime for path in _library_files(Path(root) / LIBRARY_DIR)), default=0.0)


def dependency_versions() -> dict[str, str | None]:
    """Installed versions of :data:`DEPENDENCIES` (None when absent) and the Python version."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def cache_key(root: Path, chapter: str, parameters: dict[str, Any], *,
              library: str | None = None, versions: dict[str, str | None] | None = None) -> CacheKey:
    """The key of executing ``chapter`` with ``parameters`` in the current project and environment.

    ``library`` and ``versions`` may be passed in when computing keys for many chapters at once.
    """
    key = {
        "format": KEY_FORMAT,
        "notebook": notebook_digest(Path(root) / chapter),
        "library": library if library is not None else library_digest(root),
        "parameters": parameters,
        "versions": versions if versions is not None else dependency_versions(),
    }
    return json.loads(json.dumps(key, sort_keys=True))  # normalised as it will be read back


def read_key(path: Path) -> CacheKey | None:
    """The key stored at ``path``, or None when there is none (or it is unreadable)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_key(path: Path, key: CacheKey) -> None:
    """Store ``key`` at ``path`` atomically (a reader never sees a half-written key)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(key, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)


def changed_parts(stored: CacheKey, current: CacheKey) -> list[str]:
    """The names of the parts of the key that differ, e.g. ``["library", "versions"]``."""
    return [name for name in current if stored.get(name) != current[name]]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""What a chapter reads besides its own cells: project source files, their data files, environment variables.

Found statically (``ast``), per chapter, from its code cells:

- **modules**: every module the cells import that lives in the project, i.e. under ``src/`` (``minimax``
  and ``booktools`` alike) or next to the notebook (a chapter executes in its own folder), then,
  transitively, the project modules *those* import (relative imports included). Importing ``a.b.c``
  executes ``a/__init__.py`` and ``a/b/__init__.py`` too, so they count; ``from a import b`` counts
  ``a/b.py`` when it is a module. Third-party imports are covered by the installed versions instead.
- **data files**: a file in a dependency module's folder (or below it) whose path relative to that
  folder appears in the module's source, e.g. ``static_figures.js`` and ``static_figures.css``, which
  ``static_figures.py`` inlines into the chapters' outputs; likewise a file next to the notebook that
  its code cells name (``data.txt``; the notebook itself is keyed by its sources, not its bytes).
- **environment variables**: in a source that reads the environment (it mentions ``environ`` or
  ``getenv``), every string constant that looks like a variable name (upper case, with an underscore),
  e.g. ``MINIMAX_MNIST_DIR``. Naming a variable without reading it only makes the key sensitive to it.

Editor and cache files (swap files, backups, ``__pycache__``) are never dependencies. A code cell that
cannot be parsed, even after IPython's magics are translated, makes the chapter depend on every module
under ``src/``: when in doubt, re-execute.

>>> sorted(environment_names('import os\\nos.environ.get("MINIMAX_MNIST_DIR", "")\\nLABEL = "no"'))
['MINIMAX_MNIST_DIR']
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from booktools.pipeline.paths import SOURCE_DIR

# Files that editors, Python and the OS leave around; they never change what a chapter computes.
IGNORED_NAMES = ("*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", ".DS_Store", "*.pyc", "*.pyo")
IGNORED_FOLDERS = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".ruff_cache")
ENVIRONMENT_NAME = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]+")
READS_ENVIRONMENT = re.compile(r"\benviron\b|\bgetenv\b")


def is_ignored(path: Path) -> bool:
    """True for editor, byte-code and OS files, and for anything inside a cache folder."""
    return (any(fnmatch.fnmatch(path.name, pattern) for pattern in IGNORED_NAMES)
            or any(part in IGNORED_FOLDERS for part in path.parts))


def environment_names(source: str) -> set[str]:
    """The environment variable names a Python source may read (see the module docstring for the rule)."""
    if not READS_ENVIRONMENT.search(source):
        return set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(ENVIRONMENT_NAME.findall(source))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and ENVIRONMENT_NAME.fullmatch(node.value)}


@dataclass
class Dependencies:
    """A chapter's project files (modules and data, absolute paths) and the environment names they read."""

    files: set[Path] = field(default_factory=set)
    environment: set[str] = field(default_factory=set)


@dataclass
class _Module:
    path: Path
    name: str            # dotted name, e.g. "minimax.gan.data"
    is_package: bool     # an __init__.py: its relative imports resolve against itself
    source: str


class DependencyFinder:
    """Finds chapters' dependencies in one project; modules are parsed once and shared between chapters."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._imports: dict[Path, tuple[set[Path], set[Path], set[str]]] = {}

    def chapter(self, chapter: str) -> Dependencies:
        """The dependencies of ``chapter`` (a notebook path relative to the root)."""
        notebook = self.root / chapter
        folder = notebook.parent
        source = chapter_code(notebook)
        found = Dependencies(environment=environment_names(source))
        found.files |= _named_files(folder, source) - {notebook.resolve()}  # keyed by its sources instead
        search = [folder, self.root / SOURCE_DIR]
        try:
            pending = self._imported(ast.parse(source), None, search)
        except SyntaxError:
            pending = set(_python_files(self.root / SOURCE_DIR))
        while pending:
            path = pending.pop()
            if path in found.files:
                continue
            found.files.add(path)
            imported, data, names = self._module_dependencies(path, search)
            found.files |= data
            found.environment |= names
            pending |= imported - found.files
        return found

    def _module_dependencies(self, path: Path, search: list[Path]) -> tuple[set[Path], set[Path], set[str]]:
        """(project modules imported, data files named, environment names) of one module file."""
        if path not in self._imports:
            source = path.read_text(encoding="utf-8", errors="replace")
            module = _Module(path, _module_name(path, search), path.name == "__init__.py", source)
            try:
                imported = self._imported(ast.parse(source), module, search)
            except SyntaxError:  # the chapter will fail on it anyway; its text is still hashed
                imported = set()
            self._imports[path] = (imported, _named_files(path.parent, source), environment_names(source))
        return self._imports[path]

    def _imported(self, tree: ast.AST, module: _Module | None, search: list[Path]) -> set[Path]:
        """The project files that the import statements of ``tree`` execute."""
        files: set[Path] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    files |= _module_files(alias.name, search)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, module)
                if base is None:
                    continue
                files |= _module_files(base, search)
                for alias in node.names:  # `from a import b` imports the module a.b when there is one
                    if alias.name != "*":
                        files |= _module_files(f"{base}.{alias.name}", search, only_last=True)
        return files


def chapter_code(notebook: Path) -> str:
    """The code cells of a notebook as one Python source (IPython magics translated to calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    transformer = TransformerManager()
    code = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            code.append(transformer.transform_cell(source if isinstance(source, str) else "".join(source)))
    return "\n".join(code)


def _absolute(node: ast.ImportFrom, module: _Module | None) -> str | None:
    """The absolute module name of a ``from … import`` (None for a relative import outside a package)."""
    if not node.level:
        return node.module
    if module is None or not module.name:
        return None
    parts = module.name.split(".")
    package = parts if module.is_package else parts[:-1]
    if node.level - 1 > len(package) - 1:
        return None
    base = package[:len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _module_files(name: str, search: list[Path], *, only_last: bool = False) -> set[Path]:
    """The files that importing ``name`` executes, from the first search folder that has its top package.

    With ``only_last``, just the module itself (its parents are counted by the caller already).
    """
    parts = name.split(".")
    for folder in search:
        if not ((folder / parts[0]).is_dir() or (folder / f"{parts[0]}.py").is_file()):
            continue
        files = set()
        for depth in range(1, len(parts) + 1):
            if only_last and depth < len(parts):
                continue
            stem = folder.joinpath(*parts[:depth])
            for candidate in (stem / "__init__.py", stem.with_suffix(".py")):
                if candidate.is_file():
                    files.add(candidate.resolve())
                    break
        return files
    return set()


def _module_name(path: Path, search: list[Path]) -> str:
    """The dotted name of a module file found under one of the search folders ("" when under none)."""
    for folder in search:
        try:
            relative = path.relative_to(folder.resolve())
        except ValueError:
            continue
        parts = list(relative.with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return ""


def _named_files(folder: Path, source: str) -> set[Path]:
    """The files under ``folder`` whose path relative to it appears in ``source`` (data files)."""
    named = set()
    for path in _project_files(folder):
        if path.relative_to(folder).as_posix() in source:
            named.add(path.resolve())
    return named


def _project_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that is not an editor, cache or byte-code file."""
    files = []
    for current, subfolders, names in os.walk(folder):
        subfolders[:] = [name for name in subfolders if name not in IGNORED_FOLDERS]
        files += [Path(current) / name for name in names if not is_ignored(Path(current) / name)]
    return files


def _python_files(folder: Path) -> list[Path]:
    return [path.resolve() for path in _project_files(folder) if path.suffix == ".py"]

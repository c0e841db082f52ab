"""The code a notebook needs to define some names, and no more: a test helper, for testing a chapter's pieces.

A chapter's live controls (ipywidgets) are defined near its end, after minutes of experiments they
do not need. :func:`code_slice` walks the code cells backwards from the cells that define the
requested names and keeps only the cells that define a name some kept cell uses, so a test can build
the controls in seconds::

    namespace = run_slice("book/part1/02_bilinear_games.ipynb", {"controls", "picture"})
    namespace["controls"]["method"].value = "optimistic"   # the observer redraws namespace["picture"]

Cells are matched by the names they *bind* (assignments, ``def``, ``class``, imports, ``for``
targets, ``with ... as``) and *use* (any name read, inside functions too). A cell that changes state
without binding a name (``plt.rcParams[...] = ...``, ``jax.config.update(...)``) is not picked up;
:func:`code_slice` takes such cells with ``always`` (a predicate on the source).
"""

from __future__ import annotations

import ast
import builtins
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

MAGIC_LINE = re.compile(r"^\s*[%!]")
BUILTIN_NAMES = set(dir(builtins))


def code_cells(notebook: Path) -> list[str]:
    """The sources of the notebook's code cells, IPython magic lines removed."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    sources = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = source if isinstance(source, str) else "".join(source)
            sources.append("\n".join("" if MAGIC_LINE.match(line) else line for line in source.splitlines()))
    return sources


def bound_and_used(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds at its top level, and the names it reads from earlier cells (free names
    that it does not bind itself; builtins excluded).

    Inside functions, lambdas and comprehensions, their own parameters and local variables are not
    free: ``def f(x): y = 2; return x * y * scale`` uses only ``scale``.
    """
    tree = ast.parse(source)
    bound: set[str] = set()
    for node in tree.body:
        bound |= _top_level_bindings(node)
    used: set[str] = set()
    _collect_free_names(tree, set(), used)
    return bound, used - bound - BUILTIN_NAMES


def _stored_names(nodes: Iterable[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _collect_free_names(node: ast.AST, local: set[str], used: set[str]) -> None:
    """Add to ``used`` the names ``node`` reads that are not in ``local`` (scopes handled)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d),
                        *getattr(node, "decorator_list", [])]:
            _collect_free_names(default, local, used)
        parameters = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                      *(a for a in (arguments.vararg, arguments.kwarg) if a)]}
        body = node.body if isinstance(node.body, list) else [node.body]
        inner = local | parameters | _stored_names(body) | {
            n.name for b in body for n in ast.walk(b) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        for statement in body:
            _collect_free_names(statement, inner, used)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        inner = local | _stored_names(generator.target for generator in node.generators)
        for child in ast.iter_child_nodes(node):
            _collect_free_names(child, inner, used)
        return
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
        used.add(node.id)
    for child in ast.iter_child_nodes(node):
        _collect_free_names(child, local, used)


def _top_level_bindings(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    names = {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
    if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):  # bindings inside blocks
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                names |= _top_level_bindings(child)
    return names


def code_slice(notebook: Path, targets: Iterable[str],
               always: Callable[[str], bool] = lambda source: False) -> list[str]:
    """The code cells needed to define ``targets``, in notebook order (see the module docstring).

    Raises ``ValueError`` naming the targets that no cell defines.
    """
    cells = code_cells(notebook)
    needed, selected = set(targets), []
    missing = set(needed)
    for source in reversed(cells):
        bound, used = bound_and_used(source)
        if bound & needed or always(source):
            selected.append(source)
            missing -= bound
            needed = (needed - bound) | used
    if missing:
        raise ValueError(f"no code cell of {notebook} defines {sorted(missing)}")
    return selected[::-1]


def run_slice(notebook: Path, targets: Iterable[str], namespace: dict | None = None, **options) -> dict:
    """Execute :func:`code_slice` in ``namespace`` (a new one by default) and return it."""
    namespace = {"__name__": "__main__"} if namespace is None else namespace
    for number, source in enumerate(code_slice(notebook, targets, **options), start=1):
        exec(compile(source, f"<{Path(notebook).name}: slice cell {number}>", "exec"), namespace)
    return namespace

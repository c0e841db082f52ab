"""Profiles: named sets of per-chapter parameter overrides, injected into chapters by papermill.

``book/profiles/<name>.yml`` maps a chapter path to the parameters that replace the defaults of its
cell tagged ``parameters``::

    book/part1/02_bilinear_games.ipynb:
      num_steps: 4000
      num_seeds: 32

The notebooks' own ``parameters`` cells *are* the ``quick`` profile, so ``quick.yml`` is ``{}``.
Every execution also receives ``profile: <name>``, so a chapter knows what it is running as.

A profile is checked before anything runs: its name must be one of ``book/profiles/*.yml``; each chapter
it names must be a chapter of ``_toc.yml``; each parameter must be assigned in that chapter's cell
tagged ``parameters`` (read with :mod:`ast`, so comments such as ``# γ = ⟨u₁, u₂⟩`` are no problem), with
a value of the default's type: an int where an int is, an int or a float where a float is (a bool is not
a number), a string where a string is, a list where a list or tuple is (its items checked alike).
Errors name the chapter, the key and the closest valid names.
"""

from __future__ import annotations

import ast
import difflib
import json
from pathlib import Path
from typing import Any

import yaml

from booktools.errors import BooktoolsError
from booktools.pipeline.chapters import list_chapters
from booktools.pipeline.paths import PROFILES_DIR, checked_name

PROFILE_SUFFIX = ".yml"
PARAMETERS_TAG = "parameters"  # papermill's tag for the cell whose assignments a profile may replace
NOT_A_LITERAL = object()  # the default of a parameter whose value is computed: any override is accepted
Overrides = dict[str, dict[str, Any]]


def available_profiles(root: Path) -> list[str]:
    """The profile names defined under ``book/profiles/``, sorted."""
    folder = Path(root) / PROFILES_DIR
    return sorted(path.stem for path in folder.glob("*" + PROFILE_SUFFIX))


def check_profile_name(root: Path, name: str) -> str:
    """``name`` when it is one of :func:`available_profiles`, else a :class:`BooktoolsError` listing them."""
    known = available_profiles(root)
    if name not in known:
        listing = ", ".join(known) or f"none (no *.yml in {PROFILES_DIR}/)"
        raise BooktoolsError(f"unknown profile {name!r}; the profiles are: {listing}")
    return checked_name(name, "profile")


def load_profile(root: Path, name: str) -> Overrides:
    """Load and validate the overrides of profile ``name``: ``{chapter path: {parameter: value}}``.

    Every chapter and parameter is checked against the chapters' parameters cells (see the module).
    """
    path = Path(root) / PROFILES_DIR / (check_profile_name(root, name) + PROFILE_SUFFIX)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BooktoolsError(f"{path} is not valid YAML: {exc}") from exc
    overrides = _validated(path, content if content is not None else {})
    check_overrides(root, path, overrides)
    return overrides


def _validated(path: Path, content: Any) -> Overrides:
    """Check the shape ``{str: {str: value}}`` and return it, or raise naming the bad entry."""
    if not isinstance(content, dict):
        raise BooktoolsError(f"{path}: expected a mapping of chapter path -> parameters, "
                             f"got {type(content).__name__}")
    for chapter, parameters in content.items():
        if not isinstance(chapter, str) or not isinstance(parameters, dict):
            raise BooktoolsError(f"{path}: entry {chapter!r} must map a chapter path to a mapping "
                                 f"of parameters, got {parameters!r}")
        bad_names = [name for name in parameters if not isinstance(name, str) or not name.isidentifier()]
        if bad_names:
            raise BooktoolsError(f"{path}: {chapter}: parameter names must be Python identifiers, "
                                 f"got {bad_names}")
    return content


def check_overrides(root: Path, path: Path, overrides: Overrides) -> None:
    """Raise a :class:`BooktoolsError` for a chapter that is not in ``_toc.yml``, an unknown parameter or a
    value of the wrong type, naming the chapter, the key and the closest valid names."""
    if not overrides:
        return
    chapters = list_chapters(root)
    for chapter, parameters in overrides.items():
        if chapter not in chapters:
            raise BooktoolsError(f"{path}: {chapter!r} is not a chapter of _toc.yml{_closest(chapter, chapters)}")
        defaults = parameters_cell(Path(root) / chapter)
        for name, value in parameters.items():
            if name not in defaults:
                raise BooktoolsError(f"{path}: {chapter}: unknown parameter {name!r}"
                                     f"{_closest(name, list(defaults))}; the parameters are: "
                                     f"{', '.join(defaults) or '(none: no cell tagged parameters)'}")
            problem = type_problem(defaults[name], value)
            if problem:
                raise BooktoolsError(f"{path}: {chapter}: parameter {name!r}: {problem}")


def parameters_cell(notebook: Path) -> dict[str, Any]:
    """The names assigned in the cell tagged ``parameters``, in order, with their literal default values
    (:data:`NOT_A_LITERAL` for a computed one); empty when the notebook has no such cell.

    >>> import nbformat, tempfile
    >>> cell = nbformat.v4.new_code_cell("steps = 3  # γ = ⟨u₁, u₂⟩\\nrates = (0.1, 1)", metadata={"tags": ["parameters"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     nbformat.write(nbformat.v4.new_notebook(cells=[cell]), f"{folder}/c.ipynb")
    ...     parameters_cell(Path(folder) / "c.ipynb")
    {'steps': 3, 'rates': (0.1, 1)}
    """
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    defaults: dict[str, Any] = {}
    for cell in cells:
        if PARAMETERS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
        except SyntaxError as exc:
            raise BooktoolsError(f"{notebook}: its cell tagged parameters is not valid Python: {exc}") from exc
        for statement in tree.body:
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value
                       else [])
            for target in targets:
                if isinstance(target, ast.Name):
                    defaults[target.id] = _literal(statement.value)
    return defaults


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_A_LITERAL


def type_problem(default: Any, value: Any) -> str | None:
    """Why ``value`` cannot replace ``default`` (None when it can), e.g. ``"expected an integer, got 2.5"``.

    >>> type_problem(0.1, 1), type_problem(3, True), type_problem([0.1], [1, "a"])
    (None, 'expected an integer, got True (a bool)', "item 1: expected a number, got 'a' (a str)")
    """
    if default is NOT_A_LITERAL or default is None:
        return None
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list):
            return f"expected a list, got {value!r} (a {type(value).__name__})"
        item = next((item for item in default if isinstance(item, float)), default[0] if default else None)
        for index, element in enumerate(value):
            problem = type_problem(item, element)
            if problem:
                return f"item {index}: {problem}"
        return None
    expected, accepted = _expected_type(default)
    if expected is None or (isinstance(value, accepted) and (isinstance(default, bool) or not isinstance(value, bool))):
        return None
    hint = ""
    if isinstance(value, str) and accepted == (int, float) and _is_number(value):
        hint = "; YAML reads 1e-3 as a string: write 1.0e-3"
    return f"expected {expected}, got {value!r} (a {type(value).__name__}){hint}"


def _expected_type(default: Any) -> tuple[str | None, tuple[type, ...]]:
    """What a default's type accepts: (description, types); bools are checked apart from numbers."""
    for kind, description, accepted in ((bool, "a bool (true or false)", (bool,)), (int, "an integer", (int,)),
                                        (float, "a number", (int, float)), (str, "a string", (str,)),
                                        (dict, "a mapping", (dict,))):
        if isinstance(default, kind):
            return description, accepted
    return None, ()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _closest(name: str, valid: list[str]) -> str:
    matches = difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(match) for match in matches)}?)" if matches else ""


def chapter_parameters(profile: str, overrides: Overrides, chapter: str) -> dict[str, Any]:
    """The parameters papermill injects into ``chapter``: the profile name, then its overrides."""
    return {"profile": profile, **overrides.get(chapter, {})}

"""Profiles: named sets of per-chapter parameter overrides, injected into chapters by papermill.

``book/profiles/<name>.yml`` maps a chapter path to the parameters that replace the defaults of its
cell tagged ``parameters``::

    book/part1/02_bilinear_games.ipynb:
      num_steps: 4000
      num_seeds: 32

The notebooks' own ``parameters`` cells *are* the ``quick`` profile, so ``quick.yml`` is ``{}``.
Every execution also receives ``profile: <name>``, so a chapter knows what it is running as.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from booktools.errors import BooktoolsError
from booktools.paths import PROFILES_DIR

PROFILE_SUFFIX = ".yml"
Overrides = dict[str, dict[str, Any]]


def available_profiles(root: Path) -> list[str]:
    """The profile names defined under ``book/profiles/``, sorted."""
    folder = Path(root) / PROFILES_DIR
    return sorted(path.stem for path in folder.glob("*" + PROFILE_SUFFIX))


def load_profile(root: Path, name: str) -> Overrides:
    """Load and validate the overrides of profile ``name``: ``{chapter path: {parameter: value}}``."""
    path = Path(root) / PROFILES_DIR / (name + PROFILE_SUFFIX)
    if not path.is_file():
        known = ", ".join(available_profiles(root)) or f"none (no *.yml in {PROFILES_DIR}/)"
        raise BooktoolsError(f"unknown profile {name!r}; the profiles are: {known}")
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BooktoolsError(f"{path} is not valid YAML: {exc}") from exc
    return _validated(path, content if content is not None else {})


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


def chapter_parameters(profile: str, overrides: Overrides, chapter: str) -> dict[str, Any]:
    """The parameters papermill injects into ``chapter``: the profile name, then its overrides."""
    return {"profile": profile, **overrides.get(chapter, {})}


def unknown_chapters(overrides: Overrides, chapters: list[str]) -> list[str]:
    """The chapters a profile names that the table of contents does not (typos, renamed files)."""
    return sorted(set(overrides) - set(chapters))

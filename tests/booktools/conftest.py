"""A tiny fake book (toc, config, two notebook chapters, a page, a library, profiles) in tmp_path.

Executing one of its chapters with papermill takes a couple of seconds (mostly the kernel start), so
the tests that need a *real* execution share one executed copy (``executed_project``) and the others
replace papermill by a fast fake that copies the notebook (``fake_papermill``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

FIRST = "book/part1/01_first.ipynb"
SECOND = "book/part1/02_second.ipynb"
CHAPTERS = [FIRST, SECOND]

TOC = """\
format: jb-book
root: book/intro
parts:
  - caption: Part I
    chapters:
      - file: book/part1/01_first
        sections:
          - file: book/part1/notes
      - file: book/part1/02_second.ipynb
  - caption: Appendix
    chapters:
      - file: book/appendix/about
"""

CONFIG = """\
title: Fake book
author: Tests
only_build_toc_files: true
exclude_patterns: [_build, .venv]
execute:
  execute_notebooks: "off"
"""

# Writes a claims ledger where MINIMAX_CLAIMS_DIR says, naming the chapter MINIMAX_CHAPTER names (as
# minimax.claims.Ledger does), and reads a file relative to its own folder.
CHAPTER_BODY = """\
import json, os, pathlib
claims = pathlib.Path(os.environ["MINIMAX_CLAIMS_DIR"])
claims.mkdir(parents=True, exist_ok=True)
(claims / "{stem}.json").write_text(json.dumps({{"profile": profile, "steps": steps,
                                               "chapter": os.environ.get("MINIMAX_CHAPTER")}}))
print(pathlib.Path("data.txt").read_text().strip(), steps * 2)
"""


def chapter_notebook(stem: str, extra_source: str = "") -> nbformat.NotebookNode:
    """A small chapter: a ``parameters`` cell, a markdown cell, a cell using the parameters."""
    parameters = nbformat.v4.new_code_cell('seed = 0\nprofile = "quick"\nsteps = 3',
                                           metadata={"tags": ["parameters"]})
    cells = [nbformat.v4.new_markdown_cell(f"# Chapter {stem}"), parameters,
             nbformat.v4.new_code_cell(CHAPTER_BODY.format(stem=stem) + extra_source)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def write_notebook(path: Path, notebook: nbformat.NotebookNode) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def make_project(root: Path) -> Path:
    """Write the fake book under ``root`` and return ``root``."""
    files = {
        "_toc.yml": TOC,
        "_config.yml": CONFIG,
        "book/intro.md": "# Fake book\n\nIntro.\n",
        "book/part1/notes.md": "# Notes\n\nA page that is not a notebook.\n",
        "book/appendix/about.md": "# About\n\nAn appendix page.\n",
        "book/part1/data.txt": "relative-path-ok\n",
        "book/profiles/quick.yml": "{}\n",
        "book/profiles/full.yml": f"{FIRST}:\n  steps: 7\n",
        "src/minimax/__init__.py": '"""Fake library."""\nVALUE = 1\n',
        "src/minimax/games.py": "def game():\n    return 0\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for chapter in CHAPTERS:
        write_notebook(root / chapter, chapter_notebook(Path(chapter).stem))
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh fake book, nothing executed."""
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def _executed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake book with both chapters executed for real, once per test session (quick profile)."""
    from booktools.pipeline.run import run_profile

    root = make_project(tmp_path_factory.mktemp("executed") / "project")
    outcomes = run_profile(root, "quick")
    assert [o.status for o in outcomes] == ["executed", "executed"], outcomes
    return root


@pytest.fixture
def executed_project(_executed_template: Path, tmp_path: Path) -> Path:
    """A private copy of the executed fake book (the cache key holds no absolute path)."""
    return Path(shutil.copytree(_executed_template, tmp_path / "project", symlinks=True))


class FakeBook:
    """What the tests know about the fake book (handed out by the ``book`` fixture)."""

    FIRST = FIRST
    SECOND = SECOND
    CHAPTERS = CHAPTERS
    chapter_notebook = staticmethod(chapter_notebook)
    write_notebook = staticmethod(write_notebook)


@pytest.fixture
def book() -> type[FakeBook]:
    return FakeBook


class FakePapermill:
    """Stands in for ``papermill.execute_notebook``: copies the notebook, writes its claims ledger into
    ``$MINIMAX_CLAIMS_DIR`` as the real chapters do, records the calls.

    ``fail_on`` names notebooks (by stem) whose execution raises after writing a partial output;
    ``exception`` chooses what it raises (a ``KeyboardInterrupt`` simulates a killed run).
    """

    def __init__(self) -> None:
        self.executed: list[str] = []
        self.fail_on: set[str] = set()
        self.exception: type[BaseException] = RuntimeError

    def __call__(self, input_path, output_path, **kwargs):
        stem = Path(input_path).stem
        self.executed.append(stem)
        notebook = json.loads(Path(input_path).read_text())
        notebook["metadata"]["fake_parameters"] = kwargs.get("parameters")
        Path(output_path).write_text(json.dumps(notebook))
        claims = Path(os.environ["MINIMAX_CLAIMS_DIR"])
        claims.mkdir(parents=True, exist_ok=True)
        (claims / f"{stem}.json").write_text(json.dumps({"parameters": kwargs.get("parameters")}))
        if stem in self.fail_on:
            raise self.exception(f"fake failure of {stem}")


@pytest.fixture
def fake_papermill(monkeypatch: pytest.MonkeyPatch) -> FakePapermill:
    import papermill

    fake = FakePapermill()
    monkeypatch.setattr(papermill, "execute_notebook", fake)
    return fake

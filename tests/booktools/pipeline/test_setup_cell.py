"""The setup cell: every chapter and assignment opens with exactly the current one, and the command keeps it so.

What the cell does where ``minimax`` is missing (install offline fails with one sentence; the wheel) is
tested in tests/test_bare_folder.py.
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from booktools.cli import main
from booktools.pipeline.setup_cell import CELL_ID, insert_setup_cells, setup_cell, setup_notebooks, setup_source

REPOSITORY = Path(__file__).resolve().parents[3]


def _version() -> str:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_notebooks_are_the_chapters_and_the_assignments():
    notebooks = setup_notebooks(REPOSITORY)
    assert "book/part1/01_gan_game.ipynb" in notebooks
    assert "book/assignments/a1_extragradient_optimism.ipynb" in notebooks
    assert all((REPOSITORY / name).is_file() for name in notebooks)


@pytest.mark.parametrize("name", setup_notebooks(REPOSITORY))
def test_every_notebook_starts_with_exactly_the_current_setup_cell(name):
    # Its text, id and tag, byte for byte; no outputs (in the book's environment it does nothing). The
    # execution count is left out: adopting a run's outputs numbers the cell like any other.
    cells = json.loads((REPOSITORY / name).read_text(encoding="utf-8"))["cells"]
    first, current = cells[0], setup_cell(REPOSITORY)
    assert (first["cell_type"], first.get("id"), "".join(first["source"]), first["metadata"].get("tags"),
            first["outputs"]) == ("code", CELL_ID, current.source, ["remove-cell"], []), \
        f"{name}: run `python -m booktools setup-cells`"
    assert [cell.get("id") for cell in cells].count(CELL_ID) == 1


def test_the_cell_installs_the_release_of_pyproject_from_the_repository_of_the_config():
    source = setup_cell(REPOSITORY).source
    compile(source, "<setup cell>", "exec")
    release = f"git+https://github.com/optimize-and-learn/optimize-and-learn@v{_version()}"
    assert f"optimize-and-learn[notebooks] @ {release}" in source
    assert setup_cell(REPOSITORY).metadata == {"tags": ["remove-cell"]}


def test_the_cell_does_nothing_where_minimax_is_importable():
    # This environment has minimax: no pip, no output (a pip call would take seconds and print on failure).
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY / "src"), "PIP_NO_INDEX": "1"}
    run = subprocess.run([sys.executable, "-c", setup_cell(REPOSITORY).source], check=False, capture_output=True,
                         text=True, env=environment, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def _project(tmp_path: Path, version: str) -> Path:
    """A book with one chapter and one assignment, at package ``version``."""
    (tmp_path / "book/part1").mkdir(parents=True)
    (tmp_path / "book/assignments").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/part1/01_first\n")
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://github.com/org/book\n")
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\nversion = "{version}"\n')
    for name in ("book/part1/01_first.ipynb", "book/assignments/a1.ipynb"):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                                   nbformat.v4.new_code_cell("x = 1")])
        (tmp_path / name).write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return tmp_path


def test_the_command_inserts_the_cell_and_leaves_the_rest_of_the_notebook_as_it_was(tmp_path):
    root = _project(tmp_path, "1.0.0")
    before = (root / "book/part1/01_first.ipynb").read_text(encoding="utf-8")

    assert main(["--root", str(root), "setup-cells"]) == 0
    notebook = nbformat.reads((root / "book/part1/01_first.ipynb").read_text(encoding="utf-8"), as_version=4)
    assert notebook.cells[0].source == setup_source("1.0.0", "https://github.com/org/book")
    original = nbformat.reads(before, as_version=4)
    notebook.cells = notebook.cells[1:]
    assert nbformat.writes(notebook) + "\n" == before == nbformat.writes(original) + "\n"
    assert insert_setup_cells(root) == []   # already current: nothing is rewritten


def test_after_a_version_bump_the_command_updates_the_one_cell(tmp_path):
    root = _project(tmp_path, "1.0.0")
    insert_setup_cells(root)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.1.0"\n')

    assert insert_setup_cells(root) == ["book/part1/01_first.ipynb", "book/assignments/a1.ipynb"]
    cells = nbformat.read(root / "book/assignments/a1.ipynb", as_version=4).cells
    assert [cell.get("id") for cell in cells].count(CELL_ID) == 1
    assert "@v1.1.0" in cells[0].source and [cell.source for cell in cells[1:]] == ["# Title", "x = 1"]


def test_a_config_without_a_repository_url_is_named_in_the_error(tmp_path, capsys):
    root = _project(tmp_path, "1.0.0")
    (root / "_config.yml").write_text("title: no repository\n")
    assert main(["--root", str(root), "setup-cells"]) == 2
    assert "cannot read repository.url" in capsys.readouterr().err

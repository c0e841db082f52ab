"""Binder (repo2docker) configuration: binder/ holds the locked environment and JupyterLab, postBuild installs
the package, and the pages' launch buttons open the chapter in JupyterLab.

Binder itself cannot be reached from the tests: what repo2docker does with these files (install
``binder/requirements.txt`` with pip from the repository root, then run ``binder/postBuild``; the Python
of ``binder/runtime.txt``) is taken from its documentation and source.
"""

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from booktools.pipeline.setup_cell import setup_cell
from booktools.pipeline.stage import jupyter_book_command

REPOSITORY = Path(__file__).resolve().parents[1]
BINDER = REPOSITORY / "binder"
LOCK = REPOSITORY / ".ci" / "requirements-lock.txt"
CHAPTER = "book/part1/01_gan_game.ipynb"


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _pins(lines: list[str]) -> dict[str, str]:
    """name -> exact version of every ``name==version`` line (markers dropped)."""
    pins = {}
    for line in lines:
        match = re.fullmatch(r"([A-Za-z0-9._-]+)\s*==\s*([^;\s]+)\s*(;.*)?", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_the_requirements_are_the_lock_and_jupyterlab():
    lines = _requirement_lines(BINDER / "requirements.txt")
    included = [(BINDER / line.removeprefix("-r").strip()).resolve() for line in lines if line.startswith("-r")]
    assert included == [LOCK.resolve()], "binder/requirements.txt must include the lock file, once"
    own = [line for line in lines if not line.startswith("-")]
    lock = _pins(_requirement_lines(LOCK))
    disagreeing = {name: version for name, version in _pins(own).items() if lock.get(name, version) != version}
    assert disagreeing == {}, f"pins of binder/requirements.txt that differ from the lock: {disagreeing}"
    names = {canonicalize_name(re.match(r"[A-Za-z0-9._-]+", line)[0]) for line in own} | set(lock)
    assert "jupyterlab" in names


def test_the_python_of_runtime_txt_is_one_the_project_and_its_lock_support():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), f"repo2docker reads python-X.Y, got {runtime!r}"
    requires = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert SpecifierSet(requires).contains(runtime.removeprefix("python-") + ".0")


def test_post_build_is_executable_and_installs_the_package_without_touching_the_locked_dependencies():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK)
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text
    assert re.search(r"^python -m pip install .*--no-deps (-e )?\.$", text, re.MULTILINE)


def test_the_launch_buttons_open_jupyterlab_on_binder():
    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


@pytest.mark.slow
def test_a_built_chapter_page_links_to_jupyterlab_on_binder_and_hides_the_setup_cell(tmp_path):
    # The book's own configuration, one small chapter at a real chapter's path (a build of seconds).
    book = tmp_path / "book-source"
    (book / "book" / "part1").mkdir(parents=True)
    shutil.copy(REPOSITORY / "_config.yml", book)
    shutil.copy(REPOSITORY / "book" / "references.bib", book / "book")
    (book / "_toc.yml").write_text(f"format: jb-book\nroot: {CHAPTER.removesuffix('.ipynb')}\n")
    notebook = nbformat.v4.new_notebook(cells=[setup_cell(REPOSITORY), nbformat.v4.new_markdown_cell("# A chapter"),
                                               nbformat.v4.new_code_cell("shown_on_the_page = 1")])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, book / CHAPTER)

    build = subprocess.run(jupyter_book_command(book, tmp_path), cwd=book, check=False, capture_output=True,
                           text=True, timeout=600)
    assert build.returncode == 0, f"jupyter-book build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    page = (tmp_path / "_build" / "html" / CHAPTER.replace(".ipynb", ".html")).read_text(encoding="utf-8")

    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text(encoding="utf-8"))["repository"]
    repository = config["url"].removeprefix("https://github.com/")
    assert f'href="https://mybinder.org/v2/gh/{repository}/{config["branch"]}?urlpath=lab/tree/{CHAPTER}"' in page
    assert "shown_on_the_page" in page and "_install_the_book" not in page   # remove-cell: not on the page

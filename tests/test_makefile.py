"""The Makefile's first minutes: which Python creates .venv, and what ``make lab`` runs.

Each test runs make on a copy of the Makefile (with pyproject.toml and the lock file, which it reads)
in a temporary folder, so nothing is created or installed in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
LOCK = ".ci/requirements-lock.txt"

# A Python that reports an old version (or lacks ensurepip) to the Makefile's check, which it runs for
# real, and fails loudly if make goes on to use it anyway.
STUB = """#!{python}
import sys
if sys.argv[1:2] == ["-c"]:
    {pretend}
    exec(sys.argv[2])
else:
    sys.exit("Traceback: the stub was asked to run " + " ".join(sys.argv[1:]))
"""
OLD_PYTHON = 'sys.version_info = (3, 9, 2, "final", 0); sys.version = "3.9.2 (stub)"'
NO_VENV = 'sys.modules["ensurepip"] = None  # as on Debian without python3-venv'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml", LOCK):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPOSITORY / name, tmp_path / name)
    return tmp_path


def make(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    # Without MAKEFLAGS: the variables of an enclosing `make test` (PYTHON=…) must not reach this make.
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "--no-print-directory", "-C", str(project), *arguments], check=False,
                          capture_output=True, text=True, timeout=60, env=environment)


def stub(project: Path, pretend: str) -> Path:
    path = project / "python3-stub"
    path.write_text(STUB.format(python=sys.executable, pretend=pretend))
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(("pretend", "problem"), [(OLD_PYTHON, "is Python 3.9.2"), (NO_VENV, "has no venv module")],
                         ids=["old", "no-venv"])
def test_a_python_that_cannot_make_the_venv_gets_one_line_and_no_venv(project, pretend, problem):
    python = stub(project, pretend)
    result = make(project, "install", f"PYTHON={python}")
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"{python} {problem}" in line and "the book needs Python >= 3.11 with venv" in line
    assert "make book PYTHON=python3.12" in line
    assert "Traceback" not in line and not (project / ".venv").exists()


def test_a_python_that_is_not_installed_gets_one_line(project):
    result = make(project, "install", "PYTHON=/nonexistent/python3.12")
    [line] = result.stderr.splitlines()
    assert result.returncode != 0 and "/nonexistent/python3.12 is not installed: the book needs Python >= 3.11" in line


def test_the_oldest_python_is_read_from_pyproject(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('requires-python = ">=3.11"', 'requires-python = ">=3.99"'))
    [line] = make(project, "install", f"PYTHON={sys.executable}").stderr.splitlines()
    assert f"{sys.executable} is Python {sys.version.split()[0]}: the book needs Python >= 3.99" in line


def test_a_recent_python_creates_the_venv_then_installs(project):
    result = make(project, "--dry-run", "install", f"PYTHON={sys.executable}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"{sys.executable} -m venv .venv",
        f".venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' -c {LOCK}"]


def test_make_lab_opens_the_chapter_with_the_repository_as_root(project):
    result = make(project, "--dry-run", "lab", "CHAPTER=book/part1/02_bilinear_games.ipynb", "LAB_ARGS=--no-browser",
                  f"PYTHON={sys.executable}")
    assert result.returncode == 0, result.stderr
    command = " ".join(result.stdout.replace("\\\n", " ").splitlines()[-1].split())
    assert command.endswith(f".venv/bin/python -m jupyterlab --ServerApp.root_dir={project} "
                            "book/part1/02_bilinear_games.ipynb --no-browser")
    assert f"MINIMAX_CLAIMS_DIR=${{MINIMAX_CLAIMS_DIR:-{project}/_build/claims}}" in command

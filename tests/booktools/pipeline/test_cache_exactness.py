"""The cache both ways: what no chapter reads re-executes nothing; one changed byte in each input kind
re-executes exactly the chapters that read it, and says why.

The fake book (conftest.py) gets a small library: the first chapter imports ``minimax.games`` (which
imports ``minimax.helpers`` relatively and reads ``MINIMAX_GAME_SCALE``), the second imports
``booktools.figures.static_figures`` (which inlines ``static_figures.js``) and reads ``MINIMAX_MNIST_DIR``. The
imports sit in functions the cells never call: the analysis is static, and the real kernel must not
import the repository's packages of the same names. papermill is faked (it copies the notebook and
writes the claims ledger).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from booktools.pipeline import cache, paths
from booktools.pipeline.run import run_profile

FIRST, SECOND = "book/part1/01_first.ipynb", "book/part1/02_second.ipynb"
LIBRARY = {
    "src/minimax/__init__.py": "from minimax import games\n",
    "src/minimax/games.py": ("import os\nfrom . import helpers\n\n"
                             "def scale():\n    return float(os.environ.get('MINIMAX_GAME_SCALE', 1))\n"),
    "src/minimax/helpers.py": "def helper():\n    return 1\n",
    "src/minimax/unused.py": "def nobody_imports_me():\n    return 2\n",
    "src/booktools/__init__.py": '"""Fake tooling."""\n',
    "src/booktools/static_figures.py": ("from importlib import resources\n\n"
                                        "def script():\n    return resources.files('booktools')"
                                        ".joinpath('static_figures.js').read_text()\n"),
    "src/booktools/static_figures.js": "console.log('figure');\n",
    "src/booktools/cache.py": "KEY = 1\n",
}
FIRST_IMPORTS = "\ndef _library():  # never called\n    from minimax import games\n"
SECOND_IMPORTS = ("\ndef _tooling():  # never called\n    from booktools import static_figures\n"
                  "    return os.environ.get('MINIMAX_MNIST_DIR')\n")


def _statuses(outcomes) -> dict[str, str]:
    return {outcome.chapter: outcome.status for outcome in outcomes}


def _executed(outcomes) -> set[str]:
    return {outcome.chapter for outcome in outcomes if outcome.status == "executed"}


@pytest.fixture
def library_project(project: Path, book, fake_papermill, monkeypatch) -> Path:
    """The fake book with a library, both chapters run once (with the fake papermill)."""
    for name, text in LIBRARY.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    book.write_notebook(project / FIRST, book.chapter_notebook("01_first", FIRST_IMPORTS))
    book.write_notebook(project / SECOND, book.chapter_notebook("02_second", SECOND_IMPORTS))
    for name in ("MINIMAX_MNIST_DIR", "MINIMAX_GAME_SCALE", "XLA_FLAGS", "JAX_ENABLE_X64"):
        monkeypatch.delenv(name, raising=False)
    assert _executed(run_profile(project, "quick")) == {FIRST, SECOND}
    return project


def test_the_dependencies_are_found_per_chapter(library_project: Path):
    first = cache.cache_key(library_project, FIRST, {"profile": "quick"}, backend="cpu")
    second = cache.cache_key(library_project, SECOND, {"profile": "quick"}, backend="cpu")
    assert set(first["files"]) == {"src/minimax/__init__.py", "src/minimax/games.py",
                                   "src/minimax/helpers.py", "book/part1/data.txt"}
    assert set(second["files"]) == {"src/booktools/__init__.py", "src/booktools/static_figures.py",
                                    "src/booktools/static_figures.js", "book/part1/data.txt"}
    assert _read_by_name(first) == {"MINIMAX_GAME_SCALE": None}  # MINIMAX_CLAIMS_DIR is not keyed
    assert _read_by_name(second) == {"MINIMAX_MNIST_DIR": None}


def _read_by_name(key: dict) -> dict:
    """The keyed environment minus the JAX_*/XLA_* variables, which every chapter's key holds."""
    return {name: value for name, value in key["environment"].items() if not name.startswith(("JAX_", "XLA_"))}


def _touch_everything(root: Path, when: float) -> None:
    for folder in ("src", "book"):
        for path in (root / folder).rglob("*"):
            os.utime(path, (when, when))


def test_touching_every_file_re_executes_nothing(library_project: Path, fake_papermill):
    _touch_everything(library_project, time.time() + 1)
    assert _executed(run_profile(library_project, "quick")) == set()


def test_a_file_dated_in_the_future_re_executes_nothing(library_project: Path, fake_papermill):
    _touch_everything(library_project, time.time() + 10 * 365 * 86400)
    assert _executed(run_profile(library_project, "quick")) == set()
    assert _executed(run_profile(library_project, "quick")) == set()


@pytest.mark.parametrize("name", [".games.py.swp", "games.py~", "#games.py#", ".#games.py", ".DS_Store",
                                  "__pycache__/games.cpython-311.pyc", "games.pyc"])
def test_editor_and_bytecode_files_re_execute_nothing(library_project: Path, fake_papermill, name: str):
    for folder in ("src/minimax", "src/booktools", "book/part1"):
        (library_project / folder / name).parent.mkdir(exist_ok=True)
        (library_project / folder / name).write_bytes(b"games.py static_figures.js data.txt")
    assert _executed(run_profile(library_project, "quick")) == set()


def _append_byte(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b" ")


@pytest.mark.parametrize("changed, executed, reason", [
    ("src/minimax/games.py", {FIRST}, "library file minimax/games.py changed"),
    ("src/minimax/helpers.py", {FIRST}, "library file minimax/helpers.py changed"),  # relative import
    ("src/minimax/__init__.py", {FIRST}, "library file minimax/__init__.py changed"),
    ("src/booktools/static_figures.js", {SECOND}, "library file booktools/static_figures.js changed"),
    ("src/booktools/static_figures.py", {SECOND}, "library file booktools/static_figures.py changed"),
    ("src/booktools/cache.py", set(), None),  # the tooling itself: no chapter imports it
    ("src/minimax/unused.py", set(), None),
    ("book/part1/data.txt", {FIRST, SECOND}, "file book/part1/data.txt changed"),
])
def test_one_changed_byte_re_executes_exactly_its_readers(library_project: Path, fake_papermill, capsys,
                                                          changed: str, executed: set, reason: str | None):
    capsys.readouterr()
    _append_byte(library_project / changed)
    assert _executed(run_profile(library_project, "quick")) == executed
    if reason:
        assert reason in capsys.readouterr().out
    assert _executed(run_profile(library_project, "quick")) == set()  # and only once


def test_a_new_file_that_is_not_imported_re_executes_nothing(library_project: Path, fake_papermill):
    (library_project / "src/minimax/notes.txt").write_text("a new file nobody names\n")
    assert _executed(run_profile(library_project, "quick")) == set()


def test_a_new_import_re_executes_the_importer(library_project: Path, fake_papermill, capsys):
    _append_byte(library_project / "src/minimax/helpers.py")
    (library_project / "src/minimax/helpers.py").write_text("from minimax import unused\n")
    capsys.readouterr()
    assert _executed(run_profile(library_project, "quick")) == {FIRST}
    assert "library file minimax/unused.py added" in capsys.readouterr().out


@pytest.mark.parametrize("variable, executed", [
    ("MINIMAX_MNIST_DIR", {SECOND}),      # read by the second chapter's cells
    ("MINIMAX_GAME_SCALE", {FIRST}),      # read by a module the first chapter imports
    ("XLA_FLAGS", {FIRST, SECOND}),       # every JAX_*/XLA_* variable
    ("JAX_ENABLE_X64", {FIRST, SECOND}),
    ("MINIMAX_UNREAD", set()),
    ("JAX_COMPILATION_CACHE_DIR", set()),  # where compiled programs are cached changes no number
    ("XLA_PYTHON_CLIENT_PREALLOCATE", set()),
])
def test_an_environment_variable_re_executes_exactly_its_readers(library_project: Path, fake_papermill,
                                                                 monkeypatch, capsys, variable: str,
                                                                 executed: set):
    monkeypatch.setenv(variable, "/somewhere/else")
    capsys.readouterr()
    assert _executed(run_profile(library_project, "quick")) == executed
    if executed:
        assert f"{variable} changed" in capsys.readouterr().out or variable.startswith(("JAX_", "XLA_"))


def test_parameters_re_execute_the_chapter_they_go_to(library_project: Path, fake_papermill):
    (library_project / "book/profiles/quick.yml").write_text(f"{SECOND}:\n  steps: 5\n")
    assert _executed(run_profile(library_project, "quick")) == {SECOND}


def test_the_notebook_sources_re_execute_their_chapter(library_project: Path, book, fake_papermill, capsys):
    book.write_notebook(library_project / FIRST,
                        book.chapter_notebook("01_first", FIRST_IMPORTS + "print('one more line')\n"))
    assert _executed(run_profile(library_project, "quick")) == {FIRST}
    assert "notebook changed" in capsys.readouterr().out


def test_a_distribution_version_or_the_backend_re_executes_everything(library_project: Path, fake_papermill,
                                                                     monkeypatch, capsys):
    real = cache.installed_versions()
    monkeypatch.setattr(cache, "installed_versions", lambda: {**real, "some-plotting-lib": "9.9"})
    assert _executed(run_profile(library_project, "quick")) == {FIRST, SECOND}
    assert "some-plotting-lib None -> 9.9" in capsys.readouterr().out
    monkeypatch.setattr(cache, "jax_backend", lambda: "gpu NVIDIA H100")
    assert _executed(run_profile(library_project, "quick")) == {FIRST, SECOND}
    assert "JAX backend" in capsys.readouterr().out


@pytest.mark.parametrize("change, reason", [
    (lambda path: path.unlink(), "claims ledger missing"),
    (_append_byte, "claims ledger changed"),
])
def test_a_missing_or_changed_claims_ledger_re_executes_its_chapter(library_project: Path, fake_papermill,
                                                                    capsys, change, reason):
    change(paths.claims_dir(library_project, "quick") / "02_second.json")
    capsys.readouterr()
    assert _executed(run_profile(library_project, "quick")) == {SECOND}
    assert reason in capsys.readouterr().out
    assert (paths.claims_dir(library_project, "quick") / "02_second.json").is_file()  # rebuilt
    assert _executed(run_profile(library_project, "quick")) == set()


def test_a_missing_executed_notebook_re_executes_its_chapter(library_project: Path, fake_papermill):
    paths.executed_notebook(library_project, "quick", FIRST).unlink()
    assert _executed(run_profile(library_project, "quick")) == {FIRST}


def test_the_key_file_is_readable_json_with_the_outputs(library_project: Path):
    record = cache.read_key(paths.key_file(library_project, "quick", SECOND))
    assert set(record["outputs"]) == {SECOND, "claims/02_second.json"}
    assert record["versions"]["python"].count(".") == 2 and "pytest" in record["versions"]
    assert paths.key_file(library_project, "quick", SECOND).read_text().startswith("{\n  ")


def test_naming_the_backend_it_runs_on_anyway_re_executes_nothing(library_project: Path, fake_papermill,
                                                                  monkeypatch):
    """JAX_PLATFORMS picks the backend, which the key holds itself: where JAX runs on the CPU anyway,
    `JAX_PLATFORMS=cpu` (as CI sets it) and no setting at all are the same run."""
    if not cache.jax_backend().startswith("cpu"):
        pytest.skip("this machine's JAX backend is not the CPU: JAX_PLATFORMS=cpu would change it")
    if os.environ.get("JAX_PLATFORMS"):
        monkeypatch.delenv("JAX_PLATFORMS")
    else:
        monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    assert _executed(run_profile(library_project, "quick")) == set()

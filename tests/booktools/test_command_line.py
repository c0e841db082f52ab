"""``python -m booktools``: exit statuses and the messages of usage errors."""

import subprocess
import sys
from pathlib import Path

import pytest

from booktools.cli import main
from booktools.pipeline import paths

FIRST = "book/part1/01_first.ipynb"


def test_list_prints_the_chapters(project: Path, book, capsys):
    assert main(["--root", str(project), "list"]) == 0
    assert capsys.readouterr().out.split() == book.CHAPTERS


def test_an_unknown_profile_exits_2_and_lists_the_profiles(project: Path, capsys):
    assert main(["--root", str(project), "run", "--profile", "paper"]) == 2
    assert "unknown profile 'paper'; the profiles are: full, quick" in capsys.readouterr().err


def test_an_unknown_chapter_exits_2_and_lists_the_chapters(project: Path, capsys):
    assert main(["--root", str(project), "run", "--chapter", "book/part9/x.ipynb"]) == 2
    assert FIRST in capsys.readouterr().err


def test_a_failed_chapter_makes_the_run_exit_1(project: Path, fake_papermill):
    fake_papermill.fail_on = {"02_second"}
    assert main(["--root", str(project), "run"]) == 1
    assert main(["--root", str(project), "run", "--chapter", FIRST]) == 0


def test_the_root_is_found_from_a_subfolder(project: Path, fake_papermill, monkeypatch):
    monkeypatch.chdir(project / "book/part1")
    assert main(["run", "--chapter", "01_first.ipynb"]) == 0
    assert paths.executed_notebook(project, "quick", FIRST).is_file()


def test_clean_removes_one_run_or_everything_and_says_so(project: Path, fake_papermill, capsys):
    main(["--root", str(project), "run"])
    main(["--root", str(project), "run", "--profile", "full"])
    capsys.readouterr()
    assert main(["--root", str(project), "clean", "--profile", "full"]) == 0
    assert capsys.readouterr().out == "removed _build/runs/full\n"
    assert paths.run_dir(project, "quick").is_dir() and not paths.run_dir(project, "full").exists()
    assert main(["--root", str(project), "clean"]) == 0
    assert capsys.readouterr().out == "removed _build/runs\n"
    assert [entry.name for entry in paths.build_dir(project).iterdir()] == ["locks"]  # lock files only
    assert main(["--root", str(project), "clean"]) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_clean_of_a_run_that_does_not_exist_says_there_is_nothing(project: Path, capsys):
    assert main(["--root", str(project), "clean"]) == 0
    assert capsys.readouterr().out == "nothing to remove: _build does not exist\n"
    assert main(["--root", str(project), "clean", "--profile", "full"]) == 0
    assert capsys.readouterr().out == "nothing to remove: _build/runs/full does not exist\n"


@pytest.mark.parametrize("name", ["../..", "..", ".", "nosuch", "../runs/quick", "quick/..", str(Path("/tmp")), ""])
def test_clean_with_a_bad_profile_name_deletes_nothing(project: Path, fake_papermill, capsys, name: str):
    main(["--root", str(project), "run"])
    before = sorted(project.rglob("*"))
    capsys.readouterr()
    assert main(["--root", str(project), "clean", "--profile", name]) == 2
    assert f"unknown profile {name!r}; clean --profile takes one of: full, quick" in capsys.readouterr().err
    assert sorted(project.rglob("*")) == before


def test_clean_accepts_a_run_whose_profile_file_is_gone(project: Path, fake_papermill, capsys):
    main(["--root", str(project), "run", "--profile", "full"])
    (project / "book/profiles/full.yml").unlink()
    assert main(["--root", str(project), "clean", "--profile", "full"]) == 0
    assert not paths.run_dir(project, "full").exists()


def test_run_with_a_profile_path_is_refused_before_anything_is_written(project: Path, capsys):
    assert main(["--root", str(project), "run", "--profile", "../../x"]) == 2
    assert "unknown profile '../../x'" in capsys.readouterr().err
    assert not paths.build_dir(project).exists()


def test_python_dash_m_runs_the_cli(project: Path):
    listing = subprocess.run([sys.executable, "-m", "booktools", "--root", str(project), "list"],
                             capture_output=True, text=True, check=True)
    assert listing.stdout.split()[0] == FIRST

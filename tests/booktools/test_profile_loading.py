"""Loading profiles (per-chapter parameter overrides) and the parameters papermill injects."""

from pathlib import Path

import pytest

from booktools import BooktoolsError
from booktools.chapters import list_chapters
from booktools.profiles import available_profiles, chapter_parameters, load_profile, unknown_chapters

REPOSITORY = Path(__file__).resolve().parents[2]
FIRST = "book/part1/01_first.ipynb"  # a chapter of the fake book (see conftest.py)


def test_profiles_are_the_yaml_files_of_book_profiles(project: Path):
    assert available_profiles(project) == ["full", "quick"]


def test_quick_has_no_overrides_and_full_has_some(project: Path):
    assert load_profile(project, "quick") == {}
    assert load_profile(project, "full") == {FIRST: {"steps": 7}}


def test_injected_parameters_always_name_the_profile(project: Path):
    full = load_profile(project, "full")
    assert chapter_parameters("full", full, FIRST) == {"profile": "full", "steps": 7}
    assert chapter_parameters("full", full, "book/part1/02_second.ipynb") == {"profile": "full"}


def test_an_unknown_profile_lists_the_known_ones(project: Path):
    with pytest.raises(BooktoolsError, match=r"unknown profile 'paper'; the profiles are: full, quick"):
        load_profile(project, "paper")


@pytest.mark.parametrize("text, problem", [
    ("- a\n- b\n", "expected a mapping"),
    (f"{FIRST}: 3\n", "must map a chapter path to a mapping"),
    (f"{FIRST}:\n  not-a-name: 1\n", "Python identifiers"),
    (f"{FIRST}: [unclosed\n", "not valid YAML"),
])
def test_a_malformed_profile_says_what_is_wrong(project: Path, text: str, problem: str):
    (project / "book/profiles/bad.yml").write_text(text)
    with pytest.raises(BooktoolsError, match=problem):
        load_profile(project, "bad")


def test_an_empty_file_is_an_empty_profile(project: Path):
    (project / "book/profiles/empty.yml").write_text("# nothing yet\n")
    assert load_profile(project, "empty") == {}


def test_overrides_of_chapters_that_are_not_in_the_toc_are_found(project: Path, book):
    overrides = {FIRST: {"steps": 1}, "book/part1/renamed.ipynb": {"steps": 2}}
    assert unknown_chapters(overrides, book.CHAPTERS) == ["book/part1/renamed.ipynb"]


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_repository_profiles_are_valid_and_name_only_chapters_of_the_toc(profile: str):
    overrides = load_profile(REPOSITORY, profile)
    assert unknown_chapters(overrides, list_chapters(REPOSITORY)) == []

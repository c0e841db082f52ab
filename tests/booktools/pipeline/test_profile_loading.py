"""Loading profiles (per-chapter parameter overrides) and the parameters papermill injects."""

from pathlib import Path

import pytest

from booktools import BooktoolsError
from booktools.pipeline.profiles import available_profiles, chapter_parameters, load_profile, parameters_cell

REPOSITORY = Path(__file__).resolve().parents[3]
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


def test_a_chapter_that_is_not_in_the_toc_is_an_error_naming_the_closest(project: Path):
    (project / "book/profiles/bad.yml").write_text("book/part1/01_frist.ipynb:\n  steps: 2\n")
    with pytest.raises(BooktoolsError, match=r"'book/part1/01_frist.ipynb' is not a chapter of _toc.yml "
                                             r"\(did you mean 'book/part1/01_first.ipynb'"):
        load_profile(project, "bad")


def test_an_unknown_parameter_names_the_chapter_the_key_and_the_closest(project: Path):
    (project / "book/profiles/bad.yml").write_text(f"{FIRST}:\n  step: 2\n")
    with pytest.raises(BooktoolsError, match=rf"{FIRST}: unknown parameter 'step' \(did you mean 'steps'\?\); "
                                             r"the parameters are: seed, profile, steps"):
        load_profile(project, "bad")


@pytest.mark.parametrize("value, problem", [
    ("2.5", r"expected an integer, got 2.5 \(a float\)"),
    ("true", r"expected an integer, got True \(a bool\)"),
    ("'3'", r"expected an integer, got '3' \(a str\)"),
    ("[3]", r"expected an integer, got \[3\] \(a list\)"),
])
def test_a_value_of_the_wrong_type_is_an_error(project: Path, value: str, problem: str):
    (project / "book/profiles/bad.yml").write_text(f"{FIRST}:\n  steps: {value}\n")
    with pytest.raises(BooktoolsError, match=rf"{FIRST}: parameter 'steps': {problem}"):
        load_profile(project, "bad")


def _write_parameters(project: Path, book, source: str) -> None:
    notebook = book.chapter_notebook("01_first")
    notebook.cells[1].source = source
    book.write_notebook(project / FIRST, notebook)


@pytest.mark.parametrize("default, value, accepted", [
    ("0.5", "1", True), ("0.5", "1.0e-3", True), ("0.5", "true", False), ("0.5", "1e-3", False),
    ("'adam'", "sgd", True), ("'adam'", "3", False),
    ("False", "true", True), ("False", "1", False),
    ("[0.1, 1]", "[1, 2.5]", True), ("(0.1, 1.0)", "[1, 2]", True), ("[0.1]", "0.1", False),
    ("[1, 2]", "[1.5]", False), ("[0.1]", "[true]", False),
    ("None", "anything", True), ("compute()", "[1]", True),
])
def test_types_follow_the_default_of_the_parameters_cell(project: Path, book, default, value, accepted):
    _write_parameters(project, book, f"steps = 3\nrate = {default}  # γ = ⟨u₁, u₂⟩\n")
    (project / "book/profiles/typed.yml").write_text(f"{FIRST}:\n  rate: {value}\n")
    if accepted:
        assert load_profile(project, "typed")[FIRST]["rate"] is not None
    else:
        with pytest.raises(BooktoolsError, match="parameter 'rate': (item 0: )?expected"):
            load_profile(project, "typed")


def test_the_parameters_cell_is_read_with_ast_whatever_its_comments(project: Path, book):
    _write_parameters(project, book, 'seed = 0\ninner = 0.3  # γ = ⟨u₁, u₂⟩\nrates = (1e-2, 1e1)  # η\n'
                                     'width: int = 16\nlabel = f"{seed}"\n')
    defaults = parameters_cell(project / FIRST)
    assert list(defaults) == ["seed", "inner", "rates", "width", "label"]
    assert defaults["inner"] == 0.3 and defaults["rates"] == (0.01, 10.0) and defaults["width"] == 16


@pytest.mark.parametrize("name", ["../..", "..", "../profiles/quick", "/etc/passwd", "", "quick/"])
def test_a_profile_name_must_be_one_of_the_profile_files(project: Path, name: str):
    with pytest.raises(BooktoolsError, match="the profiles are: full, quick"):
        load_profile(project, name)


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_repository_profiles_match_the_chapters_parameters_cells(profile: str):
    overrides = load_profile(REPOSITORY, profile)  # raises on any unknown chapter, name or type
    assert profile == "quick" or len(overrides) == 12

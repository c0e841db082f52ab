"""From instructor notebooks to student versions and the autograder bundle (``make assignments``)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from booktools.coursework import assignments

REPOSITORY = Path(__file__).resolve().parents[2]
INSTRUCTOR_NOTEBOOKS = assignments.find_instructor_notebooks(REPOSITORY)


def notebook(*sources: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(s[3:]) if s.startswith("md:") else nbformat.v4.new_code_cell(s)
             for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def write(tmp_path: Path, book: nbformat.NotebookNode, name: str = "hw.ipynb") -> Path:
    path = tmp_path / name
    nbformat.write(book, path)
    return path


def test_solutions_become_stubs_at_their_indentation_and_hidden_tests_and_rubrics_disappear(tmp_path):
    path = write(tmp_path, notebook(
        "def f(x):\n    y = 2\n    # BEGIN SOLUTION\n    return x * y\n    # END SOLUTION\n",
        "# TEST q-f (2 points)\none = f(1)\n# CHECK\nassert one == 2\n# BEGIN HIDDEN TESTS (1 point)\nthree = f(3)\n"
        "# CHECK\nassert three == 6\n# END HIDDEN TESTS",
        "md:Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->",
        "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
        "md:<!-- WRITTEN w-why (3 points) -->\nWhy is f linear?",
        "md:<!-- ANSWER w-why -->\n<!-- BEGIN SOLUTION -->\nIt scales.\n<!-- END SOLUTION -->\n"
        "<!-- BEGIN RUBRIC -->\n- 3 points: scaling\n<!-- END RUBRIC -->"))
    assignment = assignments.make_assignment(path)
    code, test, markdown, answer, _, answer_cell = (cell.source for cell in assignment.student.cells)
    assert code == f"def f(x):\n    y = 2\n    {assignments.STUB}"
    assert test == "# TEST q-f (2 points)\none = f(1)\n# CHECK\nassert one == 2"
    assert markdown == f"Why?\n{assignments.ANSWER_STUB}"
    assert answer == assignments.STUB
    assert answer_cell == f"<!-- ANSWER w-why -->\n{assignments.ANSWER_STUB}", "no model answer, no rubric"
    [question] = assignment.questions
    assert (question.id, question.points) == ("q-f", 2.0)
    assert [(p.kind, p.points, p.probe, p.check) for p in question.parts] == [
        ("visible", 1.0, "one = f(1)", "assert one == 2"), ("hidden", 1.0, "three = f(3)", "assert three == 6")]
    assert [(w.id, w.points, w.prompt, w.rubric) for w in assignment.written] == [
        ("w-why", 3.0, "Why is f linear?", "- 3 points: scaling")]
    assert assignment.student.metadata["assignment"] == {"name": "hw", "version": "student", "points": 2.0,
                                                         "written_points": 3.0}
    assert json.loads(assignment.tests_json())["format"] == 2


@pytest.mark.parametrize("source, parts", [
    ("# TEST q (3 points)\nx = 1\n# CHECK\nassert x == 1", [("visible", 3.0)]),
    ("# TEST q (3 points)\nx = 1\n# CHECK\nassert x\n# BEGIN HIDDEN TESTS\ny = 2\n# CHECK\nassert y\n# END HIDDEN TESTS",
     [("visible", None), ("hidden", None)]),  # all or nothing
    ("# TEST q (3 points)\n# BEGIN HIDDEN TESTS (1 point)\ny = 2\n# CHECK\nassert y\n# END HIDDEN TESTS",
     [("hidden", 3.0)]),  # no visible part: the hidden one carries the question
])
def test_points_are_shared_between_the_visible_and_the_hidden_part(tmp_path, source, parts):
    [question] = assignments.make_assignment(write(tmp_path, notebook(source))).questions
    assert [(p.kind, p.points) for p in question.parts] == parts


def test_student_cells_have_no_outputs(tmp_path):
    book = notebook("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "# TEST q (1 point)\ny = x\n# CHECK\nassert y == 1")
    book.cells[0].outputs = [nbformat.v4.new_output("stream", text="secret solution output")]
    book.cells[0].execution_count = 3
    student = assignments.make_assignment(write(tmp_path, book)).student
    assert all(cell.outputs == [] and cell.execution_count is None for cell in student.cells)


CHECKED = "# TEST q (1 point)\ny = 1\n# CHECK\nassert y"


@pytest.mark.parametrize("sources, message", [
    (("# BEGIN SOLUTION\nx = 1", CHECKED), "hw.ipynb, cell 1, line 1: '# BEGIN SOLUTION' is never closed"),
    (("x = 1\n# END SOLUTION", CHECKED), "hw.ipynb, cell 1, line 2: '# END SOLUTION' closes no open region"),
    (("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION",), "cell 1, line 2: a region opened on line 1 is not closed yet"),
    (("x = 1",), "no test cell"),
    ((CHECKED, CHECKED.replace("1 point", "2 points")), "question id 'q' is used twice"),
    (("# TEST q (1 point)\ny = 1\nassert y",), "the probe needs a '# CHECK' line"),
    (("# TEST q (1 point)\ny = 1\n# BEGIN HIDDEN TESTS\nz = 1\n# CHECK\nassert z\n# END HIDDEN TESTS",),
     "the visible tests need a '# CHECK' line before the hidden tests"),
    (("# TEST q (1 point)\ny = 1\n# CHECK\nassert y\n# BEGIN HIDDEN TESTS\nz = 1\n# END HIDDEN TESTS",),
     "the hidden tests need a '# CHECK' line"),
    ((("# TEST q (1 point)\ny = 1\n# CHECK\nassert y\n# BEGIN HIDDEN TESTS (2 points)\nz = 1\n# CHECK\nassert z\n"
       "# END HIDDEN TESTS"),), "the hidden tests carry 2 points of the question's 1"),
    ((CHECKED, "md:<!-- WRITTEN w (2 points) -->\nWhy?"), "needs exactly one '<!-- ANSWER w -->' cell, found 0"),
])
def test_malformed_instructor_notebooks_are_refused_with_where_and_why(tmp_path, sources, message):
    with pytest.raises(assignments.MarkerError, match=re.escape(message)):
        assignments.make_assignment(write(tmp_path, notebook(*sources)))


def test_a_test_cell_that_does_not_compile_is_the_instructors_error(tmp_path):
    with pytest.raises(SyntaxError):
        assignments.make_assignment(write(tmp_path, notebook("# TEST q (1 point)\nx = 1\n# CHECK\nassert (")))


def test_there_are_at_least_three_assignments():
    assert len(INSTRUCTOR_NOTEBOOKS) >= 3, INSTRUCTOR_NOTEBOOKS


@pytest.mark.parametrize("path", INSTRUCTOR_NOTEBOOKS, ids=lambda p: p.stem)
def test_student_versions_keep_no_solution_and_still_compile(path: Path):
    assignment = assignments.make_assignment(path)
    instructor = nbformat.read(path, as_version=4)
    student_text = _normalized("\n".join(cell.source for cell in assignment.student.cells))
    regions = [region for cell in instructor.cells for region in _regions(cell.source)]
    assert regions, "an instructor notebook has solution regions"
    # A hidden check may repeat a line the students are given (a call it needs): not a leak.
    public = _normalized("\n".join(_outside_regions(cell.source) for cell in instructor.cells))
    leaked = [region for region in regions if _normalized(region) in student_text and _normalized(region) not in public]
    assert leaked == [], f"solution or hidden-test code left in the student version: {leaked[:2]}"
    for cell in assignment.student.cells:
        if cell.cell_type == "code":
            compile(cell.source, f"{path.name} student cell", "exec")
    assert 3 <= len(assignment.questions) <= 5 and assignment.written, "3-5 autograded and 1+ written questions"


def _normalized(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _regions(source: str, kinds: str = "SOLUTION|RUBRIC|HIDDEN TESTS?") -> list[str]:
    """The text inside each solution, rubric and hidden-test region (markers excluded), one string a region."""
    regions, current = [], None
    for line in source.splitlines():
        if re.match(rf"\s*(#+|<!--)\s*BEGIN ({kinds})\b.*$", line):
            current = []
        elif re.match(rf"\s*(#+|<!--)\s*END ({kinds})\b.*$", line):
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return [region for region in regions if region.strip()]


def _outside_regions(source: str) -> str:
    """The text of a cell outside its solution, rubric and hidden-test regions: what students are given."""
    kept, inside = [], False
    for line in source.splitlines():
        if re.match(r"\s*(#+|<!--)\s*BEGIN (SOLUTION|RUBRIC|HIDDEN TESTS?)\b.*$", line):
            inside = True
        elif re.match(r"\s*(#+|<!--)\s*END (SOLUTION|RUBRIC|HIDDEN TESTS?)\b.*$", line):
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def test_make_assignments_writes_student_notebooks_and_a_solution_free_autograder(built_assignments: Path):
    names = sorted(path.stem for path in INSTRUCTOR_NOTEBOOKS)
    assert sorted(p.stem for p in (built_assignments / "student").glob("*.ipynb")) == names
    autograder = built_assignments / "autograder"
    assert (autograder / "grade.py").is_file() and (autograder / "README.md").is_file()
    assert autograder.stat().st_mode & 0o077 == 0
    for path in INSTRUCTOR_NOTEBOOKS:
        tests_file = autograder / path.stem / "tests.json"
        assert tests_file.stat().st_mode & 0o077 == 0, "the hidden tests are readable by their owner only"
        tests = json.loads(tests_file.read_text())
        assert tests["assignment"] == path.stem and tests["questions"] and tests["written"]
        bundle_text = _normalized("\n".join([part["probe"] + "\n" + part["check"] for q in tests["questions"]
                                             for part in q["parts"]] + [w["rubric"] for w in tests["written"]]))
        instructor = nbformat.read(path, as_version=4)
        solutions = [region for cell in instructor.cells if not cell.source.lstrip().startswith("# TEST")
                     for region in _regions(cell.source, kinds="SOLUTION")]
        assert not [region for region in solutions if _normalized(region) in bundle_text], \
            f"{path.stem}: the autograder bundle contains solution code"
    files = sorted(p.relative_to(built_assignments).as_posix() for p in built_assignments.rglob("*") if p.is_file())
    assert not [f for f in files if f.endswith(".ipynb") and not f.startswith("student/")], files


def test_the_staged_site_has_the_student_pages_and_no_solution_hidden_test_or_rubric(tmp_path):
    """``booktools build`` stages the site through ``stage_site``: the staged copy of the repository's book
    holds each assignment's student version as a page, and not one line of a solution, a hidden test or a
    rubric, in any file."""
    from booktools.pipeline import paths
    from booktools.pipeline.stage import stage_site

    root = tmp_path / "repo"
    root.mkdir()
    for name in ("_toc.yml", "_config.yml", "book", "src"):
        source = REPOSITORY / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    stage_site(root, "quick")
    site = paths.site_dir(root, "quick")
    names = sorted(path.stem for path in INSTRUCTOR_NOTEBOOKS)
    staged = sorted(path.name for path in (site / "book" / "assignments").glob("*.ipynb"))
    assert staged == [f"{name}_student.ipynb" for name in names], "student pages only"
    toc = yaml.safe_load((site / "_toc.yml").read_text())
    coursework = next(c for part in toc["parts"] for c in part["chapters"] if c["file"] == "book/assignments/index")
    assert coursework["sections"] == [{"file": f"book/assignments/{name}_student"} for name in names]
    for name in names:
        page = nbformat.read(site / "book" / "assignments" / f"{name}_student.ipynb", as_version=4)
        links = page.cells[1].source
        assert f"{{download}}`Download the notebook <{name}_student.ipynb>`" in links
        assert "https://colab.research.google.com/github/optimize-and-learn/optimize-and-learn/blob/gh-pages/" in links
    secrets = []
    for path in INSTRUCTOR_NOTEBOOKS:
        instructor = nbformat.read(path, as_version=4)
        regions = [region for cell in instructor.cells for region in _regions(cell.source)]
        # A hidden check may repeat a line the students are given (a helper it needs): not a secret.
        public = _normalized("\n".join(_outside_regions(cell.source) for cell in instructor.cells))
        secrets += [region for region in regions if _normalized(region) not in public]
    assert len(secrets) >= 3 * len(INSTRUCTOR_NOTEBOOKS)
    texts = {file: _normalized(file.read_text(errors="replace")) for file in site.rglob("*")
             if file.is_file() and file.suffix in {".ipynb", ".md", ".yml", ".txt", ".html", ".json", ".py"}}
    # In the staged .ipynb the text sits in JSON strings: compare the notebooks' cell sources.
    for file in site.rglob("*.ipynb"):
        texts[file] = _normalized("\n".join(cell.source for cell in nbformat.read(file, as_version=4).cells))
    leaks = [(file.name, secret[:60]) for secret in map(_normalized, secrets) for file, text in texts.items()
             if len(secret) > 20 and secret in text]
    assert leaks == []

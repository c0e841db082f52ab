"""From instructor notebooks to student versions and the autograder bundle (``make assignments``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from booktools import assignments

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


def test_solutions_become_stubs_at_their_indentation_and_hidden_tests_disappear(tmp_path):
    path = write(tmp_path, notebook(
        "def f(x):\n    y = 2\n    # BEGIN SOLUTION\n    return x * y\n    # END SOLUTION\n",
        "# TEST q-f (2 points)\nassert f(1) == 2\n# BEGIN HIDDEN TESTS\nassert f(3) == 6\n# END HIDDEN TESTS\nprint('done')",
        "md:Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->",
        "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"))
    assignment = assignments.make_assignment(path)
    code, test, markdown, answer = (cell.source for cell in assignment.student.cells)
    assert code == f"def f(x):\n    y = 2\n    {assignments.STUB}"
    assert test == "# TEST q-f (2 points)\nassert f(1) == 2\nprint('done')"
    assert markdown == f"Why?\n{assignments.ANSWER_STUB}"
    assert answer == assignments.STUB
    assert [(q.id, q.points) for q in assignment.questions] == [("q-f", 2.0)]
    assert "assert f(3) == 6" in assignment.questions[0].source, "the autograder keeps the hidden tests"
    assert assignment.student.metadata["assignment"] == {"name": "hw", "version": "student", "points": 2.0}


def test_student_cells_have_no_outputs(tmp_path):
    book = notebook("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "# TEST q (1 point)\nassert x == 1")
    book.cells[0].outputs = [nbformat.v4.new_output("stream", text="secret solution output")]
    book.cells[0].execution_count = 3
    student = assignments.make_assignment(write(tmp_path, book)).student
    assert all(cell.outputs == [] and cell.execution_count is None for cell in student.cells)


@pytest.mark.parametrize("sources, message", [
    (("# BEGIN SOLUTION\nx = 1", "# TEST q (1 point)\npass"), "hw.ipynb, cell 1, line 1: '# BEGIN SOLUTION' is never closed"),
    (("x = 1\n# END SOLUTION", "# TEST q (1 point)\npass"), "hw.ipynb, cell 1, line 2: '# END SOLUTION' closes no open region"),
    (("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION",), "cell 1, line 2: a region opened on line 1 is not closed yet"),
    (("x = 1",), "no test cell"),
    (("# TEST q (1 point)\npass", "# TEST q (2 points)\npass"), "question id 'q' is used twice"),
])
def test_malformed_instructor_notebooks_are_refused_with_where_and_why(tmp_path, sources, message):
    with pytest.raises(assignments.MarkerError, match=re.escape(message)):
        assignments.make_assignment(write(tmp_path, notebook(*sources)))


def test_a_test_cell_that_does_not_compile_is_the_instructors_error(tmp_path):
    with pytest.raises(SyntaxError):
        assignments.make_assignment(write(tmp_path, notebook("# TEST q (1 point)\nassert (")))


def test_there_are_at_least_three_assignments():
    assert len(INSTRUCTOR_NOTEBOOKS) >= 3, INSTRUCTOR_NOTEBOOKS


@pytest.mark.parametrize("path", INSTRUCTOR_NOTEBOOKS, ids=lambda p: p.stem)
def test_student_versions_keep_no_solution_and_still_compile(path: Path):
    assignment = assignments.make_assignment(path)
    instructor = nbformat.read(path, as_version=4)
    student_text = _normalized("\n".join(cell.source for cell in assignment.student.cells))
    regions = [region for cell in instructor.cells for region in _regions(cell.source)]
    assert regions, "an instructor notebook has solution regions"
    leaked = [region for region in regions if _normalized(region) in student_text]
    assert leaked == [], f"solution or hidden-test code left in the student version: {leaked[:2]}"
    for cell in assignment.student.cells:
        if cell.cell_type == "code":
            compile(cell.source, f"{path.name} student cell", "exec")
    assert sum(q.points for q in assignment.questions) == 10


def _normalized(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _regions(source: str) -> list[str]:
    """The code inside each solution and hidden-test region (markers excluded), one string a region."""
    regions, current = [], None
    for line in source.splitlines():
        if re.match(r"\s*#+\s*BEGIN (SOLUTION|HIDDEN TESTS?)\s*$", line):
            current = []
        elif re.match(r"\s*#+\s*END (SOLUTION|HIDDEN TESTS?)\s*$", line):
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return [region for region in regions if region.strip()]


def test_make_assignments_writes_student_notebooks_and_a_solution_free_autograder(built_assignments: Path):
    names = sorted(path.stem for path in INSTRUCTOR_NOTEBOOKS)
    assert sorted(p.stem for p in (built_assignments / "student").glob("*.ipynb")) == names
    autograder = built_assignments / "autograder"
    assert (autograder / "grade.py").is_file() and (autograder / "README.md").is_file()
    for path in INSTRUCTOR_NOTEBOOKS:
        tests = json.loads((autograder / path.stem / "tests.json").read_text())
        assert tests["assignment"] == path.stem and tests["questions"]
        bundle_text = _normalized("\n".join(q["source"] for q in tests["questions"]))
        instructor = nbformat.read(path, as_version=4)
        solutions = [region for cell in instructor.cells if not cell.source.lstrip().startswith("# TEST")
                     for region in _regions(cell.source)]
        assert not [region for region in solutions if _normalized(region) in bundle_text], \
            f"{path.stem}: the autograder bundle contains solution code"
    files = sorted(p.relative_to(built_assignments).as_posix() for p in built_assignments.rglob("*") if p.is_file())
    assert not [f for f in files if f.endswith(".ipynb") and not f.startswith("student/")], files

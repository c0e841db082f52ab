"""Coursework: from instructor notebooks to student notebooks and an autograder (``make assignments``).

An instructor notebook (``book/assignments/*.ipynb``) is a complete, runnable solution. It marks:

Solution regions, in code cells::

    def extragradient(learning_rate):
        # BEGIN SOLUTION
        ...the instructor's code...
        # END SOLUTION

  In the student version the region becomes ``raise NotImplementedError("...")`` at the indentation
  of the ``# BEGIN SOLUTION`` line. In markdown cells, ``<!-- BEGIN SOLUTION -->`` ...
  ``<!-- END SOLUTION -->`` becomes "*Your answer here.*".

Test cells, whose first line names the question and its points::

    # TEST q1-extragradient (3 points)
    assert ...                       # visible: the student sees and can run these
    # BEGIN HIDDEN TESTS
    assert ...                       # hidden: removed from the student version
    # END HIDDEN TESTS

The autograder runs the *full* test cells (visible and hidden) of the instructor notebook against the
student's code; the tests in the submitted notebook are ignored, so editing them changes nothing.

``make assignments`` writes, under ``_build/assignments/``::

    student/<name>.ipynb             solutions replaced by stubs, hidden tests removed, outputs cleared
    autograder/<name>/tests.json     each question's tests and points (no solution code)
    autograder/grade.py              the grader (booktools/grading.py, standard library only)
    autograder/README.md             how to grade a submission
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from booktools import grading
from booktools.errors import BooktoolsError

ASSIGNMENTS_DIR = "book/assignments"
OUTPUT_DIR = "_build/assignments"
BEGIN_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*BEGIN SOLUTION[ \t]*$")
END_SOLUTION = re.compile(r"^[ \t]*#+[ \t]*END SOLUTION[ \t]*$")
BEGIN_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS?[ \t]*$")
END_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*END HIDDEN TESTS?[ \t]*$")
BEGIN_ANSWER = re.compile(r"^[ \t]*<!--[ \t]*BEGIN SOLUTION[ \t]*-->[ \t]*$")
END_ANSWER = re.compile(r"^[ \t]*<!--[ \t]*END SOLUTION[ \t]*-->[ \t]*$")
STUB = 'raise NotImplementedError("replace this line with your solution")'
ANSWER_STUB = "*Your answer here.*"


class MarkerError(BooktoolsError):
    """An instructor notebook whose markers do not pair up; the message names the notebook and cell."""


@dataclass
class Assignment:
    """An instructor notebook, its student version and its questions."""

    name: str
    student: nbformat.NotebookNode
    questions: list[grading.Question]


def find_instructor_notebooks(root: Path) -> list[Path]:
    """The instructor notebooks: ``book/assignments/*.ipynb`` (not ``_*.ipynb`` drafts), sorted."""
    folder = Path(root) / ASSIGNMENTS_DIR
    return sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith("_"))


def replace_regions(lines: list[str], begin: re.Pattern, end: re.Pattern, replacement, where: str) -> list[str]:
    """Replace every ``begin`` ... ``end`` region (markers included) by ``replacement(begin_match)``.

    ``replacement`` returns the lines to put instead (possibly none). Unpaired or nested markers raise
    :class:`MarkerError` naming ``where`` and the line.
    """
    out, opened = [], None
    for number, line in enumerate(lines, start=1):
        if begin.match(line):
            if opened is not None:
                raise MarkerError(f"{where}, line {number}: a region opened on line {opened[0]} is not closed yet")
            opened = (number, begin.match(line))
        elif end.match(line):
            if opened is None:
                raise MarkerError(f"{where}, line {number}: {line.strip()!r} closes no open region")
            out.extend(replacement(opened[1]))
            opened = None
        elif opened is None:
            out.append(line)
    if opened is not None:
        raise MarkerError(f"{where}, line {opened[0]}: {lines[opened[0] - 1].strip()!r} is never closed")
    return out


def student_cell_source(cell: nbformat.NotebookNode, where: str) -> str:
    """The student version of one cell's source."""
    lines = cell.source.splitlines()
    if cell.cell_type == "code":
        lines = replace_regions(lines, BEGIN_SOLUTION, END_SOLUTION, lambda m: [m.group("indent") + STUB], where)
        lines = replace_regions(lines, BEGIN_HIDDEN, END_HIDDEN, lambda m: [], where)
    elif cell.cell_type == "markdown":
        lines = replace_regions(lines, BEGIN_ANSWER, END_ANSWER, lambda m: [ANSWER_STUB], where)
    return "\n".join(lines).rstrip()


def question_of(cell: nbformat.NotebookNode, where: str) -> grading.Question | None:
    """The question a test cell grades (its full source, hidden tests included), or None."""
    if cell.cell_type != "code":
        return None
    header = grading.TEST_HEADER.match(cell.source)
    if header is None:
        return None
    source = "\n".join(line for line in cell.source.splitlines()
                       if not (BEGIN_HIDDEN.match(line) or END_HIDDEN.match(line)))
    compile(source, where, "exec")  # a test that does not compile is the instructor's bug: fail now
    return grading.Question(header.group("id"), float(header.group("points")), source)


def make_assignment(path: Path) -> Assignment:
    """Read an instructor notebook; build its student version and collect its questions."""
    instructor = nbformat.read(path, as_version=4)
    student = nbformat.v4.new_notebook(metadata=dict(instructor.metadata))
    questions: list[grading.Question] = []
    for index, cell in enumerate(instructor.cells, start=1):
        where = f"{path.name}, cell {index}"
        question = question_of(cell, where)
        if question is not None:
            if any(q.id == question.id for q in questions):
                raise MarkerError(f"{where}: question id {question.id!r} is used twice")
            questions.append(question)
        source = student_cell_source(cell, where)
        if cell.cell_type == "code":
            student.cells.append(nbformat.v4.new_code_cell(source, metadata=_kept_metadata(cell)))
        else:
            student.cells.append(nbformat.v4.new_markdown_cell(source, metadata=_kept_metadata(cell)))
    if not questions:
        raise MarkerError(f"{path.name}: no test cell (a code cell starting with '# TEST <id> (<n> points)')")
    student.metadata["assignment"] = {"name": path.stem, "version": "student",
                                      "points": sum(q.points for q in questions)}
    return Assignment(path.stem, student, questions)


def _kept_metadata(cell: nbformat.NotebookNode) -> dict:
    """Tags survive (e.g. ``hide-input``); execution metadata and outputs do not."""
    tags = cell.get("metadata", {}).get("tags")
    return {"tags": list(tags)} if tags else {}


def build_assignments(root: Path, output: Path | None = None) -> list[Assignment]:
    """Write the student notebooks and the autograder of every assignment under ``_build/assignments``."""
    root = Path(root)
    output = Path(output) if output else root / OUTPUT_DIR
    notebooks = find_instructor_notebooks(root)
    if not notebooks:
        raise BooktoolsError(f"no instructor notebooks in {root / ASSIGNMENTS_DIR}")
    assignments = [make_assignment(path) for path in notebooks]  # all checked before anything is written
    if output.exists():
        shutil.rmtree(output)
    (output / "student").mkdir(parents=True)
    autograder = output / "autograder"
    for assignment in assignments:
        nbformat.write(assignment.student, output / "student" / f"{assignment.name}.ipynb")
        tests = autograder / assignment.name / "tests.json"
        tests.parent.mkdir(parents=True)
        tests.write_text(json.dumps({"assignment": assignment.name,
                                     "questions": [vars(q) for q in assignment.questions]}, indent=2) + "\n",
                         encoding="utf-8")
    shutil.copy2(grading.__file__, autograder / "grade.py")
    (autograder / "README.md").write_text(_autograder_readme(assignments), encoding="utf-8")
    return assignments


def _autograder_readme(assignments: list[Assignment]) -> str:
    listing = "\n".join(f"- `{a.name}`: " + ", ".join(f"{q.id} ({q.points:g})" for q in a.questions)
                        for a in assignments)
    return f"""# Autograder

Generated by `make assignments`; contains the tests (visible and hidden) and no solution.

    python grade.py SUBMISSION.ipynb --tests <assignment>/tests.json --out results/

writes `results/<submission>.json` and `.txt` (score and feedback per question). Run it with the
course's Python environment (the one the notebooks need). Limits: `--cell-time-limit`,
`--question-time-limit`, `--total-time-limit` (seconds).

Assignments and questions (points):

{listing}
"""


def report_built(assignments: list[Assignment], output: Path) -> None:
    for assignment in assignments:
        points = sum(q.points for q in assignment.questions)
        print(f"{assignment.name}: {len(assignment.questions)} questions, {points:g} points")
    print(f"student notebooks in {output / 'student'}, autograder in {output / 'autograder'}")

"""Coursework: from instructor notebooks to student notebooks and an autograder (``make assignments``).

An instructor notebook (``book/assignments/*.ipynb``) is a complete, runnable solution in the assignment
format version 2 (nbgrader/otter-style plain comments):

Solution regions, in code cells::

    def extragradient(learning_rate):
        # BEGIN SOLUTION
        ...the instructor's code...
        # END SOLUTION

  In the student version the region becomes ``raise NotImplementedError("...")`` at the indentation
  of the ``# BEGIN SOLUTION`` line. In markdown cells, ``<!-- BEGIN SOLUTION -->`` ...
  ``<!-- END SOLUTION -->`` becomes "*Your answer here.*".

Test cells, split into the *probe* (runs in the student's process, leaves plain data in variables) and
the *check* (runs in the grader's own process, on those values)::

    # TEST q1-extragradient (3 points)
    x1 = float(extragradient(0.5).step(...).x[0])          probe
    # CHECK
    assert abs(x1 - 0.75) < 1e-6, "one step from (1, 0)"   check
    # BEGIN HIDDEN TESTS (1 point)
    ...hidden probe...
    # CHECK
    ...hidden check...
    # END HIDDEN TESTS

  The visible part carries N - K points and the hidden part K, each all or nothing; without ``(K
  points)`` the question scores N only when both pass. The student version keeps the visible part.

Written questions, graded by hand: a markdown cell starting ``<!-- WRITTEN <id> (<n> points) -->``
(the question) and one starting ``<!-- ANSWER <id> -->`` (where the student writes; the instructor's
model answer is a solution region, and ``<!-- BEGIN RUBRIC -->`` ... ``<!-- END RUBRIC -->`` is removed
from the student version and copied to the grader's grading sheet).

``make assignments`` writes, under ``_build/assignments/``::

    student/<name>.ipynb             solutions replaced by stubs, hidden tests and rubrics removed, no outputs
    autograder/<name>/tests.json     each question's probes and checks, the written questions' rubrics
    autograder/grade.py              the grader (booktools/grading.py, standard library only)
    autograder/README.md             how to grade a folder of submissions

The autograder folder is readable by its owner only: it holds the hidden tests.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from booktools.coursework import grading
from booktools.errors import BooktoolsError

ASSIGNMENTS_DIR = "book/assignments"
OUTPUT_DIR = "_build/assignments"
BEGIN_SOLUTION = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*BEGIN SOLUTION[ \t]*$")
END_SOLUTION = re.compile(r"^[ \t]*#+[ \t]*END SOLUTION[ \t]*$")
BEGIN_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS?[ \t]*(?:\([ \t]*(?P<points>\d+(?:\.\d+)?)[ \t]*points?[ \t]*\))?[ \t]*$",
                          re.IGNORECASE)
END_HIDDEN = re.compile(r"^[ \t]*#+[ \t]*END HIDDEN TESTS?[ \t]*$")
BEGIN_ANSWER = re.compile(r"^[ \t]*<!--[ \t]*BEGIN SOLUTION[ \t]*-->[ \t]*$")
END_ANSWER = re.compile(r"^[ \t]*<!--[ \t]*END SOLUTION[ \t]*-->[ \t]*$")
BEGIN_RUBRIC = re.compile(r"^[ \t]*<!--[ \t]*BEGIN RUBRIC[ \t]*-->[ \t]*$")
END_RUBRIC = re.compile(r"^[ \t]*<!--[ \t]*END RUBRIC[ \t]*-->[ \t]*$")
CHECK = re.compile(r"^[ \t]*#[ \t]*CHECK[ \t]*$")
WRITTEN_HEADER = re.compile(r"^\s*<!--\s*WRITTEN\s+(?P<id>[\w.-]+)\s*\(\s*(?P<points>\d+(?:\.\d+)?)\s*points?\s*\)\s*-->")
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
    written: list[grading.Written]

    def tests_json(self) -> str:
        """The autograder's ``tests.json`` (format 2)."""
        return json.dumps({"format": 2, "assignment": self.name, "questions": [asdict(q) for q in self.questions],
                           "written": [asdict(w) for w in self.written]}, indent=2, ensure_ascii=False) + "\n"


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
        lines = replace_regions(lines, BEGIN_RUBRIC, END_RUBRIC, lambda m: [], where)
    return "\n".join(lines).rstrip()


def question_of(cell: nbformat.NotebookNode, where: str) -> grading.Question | None:
    """The question a test cell grades: its visible and hidden parts (probe and check each), or None."""
    if cell.cell_type != "code":
        return None
    header = grading.TEST_HEADER.match(cell.source)
    if header is None:
        return None
    question_id, points = header.group("id"), float(header.group("points"))
    sections, hidden_points = [[]], None  # visible probe, visible check, hidden probe, hidden check
    for number, line in enumerate(cell.source.splitlines()[1:], start=2):
        if CHECK.match(line):
            if len(sections) not in (1, 3):
                raise MarkerError(f"{where}, line {number}: a second '# CHECK' in the same part")
            sections.append([])
        elif BEGIN_HIDDEN.match(line):
            if len(sections) != 2 and not (len(sections) == 1 and not _code("\n".join(sections[0]))):
                raise MarkerError(f"{where}, line {number}: the visible tests need a '# CHECK' line before the "
                                  f"hidden tests")
            sections = sections + [[]] * (2 - len(sections))
            sections.append([])
            hidden_points = BEGIN_HIDDEN.match(line).group("points")
        elif END_HIDDEN.match(line):
            if len(sections) != 4:
                raise MarkerError(f"{where}, line {number}: the hidden tests need a '# CHECK' line")
            sections.append([])
        else:
            sections[-1].append(line)
    if len(sections) == 5 and _code("\n".join(sections[4])):
        raise MarkerError(f"{where}: code after '# END HIDDEN TESTS' (put it before the marker)")
    if len(sections) in (1, 3):
        raise MarkerError(f"{where}: the probe needs a '# CHECK' line after it (the check runs in the grader)")
    if len(sections) == 4:
        raise MarkerError(f"{where}: '# BEGIN HIDDEN TESTS' is never closed")
    probe, check, *hidden = ["\n".join(lines).strip("\n") for lines in sections[:4]]
    parts = []
    visible = bool(_code(probe) or _code(check))
    if hidden:
        hidden_share = float(hidden_points) if hidden_points is not None else None
        if hidden_share is not None and hidden_share > points:
            raise MarkerError(f"{where}: the hidden tests carry {hidden_share:g} points of the question's {points:g}")
        if not visible:
            hidden_share = points
        if visible:
            parts.append(grading.Part("visible", None if hidden_share is None else points - hidden_share, probe, check))
        parts.append(grading.Part("hidden", hidden_share, hidden[0], hidden[1]))
    else:
        parts.append(grading.Part("visible", points, probe, check))
    for part in parts:  # a test that does not compile is the instructor's bug: fail now
        compile(part.probe, f"{where} ({part.kind} probe)", "exec")
        compile(part.check, f"{where} ({part.kind} check)", "exec")
    return grading.Question(question_id, points, parts)


def _code(source: str) -> str:
    """The source without comments and blank lines (empty: no code)."""
    return "\n".join(line for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def written_of(cells: list[nbformat.NotebookNode], index: int, where: str) -> grading.Written | None:
    """The written question a ``<!-- WRITTEN <id> (<n> points) -->`` cell asks, with its answer cell's rubric."""
    cell = cells[index]
    header = WRITTEN_HEADER.match(cell.source) if cell.cell_type == "markdown" else None
    if header is None:
        return None
    question_id = header.group("id")
    answers = [c for c in cells if c.cell_type == "markdown" and c.source.strip()
               and grading.ANSWER_HEADER.match(c.source.splitlines()[0])
               and grading.ANSWER_HEADER.match(c.source.splitlines()[0]).group("id") == question_id]
    if len(answers) != 1:
        raise MarkerError(f"{where}: written question {question_id!r} needs exactly one '<!-- ANSWER "
                          f"{question_id} -->' cell, found {len(answers)}")
    rubric = _between(answers[0].source, BEGIN_RUBRIC, END_RUBRIC)
    prompt = "\n".join(cell.source.splitlines()[1:]).strip()
    return grading.Written(question_id, float(header.group("points")), prompt, rubric)


def _between(source: str, begin: re.Pattern, end: re.Pattern) -> str:
    lines, inside = [], False
    for line in source.splitlines():
        if begin.match(line):
            inside = True
        elif end.match(line):
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines).strip()


def make_assignment(path: Path) -> Assignment:
    """Read an instructor notebook; build its student version and collect its questions."""
    instructor = nbformat.read(path, as_version=4)
    student = nbformat.v4.new_notebook(metadata=dict(instructor.metadata))
    questions: list[grading.Question] = []
    written: list[grading.Written] = []
    for index, cell in enumerate(instructor.cells, start=1):
        where = f"{path.name}, cell {index}"
        question = question_of(cell, where) or written_of(instructor.cells, index - 1, where)
        if question is not None:
            if any(q.id == question.id for q in questions + written):
                raise MarkerError(f"{where}: question id {question.id!r} is used twice")
            (questions if isinstance(question, grading.Question) else written).append(question)
        source = student_cell_source(cell, where)
        if cell.cell_type == "code":
            student.cells.append(nbformat.v4.new_code_cell(source, metadata=_kept_metadata(cell)))
        else:
            student.cells.append(nbformat.v4.new_markdown_cell(source, metadata=_kept_metadata(cell)))
    if not questions:
        raise MarkerError(f"{path.name}: no test cell (a code cell starting with '# TEST <id> (<n> points)')")
    student.metadata["assignment"] = {"name": path.stem, "version": "student",
                                      "points": sum(q.points for q in questions),
                                      "written_points": sum(w.points for w in written)}
    return Assignment(path.stem, student, questions, written)


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
    autograder.mkdir(mode=0o700)  # the hidden tests: readable by their owner only
    for assignment in assignments:
        nbformat.write(assignment.student, output / "student" / f"{assignment.name}.ipynb")
        tests = autograder / assignment.name / "tests.json"
        tests.parent.mkdir(mode=0o700)
        tests.touch(mode=0o600)
        tests.write_text(assignment.tests_json(), encoding="utf-8")
    shutil.copy2(grading.__file__, autograder / "grade.py")
    (autograder / "README.md").write_text(_autograder_readme(assignments), encoding="utf-8")
    return assignments


STUDENT_PAGE_SUFFIX = "_student"
COURSEWORK_INDEX = f"{ASSIGNMENTS_DIR}/index"
# Where the published site (``ghp-import -n -p -f _build/html``) keeps a page's notebook: Colab opens it there.
COLAB_URL = "https://colab.research.google.com/github/{repository}/blob/gh-pages/_sources/{path}"


def stage_student_pages(root: Path, site: Path) -> list[Path]:
    """Put the student notebooks in the staged site, in place of the instructor ones, as pages of Coursework.

    ``site`` is a staged copy of the sources (see ``booktools.pipeline.stage``). Every notebook of its
    ``book/assignments`` (the instructor versions, drafts included) is deleted; each assignment's student
    version is written as ``book/assignments/<name>_student.ipynb`` — a path that does not exist in the
    repository, so the theme's launch buttons cannot lead to a solution — opening with a download and an
    Open-in-Colab link, and listed under the Coursework page in the staged ``_toc.yml``.
    """
    folder = Path(site) / ASSIGNMENTS_DIR
    for notebook in folder.glob("*.ipynb"):
        notebook.unlink()
    built = [make_assignment(path) for path in find_instructor_notebooks(root)]
    if not built:  # a book without coursework
        return []
    repository = _repository(Path(site) / "_config.yml")
    pages = []
    for assignment in built:
        page = folder / f"{assignment.name}{STUDENT_PAGE_SUFFIX}.ipynb"
        student = nbformat.from_dict(json.loads(nbformat.writes(assignment.student)))
        links = [f"{{download}}`Download the notebook <{page.name}>`"]
        if repository:
            links.append(f"[Open in Colab]({COLAB_URL.format(repository=repository, path=f'{ASSIGNMENTS_DIR}/{page.name}')})")
        student.cells.insert(1, nbformat.v4.new_markdown_cell(
            "**Student version.** " + " · ".join(links) + " — work in your own copy, then submit the .ipynb file."))
        nbformat.write(student, page)
        pages.append(page)
    _list_in_toc(Path(site) / "_toc.yml", [f"{ASSIGNMENTS_DIR}/{page.stem}" for page in pages])
    return pages


def _repository(config_path: Path) -> str:
    """``owner/name`` of the GitHub repository in ``_config.yml`` (empty when there is none)."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    url = ((config or {}).get("repository") or {}).get("url", "")
    match = re.match(r"https://github\.com/([^/]+/[^/]+?)/?$", url)
    return match.group(1) if match else ""


def _list_in_toc(toc_path: Path, files: list[str]) -> None:
    """Make ``files`` the sections of the Coursework index in the table of contents."""
    import yaml

    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    entries = [chapter for part in toc.get("parts", []) for chapter in part.get("chapters", [])]
    index = next((entry for entry in entries if entry.get("file") == COURSEWORK_INDEX), None)
    if index is None:
        raise BooktoolsError(f"{toc_path}: no chapter {COURSEWORK_INDEX!r} to list the student pages under")
    index["sections"] = [{"file": file} for file in files]
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _autograder_readme(assignments: list[Assignment]) -> str:
    listing = "\n".join(f"- `{a.name}`: " + ", ".join(
        [f"{q.id} ({q.points:g})" for q in a.questions] + [f"{w.id} (written, {w.points:g})" for w in a.written])
        for a in assignments)
    return f"""# Autograder

Generated by `make assignments`; contains the tests (visible and hidden) and no solution. Keep it
private: the hidden tests are in `<assignment>/tests.json`.

    python grade.py SUBMISSIONS/ --tests <assignment>/tests.json --out results/

grades every notebook of the folder (the student is the file name) and writes `results/gradebook.csv`,
`results/feedback/<student>.txt`, `results/results/<student>.json` (Gradescope's format) and
`results/grading_sheet.md` (the written answers with their rubric). Run it with the course's Python
environment (the one the notebooks need), as root in a container to get the full sandbox (a fresh
uid per submission, no network, the tests and other submissions out of sight). Limits:
`--time-limit` (per cell and per probe), `--total-time-limit`, `--memory-limit`; late work:
`--deadline ISO --late-penalty FRACTION_PER_DAY [--roster CSV]`. `python grade.py --help` for all.

Assignments and questions (points):

{listing}
"""


def report_built(assignments: list[Assignment], output: Path) -> None:
    for assignment in assignments:
        points = sum(q.points for q in assignment.questions)
        written = sum(w.points for w in assignment.written)
        print(f"{assignment.name}: {len(assignment.questions)} autograded questions ({points:g} points), "
              f"{len(assignment.written)} written ({written:g} points)")
    print(f"student notebooks in {output / 'student'}, autograder in {output / 'autograder'}")

"""The autograder on real and deliberately broken submissions: right scores, clear feedback, no crash;
and what an instructor gets from a folder of submissions (gradebook, feedback, Gradescope results)."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from booktools.coursework import assignments, grading

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
REPOSITORY = Path(__file__).resolve().parents[2]

TINY_SUBMISSIONS = sorted(p.name for p in SUBMISSIONS.glob("tiny_*.ipynb"))
REAL_SUBMISSIONS = sorted(p.name for p in SUBMISSIONS.glob("a[0-9]_*.ipynb"))
INSTRUCTOR_NOTEBOOKS = assignments.find_instructor_notebooks(REPOSITORY)


def check_report(report: grading.Report, expected: dict) -> None:
    """The report has the expected score, per-question status and feedback, notes and process count."""
    by_id = {q.id: q for q in report.questions}
    assert set(by_id) == set(expected["questions"]), "every question is reported, none is lost"
    for question_id, (status, feedback) in expected["questions"].items():
        result = by_id[question_id]
        assert (result.status, feedback in result.feedback) == (status, True), \
            f"{question_id}: {result.status}: {result.feedback!r}"
        if status == "passed":
            assert result.points == result.max_points
        elif status != "partial":
            assert result.points == 0.0
    assert report.score == expected["score"], grading.as_text(report)
    for note in expected.get("notes", []):
        assert any(note in line for line in report.notes), f"no note containing {note!r} in {report.notes}"
    if "processes" in expected:
        assert report.processes == expected["processes"]


@pytest.mark.parametrize("name", TINY_SUBMISSIONS)
def test_broken_submissions_of_the_tiny_assignment_get_the_expected_feedback(name, tiny_tests, expected_feedback,
                                                                              limits):
    started = time.monotonic()
    report = grading.grade(SUBMISSIONS / name, tiny_tests, limits["tiny"])
    check_report(report, expected_feedback[name])
    assert time.monotonic() - started < 60, "the time limits hold"


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_SUBMISSIONS)
def test_broken_submissions_of_real_assignments_get_the_expected_feedback(name, built_assignments, expected_feedback,
                                                                          limits):
    assignment = name.split("_", 1)[0]
    tests = next((built_assignments / "autograder").glob(f"{assignment}_*/tests.json"))
    check_report(grading.grade(SUBMISSIONS / name, tests, limits["real"]), expected_feedback[name])


def test_every_submission_file_has_an_expectation(expected_feedback):
    on_disk = {p.name for p in SUBMISSIONS.glob("*.ipynb")}
    assert on_disk == set(expected_feedback) - {"_about"}


@pytest.mark.slow
@pytest.mark.parametrize("path", INSTRUCTOR_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_instructor_solution_scores_full_marks_and_the_student_version_zero(path, built_assignments, limits):
    """Every assignment of book/assignments: the solution gets every point, the blank student version none,
    each graded in well under a minute of its own (the limit here is generous for a loaded machine)."""
    tests = built_assignments / "autograder" / path.stem / "tests.json"
    started = time.monotonic()
    solution = grading.grade(path, tests, limits["real"])
    assert solution.score == solution.max_score > 0, grading.as_text(solution)
    assert solution.notes == [], grading.as_text(solution)
    assert all(w.id in solution.answers and solution.answers[w.id] for w in grading.load_tests(tests).written)
    blank = grading.grade(built_assignments / "student" / f"{path.stem}.ipynb", tests, limits["real"])
    assert blank.score == 0 and blank.max_score == solution.max_score, grading.as_text(blank)
    assert "not-implemented" in {q.status for q in blank.questions}, grading.as_text(blank)
    assert all(text == "" for text in blank.answers.values()), "an untouched answer cell counts as no answer"
    assert time.monotonic() - started < 300


# --- what an instructor gets ---------------------------------------------------------------------------

def _tiny_variant(folder: Path, name: str, fibonacci: str | None = None) -> Path:
    """A copy of the tiny solution, optionally with another body for fibonacci, and a written answer."""
    book = nbformat.read(Path(__file__).parent / "fixtures" / "tiny_assignment.ipynb", as_version=4)
    for cell in book.cells:
        if fibonacci and cell.source.startswith("def fibonacci"):
            cell.source = f"def fibonacci(n):\n    {fibonacci}"
        if cell.source.startswith("<!-- ANSWER"):
            cell.source = f"<!-- ANSWER w1-fibonacci -->\nAnswer of {name}, with a comma, and a\nsecond line."
    path = folder / f"{name}.ipynb"
    nbformat.write(book, path)
    return path


def test_a_folder_is_graded_into_a_gradebook_feedback_gradescope_results_and_a_grading_sheet(tmp_path, tiny_tests,
                                                                                          limits):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    _tiny_variant(submissions, "ada")
    _tiny_variant(submissions, "bob", fibonacci="return 0")
    _tiny_variant(submissions, "cy", fibonacci="return 55")  # right on the visible test only
    spec = grading.load_tests(tiny_tests)
    out = tmp_path / "out"
    reports = grading.grade_all(grading.find_submissions([submissions]), spec, out, limits["tiny"])
    assert [(r.student, r.score) for r in reports] == [("ada", 6), ("bob", 3), ("cy", 5)]
    with open(out / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["ada", "bob", "cy"]
    assert [row["q2-fibonacci"] for row in rows] == ["3", "0", "2"], "partial credit: visible 2 + hidden 1"
    assert [row["total"] for row in rows] == ["6", "3", "5"]
    assert rows[0]["w1-fibonacci answer"] == "Answer of ada, with a comma, and a\nsecond line."
    assert rows[0]["w1-fibonacci score (of 2)"] == "", "written questions are scored by hand"
    feedback = (out / "feedback" / "cy.txt").read_text()
    assert "[2/3] q2-fibonacci: partial — visible tests passed; question q2-fibonacci: hidden test failed " \
           "(wrong value)" in feedback
    assert "832040" not in feedback and "fib30" not in feedback, "nothing of the hidden test is shown"
    results = json.loads((out / "results" / "cy.json").read_text())
    assert results["score"] == 5
    assert {(t["name"], t["score"], t["max_score"], t["visibility"]) for t in results["tests"]} >= {
        ("q2-fibonacci (visible tests)", 2.0, 2.0, "visible"), ("q2-fibonacci (hidden tests)", 0.0, 1.0, "after_due_date")}
    assert all(set(t) == {"name", "score", "max_score", "output", "visibility"} for t in results["tests"])
    sheet = (out / "grading_sheet.md").read_text()
    assert "- 1 point: one addition per step" in sheet and "Answer of bob" in sheet


def test_late_submissions_lose_a_fraction_per_started_day(tmp_path, tiny_tests, limits):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name in ("early", "late", "by_file_time"):
        _tiny_variant(submissions, name)
    os.utime(submissions / "by_file_time.ipynb", (0, grading.parse_time("2026-03-04T00:00Z", "t").timestamp()))
    roster = tmp_path / "roster.csv"
    roster.write_text("student,submitted_at\nearly,2026-03-01T12:00:00+01:00\nlate,2026-03-02T00:30:00Z\n")
    lateness = grading.Lateness(grading.parse_time("2026-03-01T23:59:00Z", "deadline"), 0.25,
                                grading.read_roster(roster))
    reports = grading.grade_all(grading.find_submissions([submissions]), grading.load_tests(tiny_tests),
                                tmp_path / "out", limits["tiny"], lateness)
    late = {r.student: (r.late["days_late"], r.score) for r in reports}
    assert late == {"by_file_time": (3, 1.5), "early": (0, 6), "late": (1, 4.5)}
    with open(tmp_path / "out" / "gradebook.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["student"], row["autograded"], row["days_late"], row["total"]) for row in rows] == [
        ("by_file_time", "6", "3", "1.5"), ("early", "6", "0", "6"), ("late", "6", "1", "4.5")]


@pytest.mark.parametrize("options, message", [
    (["--time-limit", "-1"], "must be a positive finite number of seconds, got '-1'"),
    (["--time-limit", "nan"], "got 'nan'"),
    (["--time-limit", "0"], "got '0'"),
    (["--total-time-limit", "inf"], "got 'inf'"),
    (["--late-penalty", "0.1"], "--late-penalty and --roster need --deadline"),
    (["--deadline", "yesterday"], "--deadline must be an ISO 8601 time"),
    (["--deadline", "2026-01-01", "--late-penalty", "2"], "the late penalty is a fraction"),
])
def test_bad_options_are_refused_with_what_is_accepted(options, message, tiny_tests, capsys):
    with pytest.raises(SystemExit) as exit_info:
        grading.main([str(SUBMISSIONS / "tiny_correct.ipynb"), "--tests", str(tiny_tests), *options])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_limits_refuse_what_is_not_a_positive_finite_time():
    for bad in (-1.0, 0.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="positive finite number of seconds"):
            grading.Limits(cell=bad)


def test_the_bundled_grade_py_runs_alone_on_a_folder(built_assignments, tmp_path, tiny_tests):
    """The autograder folder works by itself: its grade.py, from another folder, on a folder of submissions."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    _tiny_variant(submissions, "dee", fibonacci="return 89")
    bundle = built_assignments / "autograder"
    run = subprocess.run([sys.executable, str(bundle / "grade.py"), str(submissions), "--tests", str(tiny_tests),
                          "--out", str(tmp_path / "results"), "--time-limit", "10"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "results" / "results" / "dee.json").read_text())
    assert result["score"] == 3
    text = (tmp_path / "results" / "feedback" / "dee.txt").read_text()
    assert "score: 3 / 6" in text and "fibonacci(10) is 55, got 89" in text
    assert text in run.stdout


def test_the_grade_command_of_booktools_needs_the_built_autograder(tmp_path, capsys):
    from booktools.cli import main

    assert main(["--root", str(tmp_path), "grade", "x.ipynb", "--assignment", "nope"]) == 2
    assert "run `make assignments` first" in capsys.readouterr().err


def test_the_grade_command_refuses_a_bad_time_limit(tmp_path, capsys):
    from booktools.cli import main

    with pytest.raises(SystemExit):
        main(["--root", str(tmp_path), "grade", "x.ipynb", "--assignment", "nope", "--time-limit", "nan"])
    assert "positive finite number of seconds" in capsys.readouterr().err


def test_without_the_root_sandbox_a_submission_is_still_graded_and_the_report_says_so(tiny_tests, limits):
    """The fallback of a grader that does not run as root: same user, own session, the same limits."""
    sandbox = grading.Sandbox(isolate=False)
    report = grading.grade(SUBMISSIONS / "tiny_wrong_answer.ipynb", tiny_tests, limits["tiny"], sandbox)
    assert report.score == 3, grading.as_text(report)
    assert any("not run as root" in note for note in report.notes)


def test_a_check_that_switches_jax_to_float64_leaves_the_grader_as_it_was():
    """a9's check turns on JAX's float64 for its reference: the next check, and the process that grades
    (a test session, a batch of submissions), must keep float32."""
    import jax

    from booktools.coursework import grading

    before = bool(jax.config.jax_enable_x64)
    part = grading.Part("visible", 1.0, "", 'import jax\njax.config.update("jax_enable_x64", True)\nassert value == 1')
    assert grading._check(part, {"value": 1}).passed
    assert bool(jax.config.jax_enable_x64) == before
    assert not grading._check(part, {"value": 2}).passed
    assert bool(jax.config.jax_enable_x64) == before

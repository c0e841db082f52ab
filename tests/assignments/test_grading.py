"""The autograder on real and deliberately broken submissions: right scores, clear feedback, no crash."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from booktools import assignments, grading

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

TINY_SUBMISSIONS = sorted(p.name for p in SUBMISSIONS.glob("tiny_*.ipynb"))
REAL_SUBMISSIONS = sorted(p.name for p in SUBMISSIONS.glob("a[0-9]_*.ipynb"))


def check_report(report: grading.Report, expected: dict) -> None:
    """The report has the expected score, per-question status and feedback, notes and worker count."""
    by_id = {q.id: q for q in report.questions}
    assert set(by_id) == set(expected["questions"]), "every question is reported, none is lost"
    for question_id, (status, feedback) in expected["questions"].items():
        result = by_id[question_id]
        assert (result.status, feedback in result.feedback) == (status, True), \
            f"{question_id}: {result.status}: {result.feedback!r}"
        assert result.points == (result.max_points if status == "passed" else 0.0)
    assert report.score == expected["score"], grading.as_text(report)
    for note in expected.get("notes", []):
        assert any(note in line for line in report.notes), f"no note containing {note!r} in {report.notes}"
    if "workers" in expected:
        assert report.workers == expected["workers"]


@pytest.mark.parametrize("name", TINY_SUBMISSIONS)
def test_broken_submissions_of_the_tiny_assignment_get_the_expected_feedback(name, tiny_tests, expected_feedback,
                                                                              limits):
    started = time.monotonic()
    report = grading.grade(SUBMISSIONS / name, tiny_tests, limits["tiny"])
    check_report(report, expected_feedback[name])
    assert time.monotonic() - started < 30, "the time limits hold"


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


def autograder_tests(built_assignments: Path) -> list[Path]:
    return sorted((built_assignments / "autograder").glob("*/tests.json"))


@pytest.mark.slow
def test_instructor_notebooks_score_full_marks(built_assignments, limits, paths):
    for tests in autograder_tests(built_assignments):
        instructor = paths["repository"] / "book" / "assignments" / f"{tests.parent.name}.ipynb"
        report = grading.grade(instructor, tests, limits["real"])
        assert report.score == report.max_score == 10, grading.as_text(report)
        assert report.notes == [], grading.as_text(report)


@pytest.mark.slow
def test_student_versions_score_zero_without_crashing_the_grader(built_assignments, limits):
    for tests in autograder_tests(built_assignments):
        student = built_assignments / "student" / f"{tests.parent.name}.ipynb"
        report = grading.grade(student, tests, limits["real"])
        assert report.score == 0 and report.max_score == 10, grading.as_text(report)
        statuses = {q.status for q in report.questions}
        assert statuses <= {"not-implemented", "missing", "failed"}, grading.as_text(report)
        assert "not-implemented" in statuses


def test_the_bundled_grade_py_runs_alone_and_writes_json_and_text(built_assignments, tmp_path, paths):
    """The autograder folder works by itself: its grade.py, from another folder, on a submission."""
    bundle = built_assignments / "autograder"
    tiny = tmp_path / "tests.json"
    tiny.write_text(json.dumps({"assignment": "tiny", "questions": [vars(q) for q in
                                assignments.make_assignment(paths["tiny"]).questions]}))
    run = subprocess.run([sys.executable, str(bundle / "grade.py"), str(SUBMISSIONS / "tiny_wrong_answer.ipynb"),
                          "--tests", str(tiny), "--out", str(tmp_path / "results"), "--question-time-limit", "10"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "results" / "tiny_wrong_answer.json").read_text())
    assert result["score"] == 3 and result["max_score"] == 6
    assert [q["status"] for q in result["questions"]] == ["passed", "failed", "passed"]
    text = (tmp_path / "results" / "tiny_wrong_answer.txt").read_text()
    assert "score: 3 / 6" in text and "fibonacci(10) is 55, got 89" in text
    assert text == run.stdout


def test_the_grade_command_of_booktools_uses_the_built_autograder(tmp_path, capsys):
    from booktools.cli import main

    assert main(["--root", str(tmp_path), "grade", "x.ipynb", "--assignment", "nope"]) == 2
    assert "run `make assignments` first" in capsys.readouterr().err

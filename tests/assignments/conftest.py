"""Coursework tests: student versions, the autograder bundle, and grading real and broken submissions.

The notebooks under submissions/ and fixtures/ are data, never tests: nbval must not collect them
(`make test` runs pytest with --nbval-lax over tests/), and some of them loop forever on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktools import assignments, grading

collect_ignore_glob = ["submissions/*", "fixtures/*"]

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
TINY_ASSIGNMENT = HERE / "fixtures" / "tiny_assignment.ipynb"
# Short limits for the tiny assignment, whose tests take milliseconds (the cell that prints a million
# lines takes a second or two).
TINY_LIMITS = grading.Limits(cell=15.0, question=2.0, total=60.0, grace=1.0)
# The real assignments compile JAX code: generous limits, as a course would set them.
REAL_LIMITS = grading.Limits(cell=120.0, question=120.0, total=600.0, grace=5.0)


def write_tests_json(assignment: assignments.Assignment, folder: Path) -> Path:
    path = folder / assignment.name / "tests.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"assignment": assignment.name, "questions": [vars(q) for q in assignment.questions]}))
    return path


@pytest.fixture(scope="session")
def tiny_tests(tmp_path_factory) -> Path:
    """The autograder tests of the tiny fixture assignment."""
    return write_tests_json(assignments.make_assignment(TINY_ASSIGNMENT), tmp_path_factory.mktemp("tiny-autograder"))


@pytest.fixture(scope="session")
def built_assignments(tmp_path_factory) -> Path:
    """``booktools assignments`` on the repository's book/assignments, into a temporary folder."""
    output = tmp_path_factory.mktemp("assignments")
    assignments.build_assignments(REPOSITORY, output)
    return output


@pytest.fixture(scope="session")
def limits() -> dict[str, grading.Limits]:
    """The time limits for the tiny fixture assignment and for the real ones."""
    return {"tiny": TINY_LIMITS, "real": REAL_LIMITS}


@pytest.fixture(scope="session")
def paths() -> dict[str, Path]:
    return {"repository": REPOSITORY, "submissions": SUBMISSIONS, "tiny": TINY_ASSIGNMENT}


@pytest.fixture(scope="session")
def expected_feedback() -> dict:
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))

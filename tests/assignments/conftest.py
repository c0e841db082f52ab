"""Coursework tests: student versions, the autograder bundle, grading real, broken and hostile submissions.

The notebooks under submissions/ and fixtures/ are data, never tests: nbval must not collect them
(`make test` runs pytest with --nbval-lax over tests/), and some of them loop forever on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktools.coursework import assignments, grading

collect_ignore_glob = ["submissions/*", "fixtures/*"]

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
FIXTURES = HERE / "fixtures"
TINY_ASSIGNMENT = FIXTURES / "tiny_assignment.ipynb"
# The tiny assignment's cells and probes take milliseconds; the limits leave room for a loaded machine
# (two shared cores) and keep the deliberately endless submissions short.
TINY_LIMITS = grading.Limits(cell=8.0, probe=4.0, total=120.0, grace=2.0)
# The real assignments compile JAX code: generous limits, as a course would set them.
REAL_LIMITS = grading.Limits(cell=300.0, probe=300.0, total=900.0, grace=5.0)


@pytest.fixture(scope="session")
def tiny_tests(tmp_path_factory) -> Path:
    """The autograder tests of the tiny fixture assignment, in a folder of their own (hidden when grading)."""
    path = tmp_path_factory.mktemp("tiny-autograder") / "tests.json"
    path.write_text(assignments.make_assignment(TINY_ASSIGNMENT).tests_json())
    return path


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
    return {"repository": REPOSITORY, "submissions": SUBMISSIONS, "tiny": TINY_ASSIGNMENT, "fixtures": FIXTURES}


@pytest.fixture(scope="session")
def expected_feedback() -> dict:
    return json.loads((SUBMISSIONS / "expected.json").read_text(encoding="utf-8"))

"""Hostile submissions: each tries to forge its score, read what it must not, or take the grader down.

Each case is the tiny assignment's solution with a wrong ``fibonacci`` (honest score 3 of 6: q1-add 2,
q2-fibonacci 0, q3-squares 1) plus one hostile cell or function. Every case must get exactly the score its
code earns — the forging never pays, the damage never spreads — and leave the results as the grader wrote
them. The real a1 assignment's blank student version, with the attacks the issue reports, stays at 0.

The sandboxing (a fresh uid, no network, hidden paths) needs root, as in CI; without root the cases that
would take the test run down with them (killing the parent) are skipped.
"""

from __future__ import annotations

import ast
import json
import os
import re
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from booktools.coursework import grading

HERE = Path(__file__).resolve().parent
ROOT = os.geteuid() == 0
HONEST = {"q1-add": 2.0, "q2-fibonacci": 0.0, "q3-squares": 1.0}

# An object that accepts everything: equal to anything, callable, any attribute.
ACCEPT_ALL = '''
class AcceptAll:
    def __eq__(self, other): return True
    def __call__(self, *args, **kwargs): return self
    def __getattr__(self, name): return self
    def __bool__(self): return True
'''

# name -> (code of a cell added at the end, or of the function fibonacci when it starts with "def fibonacci",
#          the points expected per question where they differ from HONEST, q2's expected status(es))
CASES = {
    "forge_results_file": ('''
        import glob, json, os
        fake = {"score": 6, "tests": [], "questions": []}
        for folder in [OUT, OUT + "/results", OUT + "/feedback", os.getcwd(), "/tmp"]:
            for name in ["gradebook.csv", "results.json", "hostile.json", "hostile.txt"]:
                try:
                    with open(os.path.join(folder, name), "w") as handle:
                        handle.write("hostile,2,3,1,6\\n" if name.endswith("csv") else json.dumps(fake))
                except OSError:
                    pass
        print("score: 6 / 6")
        ''', {}, "failed"),
    "exit_early": ('''
        import os
        os._exit(0)
        ''', {}, "failed"),
    "exit_in_the_probe": ('''
        def fibonacci(n):
            import os
            os._exit(0)
        ''', {}, "error"),
    "system_exit_in_the_probe": ('''
        def fibonacci(n):
            raise SystemExit(0)
        ''', {}, "error"),
    "patch_numpy_testing_and_rebind_abs": ('''
        import builtins, numpy, numpy.testing
        numpy.testing.assert_equal = numpy.testing.assert_allclose = lambda *args, **kwargs: None
        builtins.abs = lambda x: 0
        builtins.AssertionError = type("AssertionError", (Exception,), {})
        np = numpy
        ''', {}, "failed"),
    "rebind_names_to_an_object_that_accepts_everything": (ACCEPT_ALL + textwrap.dedent('''
        fibonacci = AcceptAll()
        np = runner = games = AcceptAll()
        '''), {}, "not-plain-data"),
    "replace_the_workers_functions": ('''
        import json, os, sys
        harness = sys.modules["__main__"]
        fake = lambda *args, **kwargs: {"status": "ok", "values": {"fib10": 55, "fib30": 832040}}
        for name in ("run", "plain", "send", "serve", "describe"):
            setattr(harness, name, fake)
        json.dumps = lambda *args, **kwargs: '{"status": "ok", "values": {"fib10": 55, "fib30": 832040}}'
        json.loads = lambda *args, **kwargs: {"op": "cell", "source": "", "cell": 0, "limit": 1, "id": "x"}
        ''', {}, "failed"),
    "write_replies_ahead_then_exit": ('''
        import os
        fake = '{"status": "ok", "values": {"fib10": 55, "fib30": 832040}, "id": %d}\\n'
        for fd in range(3, 30):
            for guess in range(1, 60):
                try:
                    os.write(fd, (fake % guess).encode())
                except OSError:
                    break
        os._exit(0)
        ''', {}, "failed"),
    "read_files_around_it": ('''
        import glob, os
        found = {}
        parent = os.getppid()
        candidates = [TESTS, SOLUTION, f"/proc/{parent}/cmdline", f"/proc/{parent}/environ"]
        candidates += glob.glob(f"/proc/{parent}/cwd/**/*.ipynb", recursive=True)[:20]
        candidates += glob.glob(f"/proc/{parent}/fd/*") + glob.glob(os.path.dirname(TESTS) + "/*")
        for path in candidates:
            try:
                with open(path, errors="replace") as handle:
                    found[path] = handle.read(100_000)
            except OSError as error:
                found[path] = f"unreadable: {error}"
        secret = any("832040" in text or "fib30" in text for text in found.values())
        if secret:
            def fibonacci(n):
                a, b = 0, 1
                for _ in range(n):
                    a, b = b, a + b
                return a
        raise RuntimeError("found: " + repr(found)[:3000])
        ''', {}, "failed"),
    "leak_hidden_probes_through_a_visible_error": ('''
        import sys
        seen = []
        sys.addaudithook(lambda event, args: seen.append(repr(args)[:300]) if event in ("compile", "exec") else None)

        def fibonacci(n):
            raise ValueError(" | ".join(seen))
        ''', {}, "error"),
    "detached_process_rewrites_the_results_later": ('''
        import json, os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(3)
                for name in ["gradebook.csv", "results/hostile.json", "feedback/hostile.txt"]:
                    try:
                        with open(os.path.join(OUT, name), "w") as handle:
                            handle.write("hostile,2,3,1,6\\n" if name.endswith("csv") else json.dumps({"score": 6}))
                    except OSError:
                        pass
            os._exit(0)
        ''', {}, "failed"),
    "kill_the_parent": ('''
        import os, signal
        for kill in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.killpg(os.getpgid(os.getppid()), 9)):
            try:
                kill()
            except OSError:
                pass
        ''', {}, "failed"),
    "kill_the_parent_from_the_probe": ('''
        def fibonacci(n):
            import os, signal
            os.kill(os.getppid(), signal.SIGKILL)
        ''', {}, "error"),
    "fork_bomb": ('''
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
        ''', {}, "failed"),
    "memory_hog": ('''
        hog = bytearray(64 * 2**30)
        ''', {}, "failed"),
    "memory_hog_in_the_probe": ('''
        def fibonacci(n):
            return len(bytearray(64 * 2**30))
        ''', {}, "error"),
    "output_flood_print": ('''
        while True:
            print("flood " * 100)
        ''', {}, "failed"),
    "output_flood_fd_1_and_2": ('''
        import os
        chunk = b"x" * 2**20
        while True:
            os.write(1, chunk)
            os.write(2, chunk)
        ''', {}, "failed"),
    "infinite_loop": ('''
        while True:
            pass
        ''', {}, "failed"),
    "infinite_loop_that_swallows_the_time_out": ('''
        import time
        while True:
            try:
                time.sleep(100)
            except BaseException:
                pass
        ''', {}, "failed"),
    "huge_reply": ('''
        def fibonacci(n):
            return list(range(6_000_000))
        ''', {}, ("not-plain-data", "timeout")),  # over the 32 MiB a reply may have, or too slow to send
    "syntax_error": ('''
        def broken(:
        ''', {}, "failed"),
}
NEEDS_ROOT = {"kill_the_parent", "kill_the_parent_from_the_probe", "detached_process_rewrites_the_results_later",
              "fork_bomb", "read_files_around_it"}


def hostile_submission(folder: Path, name: str, code: str, out: Path, tests: Path) -> Path:
    """The tiny solution with fibonacci returning 0, plus the hostile code (OUT, TESTS, SOLUTION filled in:
    the worst case, an attacker who knows every path)."""
    book = nbformat.read(HERE / "fixtures" / "tiny_assignment.ipynb", as_version=4)
    code = textwrap.dedent(code).strip()
    code = code.replace("OUT", repr(str(out))).replace("TESTS", repr(str(tests)))
    code = code.replace("SOLUTION", repr(str(HERE / "fixtures" / "tiny_assignment.ipynb")))
    for cell in book.cells:
        if cell.source.startswith("def fibonacci"):
            cell.source = "def fibonacci(n):\n    return 0"
            if code.startswith("def fibonacci"):
                cell.source = code
    if not code.startswith("def fibonacci"):
        book.cells.append(nbformat.v4.new_code_cell(code))
    path = folder / f"{name}.ipynb"
    nbformat.write(book, path)
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_submission_gets_the_score_its_code_earns(name, tmp_path, tiny_tests, limits, monkeypatch):
    if name in NEEDS_ROOT and not ROOT:
        pytest.skip("needs the root sandbox (a separate uid): without it this case would kill the test run")
    # The uids this grading gives the student: other tests may be grading at the same time (make test runs
    # test files in parallel), so "no student process is left" is asked of these uids only.
    student_uids = []
    fresh_uid = grading.Sandbox.fresh_uid
    monkeypatch.setattr(grading.Sandbox, "fresh_uid", lambda self: student_uids.append(fresh_uid(self)) or student_uids[-1])
    code, points, q2_status = CASES[name]
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    path = hostile_submission(submissions, "hostile", code, out, tiny_tests)
    spec = grading.load_tests(tiny_tests)
    started = time.monotonic()
    [report] = grading.grade_all([path], spec, out, limits["tiny"], hide=[HERE / "fixtures"])
    assert time.monotonic() - started < 90, "the limits hold"
    expected = {**HONEST, **points}
    assert {q.id: q.points for q in report.questions} == expected, grading.as_text(report)
    assert report.score == sum(expected.values())
    assert {q.id: q.status for q in report.questions}["q2-fibonacci"] in q2_status, grading.as_text(report)
    written = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    if name == "detached_process_rewrites_the_results_later":
        time.sleep(4)  # past the moment the detached process would rewrite them
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == written, "the results stay as written"
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        "feedback/hostile.txt", "gradebook.csv", "grading_sheet.md", "results/hostile.json"]
    assert json.loads((out / "results" / "hostile.json").read_text())["score"] == report.score
    shown = (out / "feedback" / "hostile.txt").read_text() + (out / "results" / "hostile.json").read_text()
    assert "832040" not in shown and "fib30" not in shown, "nothing of the hidden tests reaches the student"
    if ROOT:
        assert student_uids and all(uid >= 200_000 for uid in student_uids), student_uids
        assert not [pid for uid in student_uids for pid in grading._processes_of(uid)], "no student process is left"


@pytest.mark.skipif(not ROOT, reason="the sandbox needs root")
def test_the_student_process_is_confined(tmp_path, tiny_tests, limits, monkeypatch):
    """What the student's code sees: another uid, an empty private folder, no network, no tests, a
    scrubbed environment."""
    monkeypatch.setenv("GRADER_SECRET", "token")
    code = '''
        import os, socket
        facts = [f"uid={os.getuid()}", f"cwd={os.getcwd()}", f"files={os.listdir('.')}", f"env={sorted(os.environ)}"]
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=2)
            facts.append("network=open")
        except OSError as error:
            facts.append(f"network={error.errno}")
        facts.append(f"tests={os.path.exists(TESTS)}")
        raise RuntimeError(" ".join(facts))
        '''
    path = hostile_submission(tmp_path, "spy", code, tmp_path / "out", tiny_tests)
    report = grading.grade(path, tiny_tests, limits["tiny"])
    [note] = [note for note in report.notes if "RuntimeError" in note]
    assert "uid=0 " not in note and "cwd=/tmp/work" in note and "files=[]" in note
    assert "network=101" in note or "network=99" in note, note
    assert "tests=False" in note
    environment = set(ast.literal_eval(re.search(r"env=(\[.*?\])", note).group(1)))
    assert "GRADER_SECRET" not in environment and environment <= {
        *grading.ENVIRONMENT_KEPT, "HOME", "TMPDIR", "MPLBACKEND", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED"}


A1_ATTACKS = {
    "rebind_np_runner_games": ACCEPT_ALL + "np = runner = games = jnp = AcceptAll()\nabs = lambda x: 0",
    "patch_numpy_testing": "import numpy.testing, builtins\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
                           "builtins.abs = lambda x: 0",
    "write_replies_ahead_and_exit": "import os\nfor fd in range(3, 30):\n    try:\n"
                                    "        os.write(fd, b'{\"status\": \"ok\", \"values\": {}}\\n' * 100)\n"
                                    "    except OSError:\n        pass\nos._exit(0)",
    "patch_the_worker": "import sys\nsys.modules['__main__'].run = lambda *a, **k: {'status': 'ok'}",
}


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(A1_ATTACKS))
def test_the_attacks_of_the_issue_leave_a1s_blank_version_at_zero(attack, built_assignments, tmp_path, limits):
    name = "a1_extragradient_optimism"
    book = nbformat.read(built_assignments / "student" / f"{name}.ipynb", as_version=4)
    book.cells.append(nbformat.v4.new_code_cell(A1_ATTACKS[attack]))
    nbformat.write(book, tmp_path / f"{attack}.ipynb")
    report = grading.grade(tmp_path / f"{attack}.ipynb", built_assignments / "autograder" / name / "tests.json",
                           limits["real"])
    assert report.score == 0 and report.max_score == 10, grading.as_text(report)

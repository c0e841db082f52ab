"""The autograder: grade a submitted notebook against an assignment's tests, in a separate process.

Standard library only, so ``make assignments`` can ship this very file as the autograder's
``grade.py``, next to the tests and without the instructor's notebooks::

    python grade.py SUBMISSION.ipynb --tests TESTS.json [--out DIR] [--cell-time-limit S]
                    [--question-time-limit S] [--total-time-limit S]

writes ``DIR/<submission>.json`` (per-question score and feedback) and ``DIR/<submission>.txt`` (the
same, readable), and prints the text. Exit status 0 whenever results were written, whatever the
score.

How a submission is graded:

1. The code cells of the submission run in order in a *worker* process (``grade.py --worker``),
   started in an empty temporary folder. Test cells (first line ``# TEST <id> (<n> points)``) are
   skipped: the tests that count are the autograder's own, visible and hidden ones. Lines of IPython
   magics (``%...``, ``!...``) are left out. A cell that has a syntax error, raises or runs past the
   cell time limit is reported and the next cell runs anyway.
2. Each question's tests then run in that namespace, each under the question time limit. A question
   scores its points when its tests pass, zero otherwise, with feedback saying why: which assertion
   failed, which name is missing (a deleted or renamed function), a ``NotImplementedError`` (the
   student version's stub), an exception, a time-out.
3. The worker reports every cell and question as it finishes, to a file. If it dies or hangs past the
   limits (a loop that swallows the time-out, a crash in native code), this process kills it, records
   the culprit, and starts a new worker that skips it, so no other question's score is lost. Printed
   output is capped (the count of lines is kept), so a million printed lines cost nothing but time.
"""

from __future__ import annotations

import argparse
import json
import linecache
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

TEST_HEADER = re.compile(r"^\s*#\s*TEST\s+(?P<id>[\w.-]+)\s*\(\s*(?P<points>\d+(?:\.\d+)?)\s*points?\s*\)", re.I)
MAGIC_LINE = re.compile(r"^\s*[%!]")
DEFINITION = re.compile(r"^(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=(?!=)", re.M)
DEFAULT_CELL_TIME_LIMIT = 60.0
DEFAULT_QUESTION_TIME_LIMIT = 60.0
DEFAULT_TOTAL_TIME_LIMIT = 600.0
KILL_GRACE_S = 5.0              # past an item's limit, the worker gets this long to report before the kill
OUTPUT_KEPT_CHARS = 2000        # printed output kept per cell, for the feedback


@dataclass
class Question:
    """One graded question of an assignment: its tests (visible and hidden) and its points."""

    id: str
    points: float
    source: str


@dataclass
class QuestionResult:
    id: str
    points: float
    max_points: float
    status: str                 # passed, failed, not-implemented, missing, error, timeout, not-graded
    feedback: str


@dataclass
class CellResult:
    cell: int                   # 1-based position among the submission's code cells
    status: str                 # ok, syntax-error, error, timeout, crashed
    message: str = ""
    printed_lines: int = 0


@dataclass
class Report:
    submission: str
    assignment: str
    score: float
    max_score: float
    questions: list[QuestionResult]
    cells: list[CellResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0


# --- reading the submission ----------------------------------------------------------------------

def load_tests(path: Path) -> tuple[str, list[Question]]:
    """The assignment name and its questions, from the autograder's ``tests.json``."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    return spec["assignment"], [Question(q["id"], float(q["points"]), q["source"]) for q in spec["questions"]]


def submission_cells(path: Path) -> list[str]:
    """The sources of the submission's code cells, test cells excluded (raises ValueError if unreadable)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the submission is not a readable notebook ({type(exc).__name__}: {exc})") from None
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = source if isinstance(source, str) else "".join(source)
        sources.append("" if TEST_HEADER.match(source) else without_magics(source))
    return sources


def without_magics(source: str) -> str:
    """The cell without IPython magic and shell lines (a ``%%`` cell magic drops only its own line)."""
    return "\n".join("" if MAGIC_LINE.match(line) else line for line in source.splitlines())


# --- the worker (a separate process) -------------------------------------------------------------

class CappedOutput:
    """A stand-in for stdout/stderr that keeps the first characters and counts every line."""

    def __init__(self):
        self.kept, self.lines = [], 0
        self._size = 0

    def write(self, text):
        text = str(text)
        self.lines += text.count("\n")
        if self._size < OUTPUT_KEPT_CHARS:
            self.kept.append(text[: OUTPUT_KEPT_CHARS - self._size])
            self._size += len(self.kept[-1])
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def text(self) -> str:
        return "".join(self.kept)


class ItemTimeout(BaseException):
    """Raised in the worker when a cell or a test runs past its limit (BaseException: ``except
    Exception`` in the student's code does not swallow it)."""


def _on_alarm(signum, frame):
    raise ItemTimeout()


def run_worker(job_path: Path) -> None:
    """Execute the job: the cells, then the questions' tests, reporting each to the events file."""
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    events = open(job["events"], "a", encoding="utf-8", buffering=1)

    def report(**event):
        events.write(json.dumps({**event, "time": time.time()}) + "\n")
        events.flush()
        os.fsync(events.fileno())

    signal.signal(signal.SIGALRM, _on_alarm)
    namespace = {"__name__": "__main__", "display": print}
    for index, source in enumerate(job["cells"], start=1):
        if index in job["skip_cells"] or not source.strip():
            continue
        report(event="start", kind="cell", item=index)
        status, message, lines = _run_item(source, f"<cell {index}>", namespace, job["cell_time_limit"])
        report(event="end", kind="cell", item=index, status=status, message=message, printed_lines=lines)
    for question in job["questions"]:
        report(event="start", kind="question", item=question["id"])
        status, message, _ = _run_item(question["source"], f"<tests of {question['id']}>", dict(namespace),
                                       job["question_time_limit"])
        report(event="end", kind="question", item=question["id"], status=status, message=message)
    events.close()


def _run_item(source: str, filename: str, namespace: dict, time_limit: float) -> tuple[str, str, int]:
    """Compile and run one cell or test block; return (status, message, printed lines)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for tracebacks
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        return "syntax-error", f"SyntaxError: {exc.msg} (line {exc.lineno}: {(exc.text or '').strip()!r})", 0
    output = CappedOutput()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = output
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        exec(code, namespace)
        status, message = "ok", ""
    except ItemTimeout:
        status, message = "timeout", f"still running after the time limit of {time_limit:g} s (an endless loop?)"
    except BaseException as exc:  # noqa: BLE001 - anything the student's code raises is feedback
        status, message = "error", describe_exception(exc, filename)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
    if output.lines > 1000:
        message = (message + " " if message else "") + f"(it printed {output.lines:,} lines)"
    return status, message, output.lines


def describe_exception(exc: BaseException, filename: str) -> str:
    """``Type: message``, and where it was raised: the last line of the student's or the test's code."""
    text = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, AssertionError) and not str(exc):
        text = "AssertionError (an assertion failed)"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [frame for frame in frames if frame.filename.startswith("<")]
    if own:
        text += f" — at {own[-1].filename[1:-1]}, line {own[-1].lineno}"
        text += f": {own[-1].line.strip()}" if own[-1].line else ""
    return text[:1500]


# --- the grading process -------------------------------------------------------------------------

@dataclass
class Limits:
    """Seconds per code cell, per question's tests, for the whole submission; and the grace given to a
    worker past an item's limit before it is killed (its own time-out should have fired by then)."""

    cell: float = DEFAULT_CELL_TIME_LIMIT
    question: float = DEFAULT_QUESTION_TIME_LIMIT
    total: float = DEFAULT_TOTAL_TIME_LIMIT
    grace: float = KILL_GRACE_S


def grade(submission: Path, tests: Path, limits: Limits | None = None) -> Report:
    """Grade ``submission`` against the autograder's ``tests``; never raises for a bad submission."""
    limits = limits or Limits()
    started = time.monotonic()
    assignment, questions = load_tests(tests)
    report = Report(Path(submission).name, assignment, 0.0, sum(q.points for q in questions), [])
    try:
        cells = submission_cells(submission)
    except ValueError as exc:
        report.questions = [QuestionResult(q.id, 0.0, q.points, "not-graded", str(exc)) for q in questions]
        report.notes.append(str(exc))
        return _finish(report, started)
    try:
        outcomes, cell_results, workers = _run_workers(cells, questions, limits)
    except Exception as exc:  # the grader's own failure: still a report, every question marked
        outcomes, cell_results, workers = {}, [], 0
        report.notes.append(f"internal grader error: {type(exc).__name__}: {exc}")
    report.cells, report.workers = cell_results, workers
    report.questions = [_question_result(q, outcomes.get(q.id), cells, cell_results) for q in questions]
    report.notes += _cell_notes(cell_results)
    return _finish(report, started)


def _finish(report: Report, started: float) -> Report:
    report.score = sum(q.points for q in report.questions)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _run_workers(cells: list[str], questions: list[Question], limits: Limits):
    """Run workers until every cell and question has an outcome, restarting past a hung or dead one."""
    deadline = time.monotonic() + limits.total
    skip_cells: set[int] = set()
    cell_results: dict[int, CellResult] = {}
    outcomes: dict[str, tuple[str, str]] = {}
    workers = 0
    with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
        while len(outcomes) < len(questions):
            if time.monotonic() >= deadline:
                for q in questions:
                    outcomes.setdefault(q.id, ("timeout", f"not graded: the whole submission ran past "
                                                          f"{limits.total:g} s"))
                break
            workers += 1
            pending = [q for q in questions if q.id not in outcomes]
            events, killed = _run_one_worker(Path(scratch), workers, cells, pending, skip_cells, limits, deadline)
            culprit = _collect(events, cell_results, outcomes)
            if culprit is None:
                for q in pending:  # the worker ended without reporting them: it died in between
                    outcomes.setdefault(q.id, ("error", "not graded: the grading process ended unexpectedly"))
            elif culprit[0] == "cell":
                skip_cells.add(culprit[1])
                cell_results[culprit[1]] = CellResult(culprit[1], "timeout" if killed else "crashed",
                                                      _hung_message(killed, limits.cell))
            else:
                outcomes[culprit[1]] = ("timeout" if killed else "error", _hung_message(killed, limits.question))
    return outcomes, [cell_results[k] for k in sorted(cell_results)], workers


def _hung_message(timed_out: bool, limit: float) -> str:
    if timed_out:
        return f"still running after the time limit of {limit:g} s and had to be stopped (an endless loop?)"
    return "the process crashed while running it (e.g. a native crash or exhausted memory)"


def _run_one_worker(scratch: Path, number: int, cells, questions, skip_cells, limits: Limits, deadline: float):
    """Start a worker on the job and watch it; return its events (the last may be an unfinished start)
    and whether it had to be killed."""
    events_path = scratch / f"events-{number}.jsonl"
    job_path = scratch / f"job-{number}.json"
    job_path.write_text(json.dumps({
        "events": str(events_path), "cells": cells, "skip_cells": sorted(skip_cells),
        "questions": [asdict(q) for q in questions],
        "cell_time_limit": limits.cell, "question_time_limit": limits.question}), encoding="utf-8")
    workdir = scratch / f"work-{number}"
    workdir.mkdir()
    environment = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    with open(scratch / f"output-{number}.txt", "wb") as output:  # native prints land here, unread
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(job_path)],
                                   cwd=workdir, stdout=output, stderr=output, stdin=subprocess.DEVNULL,
                                   env=environment, start_new_session=True)
        killed = _watch(process, events_path, limits, deadline)
    shutil.rmtree(workdir, ignore_errors=True)
    return _read_events(events_path), killed


def _watch(process: subprocess.Popen, events_path: Path, limits: Limits, deadline: float) -> bool:
    """Wait for the worker; kill it when an item runs past its limit (plus grace) or at the deadline.

    Returns True when it was killed, False when it ended by itself."""
    while process.poll() is None:
        time.sleep(0.05)
        events = _read_events(events_path)
        running = events[-1] if events and events[-1]["event"] == "start" else None
        overdue = False
        if running is not None:
            limit = limits.cell if running["kind"] == "cell" else limits.question
            overdue = time.time() - running["time"] > limit + limits.grace
        if overdue or time.monotonic() > deadline:
            _kill(process)
            return True
    return False


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _read_events(path: Path) -> list[dict]:
    """The worker's events so far (a half-written last line is ignored)."""
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def _collect(events: list[dict], cell_results: dict, outcomes: dict):
    """Record finished items; return ``(kind, item)`` of an item left unfinished, else None."""
    for event in events:
        if event["event"] != "end":
            continue
        if event["kind"] == "cell":
            cell_results[event["item"]] = CellResult(event["item"], event["status"], event["message"],
                                                     event.get("printed_lines", 0))
        else:
            outcomes[event["item"]] = (event["status"], event["message"])
    if events and events[-1]["event"] == "start":
        return events[-1]["kind"], events[-1]["item"]
    return None


def _question_result(question: Question, outcome, cells: list[str], cell_results: list[CellResult]) -> QuestionResult:
    """Points and feedback of one question from its test outcome."""
    if outcome is None:
        return QuestionResult(question.id, 0.0, question.points, "not-graded", "not graded (no result)")
    status, message = outcome
    if status == "ok":
        return QuestionResult(question.id, question.points, question.points, "passed", "all tests passed")
    if status == "syntax-error":
        return QuestionResult(question.id, 0.0, question.points, "error", f"the autograder's tests do not compile: {message}")
    if message.startswith("NotImplementedError"):
        return QuestionResult(question.id, 0.0, question.points, "not-implemented",
                              "not implemented yet: the code still raises NotImplementedError")
    missing = re.match(r"NameError: name '(\w+)' is not defined", message)
    if missing:
        name = missing.group(1)
        return QuestionResult(question.id, 0.0, question.points, "missing",
                              f"`{name}` is not defined: the notebook must define it (was it deleted or renamed?)"
                              + _defining_cell_note(name, cells, cell_results))
    if status == "timeout":
        return QuestionResult(question.id, 0.0, question.points, "timeout", f"the tests are {message}")
    if status == "error" and message.startswith("AssertionError"):
        return QuestionResult(question.id, 0.0, question.points, "failed", f"a test failed: {message}")
    return QuestionResult(question.id, 0.0, question.points, "error", f"the tests raised {message}")


def _defining_cell_note(name: str, cells: list[str], cell_results: list[CellResult]) -> str:
    """'; code cell 4, which defines it, has a syntax error' when the defining cell did not run."""
    failed = {result.cell: result for result in cell_results if result.status != "ok"}
    for index, source in enumerate(cells, start=1):
        defined = {a or b for a, b in DEFINITION.findall(source)}
        if name in defined and index in failed:
            return f"; code cell {index}, which defines it, did not run: {failed[index].message}"
    return ""


def _cell_notes(cell_results: list[CellResult]) -> list[str]:
    return [f"code cell {r.cell}: {r.status}: {r.message}".rstrip(": ") for r in cell_results if r.status != "ok"] + \
           [f"code cell {r.cell} printed {r.printed_lines:,} lines (only the first {OUTPUT_KEPT_CHARS} characters "
            f"are kept)" for r in cell_results if r.printed_lines > 1000]


# --- writing the results -------------------------------------------------------------------------

def as_text(report: Report) -> str:
    """The report for a person: score, one line per question, then the notes on the notebook's cells."""
    lines = [f"{report.assignment}: {report.submission}",
             f"score: {report.score:g} / {report.max_score:g}", ""]
    for q in report.questions:
        lines.append(f"[{q.points:g}/{q.max_points:g}] {q.id}: {q.status} — {q.feedback}")
    if report.notes:
        lines += ["", "about the notebook:"] + [f"  - {note}" for note in report.notes]
    lines += ["", f"graded in {report.seconds:.1f} s ({report.workers} worker process(es))"]
    return "\n".join(lines) + "\n"


def write_report(report: Report, out_dir: Path) -> tuple[Path, Path]:
    """``<out>/<submission stem>.json`` and ``.txt``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(report.submission).stem
    json_path, text_path = out_dir / f"{stem}.json", out_dir / f"{stem}.txt"
    json_path.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text_path.write_text(as_text(report), encoding="utf-8")
    return json_path, text_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade a submitted notebook (see the module docstring).")
    parser.add_argument("submission", nargs="?", type=Path)
    parser.add_argument("--tests", type=Path, help="the autograder's tests.json of the assignment")
    parser.add_argument("--out", type=Path, default=Path("grading-results"), help="where to write the results")
    parser.add_argument("--cell-time-limit", type=float, default=DEFAULT_CELL_TIME_LIMIT, metavar="S")
    parser.add_argument("--question-time-limit", type=float, default=DEFAULT_QUESTION_TIME_LIMIT, metavar="S")
    parser.add_argument("--total-time-limit", type=float, default=DEFAULT_TOTAL_TIME_LIMIT, metavar="S")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker:
        run_worker(arguments.worker)
        return 0
    if arguments.submission is None or arguments.tests is None:
        parser.error("a submission and --tests are required")
    limits = Limits(arguments.cell_time_limit, arguments.question_time_limit, arguments.total_time_limit)
    report = grade(arguments.submission, arguments.tests, limits)
    write_report(report, arguments.out)
    print(as_text(report), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

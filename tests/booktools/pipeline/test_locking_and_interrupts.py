"""Concurrency and interruptions, with real processes: one writer per run folder (and per assignments
build), a lock that dies with its holder (SIGKILL included), Ctrl-C that says one line and exits 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from booktools.pipeline import paths

FIRST = "book/part1/01_first.ipynb"
SOURCES = str(Path(__file__).resolve().parents[3] / "src")


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([SOURCES, os.environ.get("PYTHONPATH", "")])}


def _booktools(project: Path, *arguments: str, **options) -> subprocess.Popen:
    # A fresh session, as a terminal would start it, with Ctrl-C's default action (a shell running
    # tests in the background may have set it to "ignore", which children inherit).
    return subprocess.Popen([sys.executable, "-m", "booktools", "--root", str(project), *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment(),
                            start_new_session=True,
                            preexec_fn=_default_ctrl_c, **options)  # noqa: PLW1509 (no threads fork here)


def _default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _holder(project: Path, lock: str) -> subprocess.Popen:
    """A process that holds ``lock`` of ``project`` until killed; returns once it holds it."""
    code = ("import sys, time\nfrom booktools.pipeline import locks, paths\n"
            f"with locks.hold(paths.lock_file({str(project)!r}, {lock!r}), 'test'):\n"
            "    print('held', flush=True)\n    time.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_environment())
    assert holder.stdout.readline() == "held\n"
    return holder


@pytest.mark.parametrize("command, lock", [
    (["run"], "run-quick"), (["build"], "run-quick"), (["clean", "--profile", "quick"], "run-quick"),
    (["clean"], "run-quick"), (["assignments"], "assignments"),
])
def test_a_second_process_stops_at_once_naming_the_holder(project: Path, command: list[str], lock: str):
    holder = _holder(project, lock)
    try:
        second = _booktools(project, *command)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2
        assert f"in use by process {holder.pid}" in err and "--wait" in err
    finally:
        holder.kill()
        holder.wait()


def test_a_sigkilled_holder_leaves_no_stale_lock(project: Path):
    holder = _holder(project, "run-quick")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    clean = _booktools(project, "clean", "--profile", "quick")
    out, err = clean.communicate(timeout=120)
    assert clean.returncode == 0, err
    assert "nothing to remove" in out


def test_with_wait_the_second_process_waits_for_the_holder(project: Path):
    holder = _holder(project, "run-quick")
    waiting = _booktools(project, "clean", "--profile", "quick", "--wait")
    try:
        assert f"waiting for process {holder.pid}" in waiting.stderr.readline()
        time.sleep(1)
        assert waiting.poll() is None  # still waiting
    finally:
        holder.kill()
        holder.wait()
    out, _ = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and "nothing to remove" in out


def _sleeping_chapter(project: Path, book) -> Path:
    """Make the first chapter write a marker, then sleep; return the marker's path."""
    marker = project / "started"
    extra = f"\nimport pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(300)\n"
    book.write_notebook(project / FIRST, book.chapter_notebook("01_first", extra))
    return marker


def _wait_for(path: Path, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the chapter never started"
        time.sleep(0.2)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_prints_one_line_and_exits_130(project: Path, book, jobs: str):
    marker = _sleeping_chapter(project, book)
    run = _booktools(project, "run", "--jobs", jobs)
    _wait_for(marker, run)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130
    assert err == "interrupted: finished chapters are kept; run again to resume\n", err
    assert "Traceback" not in out
    assert not list(paths.run_dir(project, "quick").rglob("*.partial*"))


def test_a_sigkilled_run_leaves_nothing_the_next_run_trips_over(project: Path, book):
    marker = _sleeping_chapter(project, book)
    run = _booktools(project, "run", "--chapter", FIRST)
    _wait_for(marker, run)
    partials = list(paths.run_dir(project, "quick").rglob("*.partial-*"))
    assert partials  # papermill saves the notebook as it goes
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    book.write_notebook(project / FIRST, book.chapter_notebook("01_first"))  # the chapter is fixed
    again = _booktools(project, "run", "--chapter", FIRST)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, out + err
    assert not list(paths.run_dir(project, "quick").rglob("*.partial*"))
    assert nbformat.read(paths.executed_notebook(project, "quick", FIRST), as_version=4).cells


def test_two_runs_of_one_profile_one_executes_the_other_stops(project: Path, book):
    marker = _sleeping_chapter(project, book)
    first = _booktools(project, "run", "--chapter", FIRST)
    try:
        _wait_for(marker, first)
        second = _booktools(project, "run", "--chapter", FIRST)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 2 and "executing" not in out
        assert f"the run folder _build/runs/quick is in use by process {first.pid}" in err
    finally:
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=120)

"""Running a profile: real papermill executions, the cache, failures, resuming after a kill.

The real executions happen once per session (the ``executed_project`` fixture); the tests of the
cache and of the file handling replace papermill by a fake (``fake_papermill``) that copies notebooks.
"""

import json
import os
from pathlib import Path

import nbformat
import pytest

from booktools.pipeline import paths
from booktools.pipeline.run import run_profile

FIRST, SECOND = "book/part1/01_first.ipynb", "book/part1/02_second.ipynb"


def _statuses(outcomes) -> dict[str, str]:
    return {outcome.chapter: outcome.status for outcome in outcomes}


# --- real executions ------------------------------------------------------------------------------

def test_an_executed_chapter_lands_in_the_run_folder_with_its_key(executed_project: Path):
    executed = nbformat.read(paths.executed_notebook(executed_project, "quick", FIRST), as_version=4)
    outputs = "".join(output.get("text", "") for cell in executed.cells for output in cell.get("outputs", []))
    assert "relative-path-ok 6" in outputs  # ran in its own folder, with the quick parameters
    assert paths.key_file(executed_project, "quick", FIRST).is_file()
    assert not list(paths.run_dir(executed_project, "quick").rglob("*.partial*"))


def test_each_chapter_writes_its_claims_into_the_run(executed_project: Path):
    claims = json.loads((paths.claims_dir(executed_project, "quick") / "01_first.json").read_text())
    # The pipeline tells each chapter its own path: that is where a chapter's ledger takes its name.
    assert claims == {"profile": "quick", "steps": 3, "chapter": "book/part1/01_first.ipynb"}


def test_a_second_run_executes_nothing(executed_project: Path, capsys):
    outcomes = run_profile(executed_project, "quick")
    assert set(_statuses(outcomes).values()) == {"cached"}
    assert f"[1/2] {FIRST}: cached" in capsys.readouterr().out


def test_profile_overrides_are_injected(executed_project: Path):
    assert _statuses(run_profile(executed_project, "full", [FIRST])) == {FIRST: "executed"}
    claims = json.loads((paths.claims_dir(executed_project, "full") / "01_first.json").read_text())
    assert claims == {"profile": "full", "steps": 7, "chapter": "book/part1/01_first.ipynb"}


def test_a_failing_chapter_is_reported_and_the_others_still_run(project: Path, book, capsys):
    broken = book.chapter_notebook("01_first", extra_source="\nraise ValueError('broken on purpose')")
    book.write_notebook(project / FIRST, broken)
    outcomes = run_profile(project, "quick", jobs=2)  # in two worker processes
    assert _statuses(outcomes) == {FIRST: "failed", SECOND: "executed"}
    failure = next(outcome for outcome in outcomes if outcome.status == "failed")
    assert "ValueError: broken on purpose" in failure.error
    assert not paths.executed_notebook(project, "quick", FIRST).exists()
    assert paths.failed_notebook(project, "quick", FIRST).is_file()  # kept for inspection
    assert "FAILED" in capsys.readouterr().out


# --- the cache, with a fake papermill ----------------------------------------------------------

def test_editing_a_chapter_re_executes_only_that_chapter(executed_project: Path, book, fake_papermill):
    edited = book.chapter_notebook("02_second", extra_source="\nprint('new cell line')")
    book.write_notebook(executed_project / SECOND, edited)
    assert _statuses(run_profile(executed_project, "quick")) == {FIRST: "cached", SECOND: "executed"}


def test_committing_outputs_does_not_invalidate(executed_project: Path, fake_papermill):
    executed = paths.executed_notebook(executed_project, "quick", FIRST)
    source = nbformat.read(executed_project / FIRST, as_version=4)
    run = [cell for cell in nbformat.read(executed, as_version=4).cells
           if "injected-parameters" not in cell.metadata.get("tags", [])]
    for cell, executed_cell in zip(source.cells, run):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = executed_cell.outputs, executed_cell.execution_count
    nbformat.write(source, executed_project / FIRST)
    assert set(_statuses(run_profile(executed_project, "quick")).values()) == {"cached"}


def test_force_re_executes_cached_chapters(executed_project: Path, fake_papermill):
    assert set(_statuses(run_profile(executed_project, "quick", force=True)).values()) == {"executed"}


def test_a_new_dependency_version_re_executes(executed_project: Path, fake_papermill, monkeypatch):
    from booktools.pipeline import cache

    real = cache.installed_versions()
    monkeypatch.setattr(cache, "installed_versions", lambda: {**real, "jax": "99.0"})
    assert set(_statuses(run_profile(executed_project, "quick")).values()) == {"executed"}


def test_only_the_requested_chapter_runs(project: Path, fake_papermill):
    assert _statuses(run_profile(project, "quick", [SECOND])) == {SECOND: "executed"}
    assert fake_papermill.executed == ["02_second"]


# --- interruptions ---------------------------------------------------------------------------------

def test_a_killed_run_resumes_where_it_stopped(project: Path, fake_papermill):
    fake_papermill.fail_on, fake_papermill.exception = {"02_second"}, KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C while the second chapter executes
        run_profile(project, "quick")
    assert paths.executed_notebook(project, "quick", FIRST).is_file()
    assert not paths.executed_notebook(project, "quick", SECOND).exists()  # never half-written

    fake_papermill.fail_on, fake_papermill.executed = set(), []
    assert _statuses(run_profile(project, "quick")) == {FIRST: "cached", SECOND: "executed"}
    assert fake_papermill.executed == ["02_second"]


def test_leftovers_of_a_killed_process_are_ignored_and_replaced(project: Path, fake_papermill):
    output = paths.executed_notebook(project, "quick", FIRST)
    output.parent.mkdir(parents=True)
    dead = _dead_pid()
    leftovers = [output.with_suffix(".partial.ipynb"),  # the shared name of earlier versions
                 output.with_name(f"01_first.partial-{dead}.ipynb"),  # SIGKILL mid-execution
                 paths.key_file(project, "quick", FIRST).with_name(f"01_first.cache-key.json.partial-{dead}")]
    for leftover in leftovers:
        leftover.write_text("{half a file")
    alive = output.with_name(f"01_first.partial-{os.getppid()}.ipynb")  # a live writer's file is its own
    alive.write_text("{being written")
    assert _statuses(run_profile(project, "quick", [FIRST])) == {FIRST: "executed"}
    assert not any(leftover.exists() for leftover in leftovers) and alive.exists()
    assert nbformat.read(output, as_version=4).cells


def _dead_pid() -> int:
    """The PID of a process that has exited."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_executed_notebook_without_its_key_is_re_executed(executed_project: Path, fake_papermill):
    paths.key_file(executed_project, "quick", FIRST).unlink()  # killed between the two renames
    assert _statuses(run_profile(executed_project, "quick")) == {FIRST: "executed", SECOND: "cached"}


def test_jobs_must_be_positive(project: Path):
    with pytest.raises(ValueError, match="jobs"):
        run_profile(project, "quick", jobs=0)

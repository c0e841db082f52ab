"""Execute chapters with papermill into a profile's run folder, reusing results that are still valid.

Each chapter is executed in its own folder (so relative paths in it work), with the profile's parameters
injected and ``MINIMAX_CLAIMS_DIR`` pointing at the run's claims folder. The executed notebook is
written under a temporary name and renamed only on success, then its cache key is stored beside it:
a run that is killed leaves every finished chapter valid, and the next run resumes with the others.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booktools import cache, paths
from booktools.chapters import list_chapters, select_chapters
from booktools.profiles import chapter_parameters, load_profile, unknown_chapters

KERNEL_NAME = "python3"
# ipykernel >= 7 warns at every start that its local TCP sockets are unencrypted; that is the normal
# setup of a kernel on localhost, and one such line per chapter would bury the progress lines.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
CLAIMS_ENV_VAR = "MINIMAX_CLAIMS_DIR"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class ChapterTask:
    """Everything a (possibly separate) worker process needs to execute one chapter."""

    root: Path
    profile: str
    chapter: str
    label: str                      # "[2/5] book/part1/….ipynb", for progress lines
    reason: str                     # why it is executed: "forced", "library changed", ...
    parameters: dict[str, Any]
    key: cache.CacheKey
    environment: dict[str, str]     # set in the worker while it executes (the kernel inherits it)


@dataclass
class ChapterOutcome:
    """What happened to one chapter: ``cached``, ``executed`` or ``failed``."""

    chapter: str
    status: str
    seconds: float = 0.0
    error: str = ""


def run_profile(root: Path, profile: str, chapters: list[str] | None = None, *,
                jobs: int = 1, force: bool = False) -> list[ChapterOutcome]:
    """Execute the ``chapters`` (default: all) of the book under ``profile``, printing progress.

    A chapter whose stored cache key equals its current key is reported ``cached`` and not executed,
    unless ``force``. Failures are reported and the other chapters still run; the caller decides the
    exit status from the returned outcomes.
    """
    root = Path(root).resolve()
    if jobs < 1:
        raise ValueError(f"jobs must be a positive number of processes, got {jobs}")
    overrides = load_profile(root, profile)
    selected = select_chapters(root, chapters)
    for stray in unknown_chapters(overrides, list_chapters(root)):
        print(f"warning: profile {profile!r} has overrides for {stray}, which is not a chapter "
              f"of _toc.yml", flush=True)

    print(f"Profile {profile!r}: {len(selected)} chapter(s), {jobs} job(s), "
          f"into {paths.run_dir(root, profile).relative_to(root)}/", flush=True)
    started = time.perf_counter()
    environment = _worker_environment(root, profile, jobs)
    outcomes, pending = _split_cached(root, profile, selected, force, environment)
    outcomes += _execute_all(pending, jobs)
    outcomes.sort(key=lambda outcome: selected.index(outcome.chapter))
    _print_summary(profile, outcomes, time.perf_counter() - started)
    return outcomes


def _split_cached(root: Path, profile: str, selected: list[str], force: bool,
                  environment: dict[str, str]) -> tuple[list[ChapterOutcome], list[ChapterTask]]:
    """Report the chapters whose cached result is valid; return them and the tasks for the others."""
    cached, pending = [], []
    for number, (chapter, key) in enumerate(current_keys(root, profile, selected).items(), start=1):
        label = f"[{number}/{len(selected)}] {chapter}"
        if not force and is_up_to_date(root, profile, chapter, key):
            print(f"{label}: cached", flush=True)
            cached.append(ChapterOutcome(chapter, "cached"))
            continue
        reason = "forced" if force else _why_stale(root, profile, chapter, key)
        pending.append(ChapterTask(root, profile, chapter, label, reason, key["parameters"], key,
                                   environment))
    return cached, pending


def current_keys(root: Path, profile: str, chapters: list[str]) -> dict[str, cache.CacheKey]:
    """The cache key of each chapter as it would be executed now under ``profile``, in order."""
    overrides = load_profile(root, profile)
    library, versions = cache.library_digest(root), cache.dependency_versions()
    return {chapter: cache.cache_key(root, chapter, chapter_parameters(profile, overrides, chapter),
                                     library=library, versions=versions)
            for chapter in chapters}


def is_up_to_date(root: Path, profile: str, chapter: str, key: cache.CacheKey) -> bool:
    """True when the run holds an executed notebook of ``chapter`` made from exactly ``key``."""
    executed, key_file = paths.executed_notebook(root, profile, chapter), paths.key_file(root, profile, chapter)
    return (executed.is_file() and cache.read_key(key_file) == key
            and not _library_touched_since(root, key_file))


def _library_touched_since(root: Path, key_file: Path) -> bool:
    """True when a library file was modified after the key was stored (make's rule)."""
    return cache.newest_library_mtime(root) > key_file.stat().st_mtime


def _why_stale(root: Path, profile: str, chapter: str, key: cache.CacheKey) -> str:
    """A short reason for re-executing, e.g. ``"library changed"`` or ``"no previous run"``."""
    if not paths.executed_notebook(root, profile, chapter).is_file():
        return "no previous run"
    stored = cache.read_key(paths.key_file(root, profile, chapter))
    if stored is None:
        return "no cache key: interrupted or failed before"
    changed = cache.changed_parts(stored, key)
    if not changed and _library_touched_since(root, paths.key_file(root, profile, chapter)):
        return "library touched since the last run"
    return ", ".join(changed) + " changed"


def _worker_environment(root: Path, profile: str, jobs: int) -> dict[str, str]:
    """Environment variables for the executing kernels (they inherit the worker's environment)."""
    environment = {CLAIMS_ENV_VAR: str(paths.claims_dir(root, profile))}
    if jobs > 1 and "XLA_PYTHON_CLIENT_PREALLOCATE" not in os.environ:
        # On a GPU each JAX process grabs 75 % of the memory by default; parallel chapters must share.
        environment["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
    return environment


def _execute_all(tasks: list[ChapterTask], jobs: int) -> list[ChapterOutcome]:
    """Execute the tasks, one after the other or in ``jobs`` worker processes, reporting each end."""
    if jobs == 1 or len(tasks) <= 1:
        return [_report(task, execute_task(task)) for task in tasks]
    # "spawn": fresh interpreters, nothing inherited from this process's threads or event loops.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(execute_task, task): task for task in tasks}
        return [_report(futures[future], future.result()) for future in as_completed(futures)]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def execute_task(task: ChapterTask) -> ChapterOutcome:
    """Execute one chapter (in this process), never raising for a failing notebook."""
    print(f"{task.label}: executing… ({task.reason})", flush=True)
    started = time.perf_counter()
    try:
        with _environment(task.environment):
            execute_chapter(task.root, task.profile, task.chapter, task.parameters, task.key)
    except Exception as exc:  # a failing chapter must not stop the others
        return ChapterOutcome(task.chapter, "failed", time.perf_counter() - started, describe_failure(exc))
    return ChapterOutcome(task.chapter, "executed", time.perf_counter() - started)


def execute_chapter(root: Path, profile: str, chapter: str, parameters: dict[str, Any],
                    key: cache.CacheKey) -> None:
    """Execute ``chapter`` with papermill into the run folder, atomically, then store its key.

    The notebook is written to ``*.partial.ipynb`` while it runs (papermill saves after every cell,
    handy to watch a long run) and renamed into place on success. On failure it is kept as
    ``*.failed.ipynb`` for inspection and the exception propagates.
    """
    import papermill  # imported here: slow to import, and only workers that execute need it

    source = Path(root) / chapter
    output = paths.executed_notebook(root, profile, chapter)
    partial = output.with_suffix(".partial.ipynb")
    failed = paths.failed_notebook(root, profile, chapter)
    output.parent.mkdir(parents=True, exist_ok=True)
    paths.claims_dir(root, profile).mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(str(source), str(partial), parameters=parameters,
                                   kernel_name=KERNEL_NAME, cwd=str(source.parent), progress_bar=False,
                                   extra_arguments=KERNEL_ARGUMENTS)
    except BaseException:
        if partial.exists():
            os.replace(partial, failed)
        raise
    os.replace(partial, output)
    cache.write_key(paths.key_file(root, profile, chapter), key)
    failed.unlink(missing_ok=True)


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore the previous values."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe_failure(exc: BaseException) -> str:
    """One readable line for a failed execution (papermill's error names the cell and the exception)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        message = f"{exc.ename}: {exc.evalue} (in cell [{exc.exec_count}])"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return ANSI_ESCAPE.sub("", message).strip()


def _report(task: ChapterTask, outcome: ChapterOutcome) -> ChapterOutcome:
    """Print the end of one chapter's execution."""
    if outcome.status == "failed":
        kept = paths.failed_notebook(task.root, task.profile, task.chapter).relative_to(task.root)
        print(f"{task.label}: FAILED after {outcome.seconds:.1f} s: {outcome.error}\n"
              f"    executed notebook kept at {kept}", flush=True)
    else:
        print(f"{task.label}: done in {outcome.seconds:.1f} s", flush=True)
    return outcome


def _print_summary(profile: str, outcomes: list[ChapterOutcome], seconds: float) -> None:
    """One line: how many chapters were executed, cached, failed, and how long it all took."""
    counts = {status: sum(o.status == status for o in outcomes) for status in ("executed", "cached", "failed")}
    print(f"Profile {profile!r}: {counts['executed']} executed, {counts['cached']} cached, "
          f"{counts['failed']} failed, in {seconds:.1f} s", flush=True)
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"  failed: {outcome.chapter}: {outcome.error}", flush=True)

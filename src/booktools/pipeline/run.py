"""Execute chapters with papermill into a profile's run folder, reusing results that are still valid.

Each chapter is executed in its own folder (so relative paths in it work), with the profile's parameters
injected, ``MINIMAX_CHAPTER`` naming it (its claims ledger takes that name), ``MINIMAX_CLAIMS_DIR`` pointing at the
run's claims folder and ``JAX_COMPILATION_CACHE_DIR`` at
``_build/jax-cache`` (JAX's persistent compilation cache, shared with ``make test``; a variable the user
set wins). The executed notebook is written under a name private to the writing process
(``*.partial-<pid>.ipynb``) and renamed only on success, then its cache key and the digests of its
outputs (executed notebook, claims ledger) are stored beside it.

One run of a profile at a time: the run holds the lock of its folder (:mod:`booktools.pipeline.locks`); a second
one stops at once naming the holder's PID, or waits with ``wait=True``. Under the lock, half-written
files left by dead writers (a SIGKILL) are removed first, so a killed run leaves every finished chapter
valid and nothing the next run trips over; it resumes with the other chapters.

The kernel's own stderr (XLA's warnings, ipykernel's log) is relayed after the chapter, except after an
interrupt. A Ctrl-C shows one line (the CLI's): not the traceback of the kernel whose sockets were
closed under it, nor nbclient's "Kernel died" and asyncio's "Task exception was never retrieved", which
are logged while the interrupted execution is torn down; logging is switched off once Ctrl-C is pressed
during an execution (the process is on its way out).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booktools.pipeline import cache, locks, paths
from booktools.pipeline.chapters import select_chapters
from booktools.pipeline.dependencies import DependencyFinder
from booktools.pipeline.profiles import chapter_parameters, load_profile

KERNEL_NAME = "python3"
# ipykernel >= 7 warns at every start that its local TCP sockets are unencrypted; that is the normal
# setup of a kernel on localhost, and one such line per chapter would bury the progress lines.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
CLAIMS_ENV_VAR = "MINIMAX_CLAIMS_DIR"
CHAPTER_ENV_VAR = "MINIMAX_CHAPTER"  # the chapter's own path, from which its claims ledger takes its name
COMPILATION_CACHE_ENV_VAR = "JAX_COMPILATION_CACHE_DIR"
# A file being written by process <pid>: private to it, removed by the next run once the writer is dead.
PARTIAL_FILE = re.compile(r"\.partial-(\d+)(\.|$)")
LEGACY_PARTIAL_SUFFIXES = (".partial.ipynb", ".cache-key.json.partial")  # shared names of earlier versions
MAX_REASONS = 4
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
                jobs: int = 1, force: bool = False, wait: bool = False) -> list[ChapterOutcome]:
    """Execute the ``chapters`` (default: all) of the book under ``profile``, printing progress.

    A chapter whose stored cache key equals its current key, and whose recorded outputs are intact, is
    reported ``cached`` and not executed, unless ``force``. Failures are reported and the other chapters
    still run; the caller decides the exit status from the returned outcomes. The profile and the
    chapters are checked before anything is written; another run of the profile raises (or, with
    ``wait``, is waited for).
    """
    root = Path(root).resolve()
    if jobs < 1:
        raise ValueError(f"jobs must be a positive number of processes, got {jobs}")
    load_profile(root, profile)  # unknown profile, chapter, parameter or type: an error before anything runs
    selected = select_chapters(root, chapters)
    folder = paths.run_dir(root, profile)
    with locks.hold(paths.lock_file(root, f"run-{profile}"), f"the run folder {folder.relative_to(root)}",
                    wait=wait):
        remove_abandoned_files(folder)
        print(f"Profile {profile!r}: {len(selected)} chapter(s), {jobs} job(s), "
              f"into {folder.relative_to(root)}/", flush=True)
        started = time.perf_counter()
        environment = _worker_environment(root, profile, jobs)
        outcomes, pending = _split_cached(root, profile, selected, force, environment)
        outcomes += _execute_all(pending, jobs)
        outcomes.sort(key=lambda outcome: selected.index(outcome.chapter))
        _print_summary(profile, outcomes, time.perf_counter() - started)
    return outcomes


def remove_abandoned_files(folder: Path) -> list[Path]:
    """Remove the half-written files under ``folder`` whose writer is dead (killed); return them."""
    removed = []
    for path in sorted(Path(folder).rglob("*.partial*")):
        match = PARTIAL_FILE.search(path.name)
        abandoned = (not locks.is_alive(int(match.group(1))) if match
                     else path.name.endswith(LEGACY_PARTIAL_SUFFIXES))
        if abandoned and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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
                                   {**environment, CHAPTER_ENV_VAR: chapter}))
    return cached, pending


def current_keys(root: Path, profile: str, chapters: list[str]) -> dict[str, cache.CacheKey]:
    """The cache key of each chapter as it would be executed now under ``profile``, in order."""
    overrides = load_profile(root, profile)
    finder, versions, backend = DependencyFinder(root), cache.installed_versions(), cache.jax_backend()
    return {chapter: cache.cache_key(root, chapter, chapter_parameters(profile, overrides, chapter),
                                     finder=finder, versions=versions, backend=backend)
            for chapter in chapters}


def is_up_to_date(root: Path, profile: str, chapter: str, key: cache.CacheKey) -> bool:
    """True when the run holds an executed notebook of ``chapter`` made from exactly ``key``, with every
    output it recorded still there, unchanged."""
    record = cache.read_key(paths.key_file(root, profile, chapter))
    return (paths.executed_notebook(root, profile, chapter).is_file() and record is not None
            and cache.stored_key(record) == key
            and not cache.output_problems(paths.run_dir(root, profile), record))


def _why_stale(root: Path, profile: str, chapter: str, key: cache.CacheKey) -> str:
    """A precise reason for re-executing: ``"library file minimax/games.py changed"``, ``"no previous run"``,
    ``"MINIMAX_MNIST_DIR changed"``, ``"claims ledger missing"``, ..."""
    if not paths.executed_notebook(root, profile, chapter).is_file():
        return "no previous run"
    record = cache.read_key(paths.key_file(root, profile, chapter))
    if record is None:
        return "no cache key: interrupted or failed before"
    reasons = (cache.differences(cache.stored_key(record), key)
               + cache.output_problems(paths.run_dir(root, profile), record))
    more = len(reasons) - MAX_REASONS
    return ", ".join(reasons[:MAX_REASONS]) + (f" and {more} more" if more > 0 else "")


def _worker_environment(root: Path, profile: str, jobs: int) -> dict[str, str]:
    """Environment variables for the executing kernels (they inherit the worker's environment)."""
    environment = {CLAIMS_ENV_VAR: str(paths.claims_dir(root, profile))}
    if COMPILATION_CACHE_ENV_VAR not in os.environ:  # not part of the cache key: it changes no number
        environment[COMPILATION_CACHE_ENV_VAR] = str(paths.jax_cache_dir(root).resolve())
    if jobs > 1 and "XLA_PYTHON_CLIENT_PREALLOCATE" not in os.environ:
        # On a GPU each JAX process grabs 75 % of the memory by default; parallel chapters must share.
        environment["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
    return environment


def _execute_all(tasks: list[ChapterTask], jobs: int) -> list[ChapterOutcome]:
    """Execute the tasks, one after the other or in ``jobs`` worker processes, reporting each end."""
    if jobs == 1 or len(tasks) <= 1:
        return [_report(task, execute_task(task)) for task in tasks]
    # "spawn": fresh interpreters, nothing inherited from this process's threads or event loops.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_interrupt_only_while_executing)
    try:
        futures = {pool.submit(execute_task, task): task for task in tasks}
        return [_report(futures[future], future.result()) for future in as_completed(futures)]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_executing = False  # whether a Ctrl-C should interrupt this process (see _on_interrupt)


def _interrupt_only_while_executing() -> None:
    """Worker initializer: a Ctrl-C (sent to the whole process group) interrupts a chapter being executed,
    which reports it to the parent; an idle worker ignores it rather than print a traceback."""
    signal.signal(signal.SIGINT, _on_interrupt)


def _on_interrupt(signum, frame) -> None:
    """SIGINT while a chapter executes: silence the teardown's log records, then interrupt."""
    if _executing:
        logging.disable(logging.CRITICAL)
        raise KeyboardInterrupt


def execute_task(task: ChapterTask) -> ChapterOutcome:
    """Execute one chapter (in this process), never raising for a failing notebook."""
    global _executing
    print(f"{task.label}: executing… ({task.reason})", flush=True)
    started = time.perf_counter()
    in_main_thread = threading.current_thread() is threading.main_thread()  # where signals are handled
    previous = signal.signal(signal.SIGINT, _on_interrupt) if in_main_thread else None
    _executing = True
    try:
        with _environment(task.environment):
            execute_chapter(task.root, task.profile, task.chapter, task.parameters, task.key)
    except Exception as exc:  # a failing chapter must not stop the others
        return ChapterOutcome(task.chapter, "failed", time.perf_counter() - started, describe_failure(exc))
    finally:
        _executing = False
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return ChapterOutcome(task.chapter, "executed", time.perf_counter() - started)


def execute_chapter(root: Path, profile: str, chapter: str, parameters: dict[str, Any],
                    key: cache.CacheKey) -> None:
    """Execute ``chapter`` with papermill into the run folder, atomically, then store its key.

    The notebook is written to ``*.partial-<pid>.ipynb`` while it runs (papermill saves after every
    cell, handy to watch a long run) and renamed into place on success; the key is stored with the
    digests of the executed notebook and of the claims ledger the execution wrote. On failure the
    notebook is kept as ``*.failed.ipynb`` for inspection and the exception propagates.
    """
    import papermill  # imported here: slow to import, and only workers that execute need it

    source = Path(root) / chapter
    output = paths.executed_notebook(root, profile, chapter)
    partial = output.with_name(f"{Path(chapter).stem}.partial-{os.getpid()}.ipynb")
    failed = paths.failed_notebook(root, profile, chapter)
    ledger = paths.claims_dir(root, profile) / f"{Path(chapter).stem}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger_before = _modified(ledger)
    with tempfile.TemporaryFile() as kernel_stderr:  # anonymous: nothing left behind, even by a SIGKILL
        interrupted = False
        try:
            papermill.execute_notebook(str(source), str(partial), parameters=parameters,
                                       kernel_name=KERNEL_NAME, cwd=str(source.parent), progress_bar=False,
                                       extra_arguments=KERNEL_ARGUMENTS,
                                       kernel_manager_class=_kernel_manager_class(kernel_stderr))
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            if partial.exists():
                os.replace(partial, failed)
            raise
        finally:
            if not interrupted:
                _relay(kernel_stderr)
    os.replace(partial, output)
    produced = [output] + ([ledger] if ledger.is_file() and _modified(ledger) != ledger_before else [])
    cache.write_key(paths.key_file(root, profile, chapter), key,
                    cache.output_digests(paths.run_dir(root, profile), produced))
    failed.unlink(missing_ok=True)


def _modified(path: Path) -> tuple[int, int] | None:
    """(modification time in ns, size) of a file, None when it does not exist."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_size


def _kernel_manager_class(stderr):
    """jupyter_client's kernel manager, with the kernel's stderr going to the file ``stderr``."""
    from jupyter_client.manager import AsyncKernelManager

    class KernelManagerWithCapturedStderr(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):  # the documented place to change the launch
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": stderr})

    return KernelManagerWithCapturedStderr


def _relay(captured) -> None:
    """Copy what the kernel wrote to its stderr onto ours (XLA's warnings, a crash's last words)."""
    captured.flush()
    captured.seek(0)
    text = captured.read().decode("utf-8", errors="replace")
    if text:
        print(text, end="", file=sys.stderr, flush=True)


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

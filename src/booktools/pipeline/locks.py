"""One writer at a time: an exclusive lock per run folder (``run-<profile>``) and for the assignments build.

The lock is an ``fcntl.flock`` on a file under ``_build/locks/``. The operating system releases it when
its holder exits, however it exits (SIGKILL included), so a lock is never stale; the file merely stays.
The holder writes its PID into the file, so that a second process can say who holds the lock: by
default it gives up at once with a :class:`~booktools.errors.BooktoolsError` (exit status 2), and with
``wait=True`` (the CLI's ``--wait``) it waits for the holder to finish.

The descriptor is not inherited by child processes (Python opens files close-on-exec), so a kernel
left running by a killed run does not keep the lock.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from booktools.errors import BooktoolsError


@contextmanager
def hold(path: Path, what: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the lock at ``path`` (guarding ``what``, e.g. ``"the run folder _build/runs/quick"``) in the block."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_description(path)
            if not wait:
                raise BooktoolsError(f"{what} is in use by {holder} (lock {path}); wait for it to "
                                     f"finish, or pass --wait to wait for it") from None
            print(f"waiting for {holder}, which is using {what}…", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _write_pid(handle, f"{os.getpid()}\n")
        try:
            yield
        finally:
            _write_pid(handle, "")


def holder_description(path: Path) -> str:
    """``"process 1234"`` from the lock file, or ``"another process"`` when it has not written its PID yet."""
    try:
        pid = Path(path).read_text(encoding="utf-8").strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


def is_alive(pid: int) -> bool:
    """True when a process ``pid`` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def _write_pid(handle, text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()

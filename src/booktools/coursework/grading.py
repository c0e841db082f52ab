"""The autograder: grade submitted notebooks so that no submission can forge its score.

Standard library only, so ``make assignments`` ships this very file as the autograder's ``grade.py``,
next to the tests and without the instructor's notebooks::

    python grade.py SUBMISSION.ipynb|FOLDER ... --tests TESTS.json [--out DIR]
                    [--time-limit S] [--cell-time-limit S] [--probe-time-limit S] [--total-time-limit S]
                    [--memory-limit MIB] [--deadline ISO --late-penalty FRACTION [--roster CSV]]
                    [--hide PATH ...]

writes, under ``DIR`` (default ``grading-results``): ``gradebook.csv`` (one row per submission),
``feedback/<student>.txt``, ``results/<student>.json`` (Gradescope's autograder results schema) and
``grading_sheet.md`` (the written questions: rubric and every student's answer). The student is the
submission's file stem. Exit status 0 whenever results were written, whatever the scores.

Two processes, and only one of them is trusted (assignment format 2, see the tests of each question):

1. The *student process* runs the submission's code cells in order (test cells are skipped, IPython
   magics left out), then each question's *probe* — the part of a test that calls the student's
   functions — and sends back the values the check needs as plain data (JSON over a pipe: None,
   bool, int, float, str, lists and str-keyed dicts; arrays become nested lists). It is started fresh
   for every submission, in an empty folder, with a scrubbed environment and limits on time (per
   cell, per probe, total), memory, processes, file size and output; when the grader runs as root it
   also runs as a fresh unprivileged uid, without network, in a private mount namespace where the
   submissions, the tests and the results are hidden. Nothing it does counts except the values it
   sends; it dies, with every process it started, before anything is written.
2. The *grader* (this process) runs each *check* — the assertions — on those values, in its own
   namespace with ``np`` and ``math``; the hidden checks never leave it. All visible probes run before
   any hidden one, and a hidden part's feedback only says which kind of failure it was (wrong value,
   exception, time-out, not plain data), so no hidden test's text or value reaches a student.

If the student process dies or hangs (``os._exit``, a loop that swallows the time-out, a native
crash), the grader records the culprit, starts a new process that skips it and goes on: every other
question keeps its points.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import io
import json
import math
import os
import random
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

TEST_HEADER = re.compile(r"^\s*#\s*TEST\s+(?P<id>[\w.-]+)\s*\(\s*(?P<points>\d+(?:\.\d+)?)\s*points?\s*\)", re.IGNORECASE)
ANSWER_HEADER = re.compile(r"^\s*<!--\s*ANSWER\s+(?P<id>[\w.-]+)\s*-->\s*$")
ANSWER_STUB = "*Your answer here.*"
MAGIC_LINE = re.compile(r"^\s*[%!]")
DEFINITION = re.compile(r"^(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]*)?=(?!=)", re.MULTILINE)
DEFAULT_CELL_TIME_LIMIT = 60.0
DEFAULT_PROBE_TIME_LIMIT = 60.0
DEFAULT_TOTAL_TIME_LIMIT = 600.0
DEFAULT_MEMORY_LIMIT_MIB = 4096       # address space: a JAX process reserves about 1.7 GiB of it
KILL_GRACE_S = 5.0                    # past an item's limit, the process gets this long to answer
MAX_PROCESSES = 256                   # tasks of the sandbox uid (threads count: JAX starts a few dozen)
MAX_FILE_BYTES = 64 * 2**20
MAX_REPLY_BYTES = 32 * 2**20          # one answer of the student process (the values of a probe)
OUTPUT_KEPT_BYTES = 2000              # printed output kept per cell, for the feedback
MESSAGE_CHARS = 400                   # a visible test's message, in the feedback
FAILURE_KINDS = ("wrong value", "exception", "time-out", "not plain data")


# --- the assignment's tests (trusted) ------------------------------------------------------------

@dataclass
class Part:
    """The visible or the hidden tests of a question: a probe (student side) and a check (grader side).

    ``points`` is None when the question scores only if all its parts pass."""

    kind: str
    points: float | None
    probe: str
    check: str


@dataclass
class Question:
    id: str
    points: float
    parts: list[Part]


@dataclass
class Written:
    """A manually graded question: the grader collects each student's answer for the gradebook."""

    id: str
    points: float
    prompt: str = ""
    rubric: str = ""


@dataclass
class Spec:
    assignment: str
    questions: list[Question]
    written: list[Written] = field(default_factory=list)


def load_tests(path: Path) -> Spec:
    """The assignment's questions, from the autograder's ``tests.json`` (assignment format 2)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != 2:
        raise ValueError(f"{path}: not an assignment of format 2 (rebuild it with `make assignments`)")
    questions = [Question(q["id"], float(q["points"]), [Part(**part) for part in q["parts"]])
                 for q in data["questions"]]
    return Spec(data["assignment"], questions, [Written(**w) for w in data.get("written", [])])


def handed_names(probe: str, check: str) -> tuple[list[str], list[str]]:
    """What travels from student to grader: the names the probe assigns at top level and the check reads.

    Returns ``(needed, optional)``: a name the check also assigns itself (a random generator it
    re-creates, say) is optional — sent only if it is plain data.

    >>> handed_names("f = make(2)\\nvalue = f(1)\\nrng = R(0)", "rng = R(0)\\nassert value == 3 + rng.x()")
    (['value'], ['rng'])
    """
    assigned: set[str] = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                                  ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                assigned.add(child.id)
            visit(child)

    visit(ast.parse(probe))
    names = [node for node in ast.walk(ast.parse(check)) if isinstance(node, ast.Name)]
    read = assigned & {node.id for node in names if isinstance(node.ctx, ast.Load)}
    rebound = {node.id for node in names if isinstance(node.ctx, ast.Store)}
    return sorted(read - rebound), sorted(read & rebound)


# --- reading a submission ------------------------------------------------------------------------

def read_notebook(path: Path) -> list[dict]:
    """The cells of a notebook file (raises ValueError with the reason when it is not one)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = notebook["cells"]
        if not isinstance(cells, list):
            raise TypeError("'cells' is not a list")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the submission is not a readable notebook ({type(exc).__name__}: {exc})") from None
    return [cell for cell in cells if isinstance(cell, dict)]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(str(line) for line in source)


def submission_cells(cells: list[dict]) -> list[str]:
    """The sources of the code cells; test cells become empty (the grader's own tests count)."""
    return ["" if TEST_HEADER.match(_source(cell)) else without_magics(_source(cell))
            for cell in cells if cell.get("cell_type") == "code"]


def without_magics(source: str) -> str:
    """The cell without IPython magic and shell lines (a ``%%`` cell magic drops only its own line)."""
    return "\n".join("" if MAGIC_LINE.match(line) else line for line in source.splitlines())


def written_answers(cells: list[dict]) -> dict[str, str]:
    """The text of each ``<!-- ANSWER <id> -->`` markdown cell, without its marker ("" if left as is)."""
    answers = {}
    for cell in cells:
        lines = _source(cell).splitlines()
        if cell.get("cell_type") == "markdown" and lines and ANSWER_HEADER.match(lines[0]):
            text = "\n".join(lines[1:]).strip()
            answers[ANSWER_HEADER.match(lines[0]).group("id")] = "" if text == ANSWER_STUB else text
    return answers


# --- the student process ---------------------------------------------------------------------------

# Runs in the student process (``python -c``): executes what the grader asks, one request at a time, and
# answers with plain data. Nothing here is trusted: the submission can replace any of it.
HARNESS = r'''
import json, os, signal, sys, traceback


def main(compile=compile, exec=exec, dumps=json.dumps, loads=json.loads, write=os.write, waitpid=os.waitpid,
         setitimer=signal.setitimer, extract_tb=traceback.extract_tb, print=print):
    # Everything is local to this function and bound once, here: a cell that rebinds a name of this
    # module, or json.dumps, os.write, builtins, changes nothing for the requests that follow.
    requests, replies = int(sys.argv[1]), int(sys.argv[2])

    class ItemTimeout(BaseException):
        # BaseException: ``except Exception`` in the student's code does not swallow it.
        pass

    class NotPlain(Exception):
        pass

    def on_alarm(signum, frame):
        raise ItemTimeout()

    def plain(value, depth=0):
        if depth > 64:
            raise NotPlain("nested more than 64 levels deep")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, (list, tuple)):
            return [plain(item, depth + 1) for item in value]
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise NotPlain("a dict with keys that are not str")
            return {str(key): plain(item, depth + 1) for key, item in value.items()}
        if hasattr(value, "__array__") and type(value).__module__.split(".")[0] in ("numpy", "jax", "jaxlib"):
            import numpy
            array = numpy.asarray(value)
            if array.dtype.kind in "biufU":
                return array.tolist()
            if array.dtype.kind == "O":
                return plain(array.tolist(), depth + 1)
        raise NotPlain(f"a value of type {type(value).__name__}")

    def describe(exc):
        text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        if isinstance(exc, AssertionError) and not str(exc):
            text = "AssertionError (an assertion failed)"
        own = [frame for frame in extract_tb(exc.__traceback__) if frame.filename.startswith("<")]
        if own:
            text += f" — at {own[-1].filename[1:-1]}, line {own[-1].lineno}"
        return text[:1500]

    def run(source, filename, namespace, limit):
        try:
            code = compile(source, filename, "exec")
        except SyntaxError as exc:
            return {"status": "syntax-error",
                    "message": f"SyntaxError: {exc.msg} (line {exc.lineno}: {(exc.text or '').strip()!r})"}
        setitimer(signal.ITIMER_REAL, limit)
        try:
            exec(code, namespace)
            reply = {"status": "ok"}
        except ItemTimeout:
            reply = {"status": "timeout", "message": f"still running after the time limit of {limit:g} s"}
        except BaseException as exc:
            reply = {"status": "error", "type": type(exc).__name__, "message": describe(exc)}
        finally:
            setitimer(signal.ITIMER_REAL, 0)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
        return reply

    def values_of(scope, needed, optional):
        values = {}
        for name in optional:
            try:
                values[name] = plain(scope[name])
            except (KeyError, NotPlain):
                pass
        for name in needed:
            if name in scope:
                try:
                    values[name] = plain(scope[name])
                except NotPlain as exc:
                    return {"status": "not-plain", "message": f"`{name}`: the tests need plain data, got {exc}"}
        return {"status": "ok", "values": values}

    def send(reply):
        data = (dumps(reply) + "\n").encode()
        while data:
            data = data[write(replies, data):]

    def reap():
        try:
            while waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass

    signal.signal(signal.SIGALRM, on_alarm)
    namespace = {"__name__": "__main__", "display": print}
    for line in os.fdopen(requests, "rb"):
        request = loads(line)
        if request["op"] == "cell":
            reply = run(request["source"], f"<cell {request['cell']}>", namespace, request["limit"])
        else:
            scope = dict(namespace)
            reply = run(request["source"], f"<tests of {request['question']}>", scope, request["limit"])
            if reply["status"] == "ok":
                reply = values_of(scope, request["names"], request["optional"])
        reply["id"] = request["id"]
        send(reply)
        reap()


main()
del main
'''

# Runs as root between fork and the harness (a fresh single-threaded interpreter): confines itself, then
# becomes the student process. Its argument is a JSON object; see Sandbox.
LAUNCHER = r'''
import ctypes, json, os, resource, stat, sys
config = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 4096, 16384, 1 << 18
MNT_DETACH = 2
notes = []

def mount(source, target, fstype, flags, data):
    if libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                  data and data.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")

def traversable(path):
    return bool(os.stat(path).st_mode & stat.S_IXOTH)

def open_locked_folders(paths):
    # A folder the sandbox uid may not enter (e.g. /root, 0700, holding the interpreter) becomes an empty
    # tmpfs in which only the needed entries are bind-mounted back: the rest of it stays out of sight.
    for _ in range(32):
        locked = {}
        for path in paths:
            parts = os.path.abspath(path).split("/")[1:]
            for depth in range(len(parts)):
                folder = "/" + "/".join(parts[:depth])
                if os.path.isdir(folder) and not traversable(folder):
                    locked.setdefault(folder, set()).add(parts[depth])
                    break
        if not locked:
            return
        for folder, entries in locked.items():
            stash = {}
            for entry in sorted(entries):
                stash[entry] = f"/tmp/.stash-{len(os.listdir('/tmp'))}"
                os.mkdir(stash[entry])
                mount(os.path.join(folder, entry), stash[entry], None, MS_BIND | MS_REC, None)
            mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
            for entry, place in stash.items():
                target = os.path.join(folder, entry)
                os.mkdir(target) if os.path.isdir(place) else open(target, "w").close()
                mount(place, target, None, MS_BIND | MS_REC, None)
                libc.umount2(place.encode(), MNT_DETACH)
                os.rmdir(place)

def cover(folder, reach, options):
    # A private, empty scratch folder but for the entries the student process needs (an interpreter or a
    # checkout under /tmp, say): held open across the mount and bound back through /proc/self/fd.
    prefix = folder.rstrip("/") + "/"
    keep = sorted({p[len(prefix):].split("/")[0] for p in map(os.path.abspath, reach) if p.startswith(prefix)})
    held = {entry: os.open(os.path.join(folder, entry), os.O_PATH) for entry in keep}
    mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
    for entry, fd in held.items():
        target = os.path.join(folder, entry)
        os.mkdir(target) if os.path.isdir(f"/proc/self/fd/{fd}") else open(target, "w").close()
        mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC, None)
        os.close(fd)

if config["uid"] is not None:
    network = libc.unshare(CLONE_NEWNET) == 0
    notes.append("" if network else "network: not isolated (unshare(CLONE_NEWNET) failed)")
    if libc.unshare(CLONE_NEWNS) == 0:
        mount(None, "/", None, MS_REC | MS_PRIVATE, None)
        for scratch in ("/tmp", "/var/tmp", "/dev/shm"):
            if os.path.isdir(scratch):
                cover(scratch, config["reach"], "size=512m,mode=1777")
        open_locked_folders(config["reach"])
        for path in config["hide"]:
            if os.path.isdir(path):
                mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0000")
            elif os.path.exists(path):
                mount("/dev/null", path, None, MS_BIND, None)
        workdir = "/tmp/work"
        os.mkdir(workdir, 0o700)
    else:
        workdir = config["workdir"]
        notes.append("files: no private mount namespace (unshare(CLONE_NEWNS) failed)")
    os.chown(workdir, config["uid"], config["uid"])
else:
    workdir = config["workdir"]
limits = config["limits"]
resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file"], limits["file"]))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
if limits["processes"] is not None:
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
os.chdir(workdir)
if config["uid"] is not None:
    os.setgroups([])
    os.setgid(config["uid"])
    os.setuid(config["uid"])
environment = dict(config["environment"], HOME=workdir, TMPDIR=workdir)
os.write(config["notes"], ("\n".join(note for note in notes if note) + "\n\0").encode())
os.close(config["notes"])
os.execve(sys.executable, [sys.executable, "-s", "-c", config["harness"], str(config["requests"]),
                           str(config["replies"])], environment)
'''

ENVIRONMENT_KEPT = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "JAX_PLATFORMS", "XLA_FLAGS", "OMP_NUM_THREADS")


@dataclass
class Limits:
    """Seconds per code cell, per probe and for the whole submission; the grace given past an item's
    limit before the process is killed (its own time-out fires first); memory in bytes."""

    cell: float = DEFAULT_CELL_TIME_LIMIT
    probe: float = DEFAULT_PROBE_TIME_LIMIT
    total: float = DEFAULT_TOTAL_TIME_LIMIT
    grace: float = KILL_GRACE_S
    memory: int = DEFAULT_MEMORY_LIMIT_MIB * 2**20

    def __post_init__(self):
        for name in ("cell", "probe", "total", "grace"):
            check_seconds(f"the {name} time limit", getattr(self, name), allow_zero=name == "grace")
        if not isinstance(self.memory, int) or self.memory < 256 * 2**20:
            raise ValueError(f"the memory limit must be at least 256 MiB, got {self.memory!r} bytes")


def check_seconds(what: str, value, allow_zero: bool = False) -> float:
    """``value`` as a positive finite number of seconds, or a ValueError that says what is accepted."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"{what} must be a positive finite number of seconds, got {value!r}")
    return seconds


class Sandbox:
    """How student processes are confined: a fresh uid each (when the grader runs as root) and the
    paths they must reach (the interpreter, its libraries) or must not see (submissions, tests, results)."""

    def __init__(self, hide=(), isolate: bool | None = None):
        self.isolate = os.geteuid() == 0 if isolate is None else isolate
        self.hide = sorted({os.path.abspath(p) for p in hide})
        self.reach = sorted({os.path.realpath(p) for p in
                             [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
                              *sys.path] if p and os.path.exists(p)})
        hidden_ancestors = [h for h in self.hide if any(r == h or r.startswith(h + os.sep) for r in self.reach)]
        self.hide = [h for h in self.hide if h not in hidden_ancestors]
        self.notes = [f"not hidden (the interpreter needs what it contains): {h}" for h in hidden_ancestors]
        if not self.isolate:
            self.notes.append("not run as root: student processes run as this user, with the same access to "
                              "files and network, in their own session (see the docs)")

    def processes(self) -> int:
        """RLIMIT_NPROC counts the tasks of the real uid: a fresh uid has none; this user has its own."""
        if self.isolate:
            return MAX_PROCESSES
        uid = os.getuid()
        return MAX_PROCESSES + sum(1 for pid in _processes_of(uid) for _ in _tasks(pid))

    def fresh_uid(self) -> int | None:
        """An unused uid: no process runs as it and no account has it."""
        if not self.isolate:
            return None
        while True:
            uid = random.randrange(200_000, 2**31 - 2)
            if not _processes_of(uid):
                return uid


def _tasks(pid: int) -> list[str]:
    try:
        return os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []


def _stat(pid: str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, session, ..."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _processes(keep) -> list[int]:
    """The living processes (zombies excluded: they are dead) for which ``keep(pid, stat fields)``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(entry)
            if fields and fields[0] != "Z" and keep(entry, fields):
                pids.append(int(entry))
    return pids


def _session(sid: int) -> list[int]:
    return _processes(lambda pid, fields: int(fields[3]) == sid)


def _processes_of(uid: int) -> list[int]:
    def owned(pid, fields):
        try:
            return os.stat(f"/proc/{pid}").st_uid == uid
        except OSError:
            return False
    return _processes(owned)


class StudentProcess:
    """One student process: ask it to run a cell or a probe, read its answer under a deadline, kill it."""

    def __init__(self, sandbox: Sandbox, limits: Limits):
        self.uid = sandbox.fresh_uid()
        self.workdir = tempfile.mkdtemp(prefix="student-")
        self.output_kept, self.output_bytes = bytearray(), 0
        self.notes: list[str] = []
        requests_read, self.requests = os.pipe()
        self.replies, replies_write = os.pipe()
        self.output, output_write = os.pipe()
        notes_read, notes_write = os.pipe()
        environment = {key: os.environ[key] for key in ENVIRONMENT_KEPT if key in os.environ}
        environment.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
        config = {"uid": self.uid, "workdir": self.workdir, "hide": sandbox.hide, "reach": sandbox.reach,
                  "environment": environment, "harness": HARNESS, "notes": notes_write,
                  "requests": requests_read, "replies": replies_write,
                  "limits": {"memory": limits.memory, "file": MAX_FILE_BYTES, "processes": sandbox.processes()}}
        # The launcher is a fresh, single-threaded interpreter: it confines itself, then execs the harness.
        self.process = subprocess.Popen(
            [sys.executable, "-s", "-c", LAUNCHER, json.dumps(config)],
            stdin=subprocess.DEVNULL, stdout=output_write, stderr=output_write, cwd=self.workdir,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, start_new_session=True,
            pass_fds=(notes_write, requests_read, replies_write))
        for fd in (requests_read, replies_write, output_write, notes_write):
            os.close(fd)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.replies, selectors.EVENT_READ, "reply")
        self.selector.register(self.output, selectors.EVENT_READ, "output")
        self.buffer = bytearray()
        self.alive, self.ended = True, ""
        notes = _read_notes(notes_read)
        if notes is None:  # the launcher died: say why (its traceback is on the output pipe)
            self.process.wait()
            printed = b"".join(iter(lambda: os.read(self.output, 1 << 16), b""))
            self.kill()
            raise RuntimeError("the student process could not be confined: "
                               + printed.decode(errors="replace")[-OUTPUT_KEPT_BYTES:])
        self.notes = notes

    def ask(self, request: dict, seconds: float) -> dict | None:
        """Send a request; return the answer, or None when the process died or ran out of time (then it
        is killed). ``request["limit"]`` is the process's own time-out; ``seconds`` the grader's."""
        self.output_kept, self.output_bytes = bytearray(), 0
        # A fresh random id: a reply written ahead by the student's code cannot match a later request.
        request = dict(request, id=secrets.token_hex(16))
        try:
            data = (json.dumps(request) + "\n").encode()
            while data:
                data = data[os.write(self.requests, data):]
        except OSError:
            self.kill()
            return None
        deadline = time.monotonic() + seconds
        while self.alive:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line, self.buffer = bytes(self.buffer[:newline]), self.buffer[newline + 1:]
                try:
                    reply = json.loads(line)
                except (ValueError, RecursionError):
                    reply = {"status": "garbled"}
                if isinstance(reply, dict) and reply.get("id") == request["id"]:
                    self.kill_strays()
                    return reply
                continue  # not the answer to this request: written by the student's code, ignored
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self.buffer) > MAX_REPLY_BYTES:
                self.kill("late" if remaining <= 0 else "too much data")
                return None
            for key, _ in self.selector.select(min(remaining, 1.0)):
                chunk = os.read(key.fd, 1 << 16)
                if key.data == "output":
                    self.output_bytes += len(chunk)
                    self.output_kept += chunk[: max(0, OUTPUT_KEPT_BYTES - len(self.output_kept))]
                    if not chunk:
                        self.selector.unregister(self.output)
                elif chunk:
                    self.buffer += chunk
                else:  # the process closed its end: it is gone
                    self.kill("died")
                    break
        return None

    def kill_strays(self) -> None:
        """Kill every process the student's code started (a fork bomb, a detached process), keeping the
        student process itself: nothing may run between two cells or probes."""
        for _ in range(50):
            strays = [pid for pid in (_processes_of(self.uid) if self.uid is not None else _session(self.process.pid))
                      if pid != self.process.pid]
            if not strays:
                return
            for pid in strays:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def kill(self, why: str = "done") -> None:
        """Kill the process and everything it started: all processes of its uid, or its session."""
        if not self.alive:
            return
        self.alive, self.ended = False, why
        if self.uid is not None:
            _kill_uid(self.uid)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if self.uid is not None:
            _kill_uid(self.uid)  # anything forked in between
        self.selector.close()
        for fd in (self.requests, self.replies, self.output):
            os.close(fd)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _read_notes(fd: int) -> list[str] | None:
    """The launcher's remarks on the confinement, once it is confined; None if it died before."""
    data = b""
    with contextlib.suppress(OSError):
        while b"\0" not in data:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    os.close(fd)
    if b"\0" not in data:
        return None
    return [line for line in data.split(b"\0")[0].decode(errors="replace").splitlines() if line]


# Becomes the uid and kills every process it may signal: all of that uid's, detached ones included.
REAPER = "import os, sys; uid = int(sys.argv[1]); os.setgroups([]); os.setgid(uid); os.setuid(uid); os.kill(-1, 9)"


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a detached process or a fork bomb included), until none is left.

    A fresh interpreter does it, not a fork of this process: the grader may run JAX threads (checks)."""
    for _ in range(20):
        if not _processes_of(uid):
            return
        subprocess.run([sys.executable, "-I", "-S", "-c", REAPER, str(uid)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


# --- grading one submission ------------------------------------------------------------------------

@dataclass
class PartResult:
    kind: str                   # visible, hidden
    points: float
    max_points: float | None
    passed: bool
    failure: str = ""           # one of FAILURE_KINDS when it failed
    feedback: str = ""
    error_type: str = ""        # the exception a visible probe raised (e.g. NotImplementedError)


@dataclass
class QuestionResult:
    id: str
    points: float
    max_points: float
    status: str                 # passed, partial, failed, not-implemented, missing, error, timeout,
    feedback: str               # not-plain-data, not-graded
    parts: list[PartResult] = field(default_factory=list)


@dataclass
class CellResult:
    cell: int                   # 1-based position among the submission's code cells
    status: str                 # ok, syntax-error, error, timeout, crashed
    message: str = ""
    printed_bytes: int = 0


@dataclass
class Report:
    submission: str
    assignment: str
    score: float
    max_score: float
    questions: list[QuestionResult]
    answers: dict[str, str] = field(default_factory=dict)
    cells: list[CellResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    processes: int = 0
    late: dict = field(default_factory=dict)

    @property
    def student(self) -> str:
        return Path(self.submission).stem


def grade(submission: Path, tests: Path | Spec, limits: Limits | None = None, sandbox: Sandbox | None = None
          ) -> Report:
    """Grade one submitted notebook; never raises for a bad submission."""
    spec = tests if isinstance(tests, Spec) else load_tests(tests)
    limits = limits or Limits()
    if sandbox is None:
        hide = [Path(submission).resolve().parent] + ([] if isinstance(tests, Spec) else [Path(tests).resolve().parent])
        sandbox = Sandbox(hide=hide)
    started = time.monotonic()
    report = Report(Path(submission).name, spec.assignment, 0.0, sum(q.points for q in spec.questions), [])
    try:
        cells = read_notebook(submission)
    except ValueError as exc:
        report.questions = [QuestionResult(q.id, 0.0, q.points, "not-graded", str(exc)) for q in spec.questions]
        report.notes.append(str(exc))
        return _finish(report, started)
    report.answers = written_answers(cells)
    sources = submission_cells(cells)
    try:
        outcomes, report.cells, report.processes, notes = _run_student(sources, spec, limits, sandbox)
    except Exception as exc:  # noqa: BLE001 - the grader's own failure: still a report, every question marked
        outcomes, notes = {}, [f"internal grader error: {type(exc).__name__}: {exc}"]
    report.questions = [_score(question, outcomes, sources, report.cells) for question in spec.questions]
    report.notes += notes + _cell_notes(report.cells)
    return _finish(report, started)


def _finish(report: Report, started: float) -> Report:
    report.score = sum(q.points for q in report.questions)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _run_student(sources: list[str], spec: Spec, limits: Limits, sandbox: Sandbox):
    """Run the cells, then every probe (visible ones first), in student processes; check each answer.

    Returns the outcome of each (question id, part kind), the cells' results, the number of processes
    and notes on the confinement."""
    deadline = time.monotonic() + limits.total
    probes = [(q, p) for kind in ("visible", "hidden") for q in spec.questions for p in q.parts if p.kind == kind]
    outcomes: dict[tuple[str, str], PartResult] = {}
    cell_results: dict[int, CellResult] = {}
    skipped: set[int] = set()
    processes, notes = 0, []
    while len(outcomes) < len(probes):
        if time.monotonic() >= deadline or processes > len(sources) + len(probes):
            for question, part in probes:
                outcomes.setdefault((question.id, part.kind), _failed(
                    part, "time-out", f"not graded: the whole submission ran past {limits.total:g} s"))
            break
        processes += 1
        student = StudentProcess(sandbox, limits)
        notes = sorted(set(notes) | set(student.notes))
        try:
            culprit = _run_cells(student, sources, skipped, cell_results, limits, deadline)
            if culprit is not None:
                skipped.add(culprit)
                continue
            for question, part in probes:
                if (question.id, part.kind) in outcomes:
                    continue
                outcome = _run_probe(student, question, part, limits, deadline)
                outcomes[(question.id, part.kind)] = outcome
                if not student.alive:
                    break
        finally:
            student.kill()
    return outcomes, [cell_results[k] for k in sorted(cell_results)], processes, sandbox.notes + notes


def _run_cells(student: StudentProcess, sources, skipped, cell_results, limits: Limits, deadline: float):
    """Run the cells not skipped; return the number of a cell that killed or hung the process, else None."""
    for index, source in enumerate(sources, start=1):
        if index in skipped or not source.strip():
            continue
        seconds = min(limits.cell + limits.grace, deadline - time.monotonic())
        reply = student.ask({"op": "cell", "cell": index, "source": source, "limit": limits.cell}, max(seconds, 0))
        if reply is None:
            late = student.ended == "late"
            cell_results[index] = CellResult(index, "timeout" if late else "crashed", _hung_message(late, limits.cell),
                                             student.output_bytes)
            return index
        status = reply.get("status") if reply.get("status") in ("ok", "syntax-error", "error", "timeout") else "error"
        cell_results.setdefault(index, CellResult(index, status, str(reply.get("message", ""))[:1500],
                                                  student.output_bytes))
    return None


def _run_probe(student: StudentProcess, question: Question, part: Part, limits: Limits, deadline: float) -> PartResult:
    """Ask the student process for the probe's values; run the check on them here."""
    seconds = min(limits.probe + limits.grace, deadline - time.monotonic())
    needed, optional = handed_names(part.probe, part.check)
    request = {"op": "probe", "question": question.id, "source": part.probe, "names": needed, "optional": optional,
               "limit": limits.probe}
    reply = student.ask(request, max(seconds, 0))
    if reply is None:
        if student.ended == "too much data":
            return _failed(part, "not plain data", f"the values sent back are larger than the "
                                                   f"{MAX_REPLY_BYTES // 2**20} MiB allowed")
        if student.ended == "late":
            return _failed(part, "time-out", f"still running after the time limit of {limits.probe:g} s "
                                             "and had to be stopped (an endless loop?)")
        return _failed(part, "exception", "the process crashed or exited while running the tests "
                                          "(e.g. os._exit, exhausted memory, a native crash)")
    status = reply.get("status")
    if status == "timeout":
        return _failed(part, "time-out", f"the tests are still running after the time limit of {limits.probe:g} s "
                                         "(an endless loop?)")
    if status == "not-plain":
        return _failed(part, "not plain data", str(reply.get("message", ""))[:MESSAGE_CHARS])
    if status != "ok" or not isinstance(reply.get("values"), dict):
        message = str(reply.get("message", "no answer from the student process"))[:MESSAGE_CHARS]
        return _failed(part, "exception", message, str(reply.get("type", "")))
    values = {name: reply["values"][name] for name in needed + optional if name in reply["values"]}
    return _check(part, values)


def _check(part: Part, values: dict) -> PartResult:
    """Run the check (trusted code) on the student's values, in this process."""
    namespace = {"__name__": "__check__", "math": math, **values}
    with contextlib.suppress(ImportError):
        import numpy
        namespace.setdefault("np", numpy)
    x64 = _jax_x64()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(part.check, f"<check of the {part.kind} tests>", "exec"), namespace)  # noqa: S102 - the instructor's check
    except Exception as exc:  # noqa: BLE001 - any failing check is a wrong value
        message = f"{exc}".strip() or type(exc).__name__
        if isinstance(exc, AssertionError) and not str(exc):
            message = "an assertion failed"
        return _failed(part, "wrong value", message[:MESSAGE_CHARS])
    finally:
        _restore_jax_x64(x64)
    return PartResult(part.kind, part.points or 0.0, part.points, True)


def _jax_x64() -> bool:
    """JAX's global float64 switch as it stands (False where JAX is not imported yet)."""
    jax = sys.modules.get("jax")
    return bool(jax.config.jax_enable_x64) if jax is not None else False


def _restore_jax_x64(value: bool) -> None:
    """A check may switch JAX to float64 (a9's does); the next check, and the process that grades, must not
    inherit it."""
    jax = sys.modules.get("jax")
    if jax is not None and bool(jax.config.jax_enable_x64) != value:
        jax.config.update("jax_enable_x64", value)


def _failed(part: Part, kind: str, message: str, error_type: str = "") -> PartResult:
    """A failed part; a hidden one keeps only the kind of failure, never a message."""
    assert kind in FAILURE_KINDS, kind  # the only words a hidden test's feedback may contain
    if part.kind == "hidden":
        return PartResult(part.kind, 0.0, part.points, False, kind, f"hidden test failed ({kind})")
    return PartResult(part.kind, 0.0, part.points, False, kind, message, error_type)


def _hung_message(timed_out: bool, limit: float) -> str:
    if timed_out:
        return f"still running after the time limit of {limit:g} s and had to be stopped (an endless loop?)"
    return "the process crashed or exited while running it (e.g. os._exit, exhausted memory, a native crash)"


def _score(question: Question, outcomes: dict, sources: list[str], cells: list[CellResult]) -> QuestionResult:
    """Points, status and feedback of one question from its parts' outcomes."""
    parts = [outcomes.get((question.id, part.kind)) or _failed(part, "exception", "not graded (no result)")
             for part in question.parts]
    if all(part.max_points is not None for part in parts):
        points = sum(part.points for part in parts)
    else:
        points = question.points if all(part.passed for part in parts) else 0.0
    failed = [part for part in parts if not part.passed]
    if not failed:
        return QuestionResult(question.id, points, question.points, "passed", "all tests passed", parts)
    first = failed[0]
    status, feedback = _status(first, sources, cells)
    if points > 0:
        status = "partial"
    passed = [f"{p.kind} tests passed" for p in parts if p.passed]
    return QuestionResult(question.id, points, question.points, status,
                          "; ".join(passed + [f"question {question.id}: {feedback}" if first.kind == "hidden"
                                              else feedback]), parts)


def _status(part: PartResult, sources: list[str], cells: list[CellResult]) -> tuple[str, str]:
    """The status of a failed part, and its feedback (a hidden part's says only what kind of failure)."""
    kind, message = part.failure, part.feedback
    status = {"wrong value": "failed", "time-out": "timeout", "not plain data": "not-plain-data"}.get(kind, "error")
    if part.kind == "hidden":
        return status, message
    if kind == "wrong value":
        return status, f"a test failed: {message}"
    if kind == "time-out":
        return status, f"the tests are {message}" if message.startswith("still") else message
    if kind == "not plain data":
        return status, message
    if part.error_type == "NotImplementedError":
        return "not-implemented", "not implemented yet: the code still raises NotImplementedError"
    missing = re.match(r"NameError: name '(\w+)' is not defined", message)
    if missing:
        name = missing.group(1)
        return "missing", (f"`{name}` is not defined: the notebook must define it (was it deleted or renamed?)"
                           + _defining_cell_note(name, sources, cells))
    return status, f"the tests raised {message}"


def _defining_cell_note(name: str, sources: list[str], cells: list[CellResult]) -> str:
    """'; code cell 4, which defines it, did not run: ...' when the defining cell failed."""
    failed = {result.cell: result for result in cells if result.status != "ok"}
    for index, source in enumerate(sources, start=1):
        defined = {a or b for a, b in DEFINITION.findall(source)}
        if name in defined and index in failed:
            return f"; code cell {index}, which defines it, did not run: {failed[index].message}"
    return ""


def _cell_notes(cells: list[CellResult]) -> list[str]:
    return [f"code cell {r.cell}: {r.status}: {r.message}".rstrip(": ") for r in cells if r.status != "ok"] + \
           [f"code cell {r.cell} printed {r.printed_bytes:,} bytes (only the first {OUTPUT_KEPT_BYTES} are read "
            "into memory)" for r in cells if r.printed_bytes > 100_000]


# --- late submissions --------------------------------------------------------------------------------

@dataclass
class Lateness:
    """A deadline and the fraction of the autograded score lost per started day late (capped at 1).

    The submission time is the ``submitted_at`` of the student's row in the roster (a CSV with columns
    ``student,submitted_at``, ISO 8601 times), else the file's modification time. Times without a zone
    are UTC."""

    deadline: datetime
    penalty_per_day: float
    roster: dict[str, datetime] = field(default_factory=dict)

    def __post_init__(self):
        if not (math.isfinite(self.penalty_per_day) and 0 <= self.penalty_per_day <= 1):
            raise ValueError(f"the late penalty is a fraction of the score per day, in [0, 1]; "
                             f"got {self.penalty_per_day!r}")

    def apply(self, report: Report, submission: Path) -> None:
        submitted = self.roster.get(report.student)
        if submitted is None:
            submitted = datetime.fromtimestamp(Path(submission).stat().st_mtime, UTC)
        seconds_late = (submitted - self.deadline).total_seconds()
        days = max(0, math.ceil(seconds_late / 86400))
        factor = max(0.0, 1.0 - days * self.penalty_per_day)
        report.late = {"submitted_at": submitted.isoformat(), "days_late": days, "factor": round(factor, 6),
                       "score_before": report.score}
        report.score = round(report.score * factor, 6)


def parse_time(text: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 time such as 2026-03-01T23:59:00+01:00, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_roster(path: Path) -> dict[str, datetime]:
    """``student -> submitted_at`` from a CSV with those two columns."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"student", "submitted_at"} <= set(rows[0]):
        raise ValueError(f"{path}: the roster needs the columns student,submitted_at; it has {sorted(rows[0])}")
    return {row["student"].strip(): parse_time(row["submitted_at"], f"{path}: submitted_at of {row['student']}")
            for row in rows if row.get("submitted_at", "").strip()}


# --- many submissions, and the files an instructor uses -----------------------------------------------

def find_submissions(paths: list[Path]) -> list[Path]:
    """The notebooks to grade: the files given, and the ``*.ipynb`` of each folder given (sorted)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"no submission at {path}")
    stems = [p.stem for p in found]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise ValueError(f"two submissions for the same student: {twice}")
    return found


def grade_all(submissions: list[Path], spec: Spec, out: Path, limits: Limits | None = None,
              lateness: Lateness | None = None, hide=()) -> list[Report]:
    """Grade every submission; write the gradebook, feedback, Gradescope results and grading sheet."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)  # exists before any student process starts: it is hidden from them
    folders = {Path(s).resolve().parent for s in submissions}
    sandbox = Sandbox(hide=[*folders, out, *hide])
    reports = []
    for submission in submissions:
        report = grade(submission, spec, limits, sandbox)
        if lateness is not None:
            lateness.apply(report, submission)
        reports.append(report)
    write_results(reports, spec, out)
    return reports


def write_results(reports: list[Report], spec: Spec, out: Path) -> None:
    """``gradebook.csv``, ``feedback/<student>.txt``, ``results/<student>.json``, ``grading_sheet.md``."""
    out = Path(out)
    for folder in ("feedback", "results"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for report in reports:
        (out / "feedback" / f"{report.student}.txt").write_text(as_text(report), encoding="utf-8")
        (out / "results" / f"{report.student}.json").write_text(
            json.dumps(gradescope_results(report), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows(gradebook_rows(reports, spec))
    (out / "grading_sheet.md").write_text(grading_sheet(reports, spec), encoding="utf-8")


def gradebook_rows(reports: list[Report], spec: Spec) -> list[list]:
    """Header, then one row per student: each question's points, each written answer with an empty score
    column, the autograded score, the late days and factor, the total (autograded, after the penalty)."""
    header = ["student", *[q.id for q in spec.questions]]
    for written in spec.written:
        header += [f"{written.id} answer", f"{written.id} score (of {written.points:g})"]
    header += ["autograded", "days_late", "late_factor", "total", "max_autograded", "max_written"]
    rows = [header]
    for report in reports:
        by_id = {q.id: q.points for q in report.questions}
        row = [report.student, *[f"{by_id.get(q.id, 0.0):g}" for q in spec.questions]]
        for written in spec.written:
            row += [report.answers.get(written.id, ""), ""]
        row += [f"{report.late.get('score_before', report.score):g}", report.late.get("days_late", ""),
                report.late.get("factor", ""), f"{report.score:g}", f"{report.max_score:g}",
                f"{sum(w.points for w in spec.written):g}"]
        rows.append(row)
    return rows


def gradescope_results(report: Report) -> dict:
    """Gradescope's autograder output (``results.json``): one test per part of each question; hidden parts
    are shown after the due date."""
    tests = []
    for question in report.questions:
        if question.parts and all(part.max_points is not None for part in question.parts):
            for part in question.parts:
                tests.append({"name": f"{question.id} ({part.kind} tests)", "score": part.points,
                              "max_score": part.max_points, "output": "passed" if part.passed else part.feedback,
                              "visibility": "after_due_date" if part.kind == "hidden" else "visible"})
        else:  # all or nothing: one test
            tests.append({"name": question.id, "score": question.points, "max_score": question.max_points,
                          "output": question.feedback, "visibility": "visible"})
    output = f"Autograded score: {report.score:g} / {report.max_score:g}."
    if report.late.get("days_late"):
        output += f" Late by {report.late['days_late']} day(s): the score is multiplied by {report.late['factor']:g}."
    if report.notes:
        output += "\n" + "\n".join(f"- {note}" for note in report.notes)
    return {"score": report.score, "output": output, "tests": tests, "execution_time": report.seconds,
            "extra_data": {"assignment": report.assignment, "max_score": report.max_score,
                           "written_answers": report.answers}}


def grading_sheet(reports: list[Report], spec: Spec) -> str:
    """The instructor's sheet for the written questions: the prompt, the rubric, every student's answer."""
    lines = [f"# {spec.assignment}: written questions", ""]
    for written in spec.written:
        lines += [f"## {written.id} ({written.points:g} points)", "", written.prompt.strip(), "", "### Rubric", "",
                  written.rubric.strip() or "(none)", "", "### Answers", ""]
        for report in reports:
            answer = report.answers.get(written.id, "").strip() or "*(no answer)*"
            lines += [f"#### {report.student}", "", answer, ""]
    return "\n".join(lines) + "\n"


def as_text(report: Report) -> str:
    """The report for the student: score, one line per question, the notes on the notebook's cells."""
    lines = [f"{report.assignment}: {report.submission}", f"score: {report.score:g} / {report.max_score:g}"]
    if report.late.get("days_late"):
        lines.append(f"late by {report.late['days_late']} day(s): {report.late['score_before']:g} "
                     f"x {report.late['factor']:g}")
    lines.append("")
    for q in report.questions:
        lines.append(f"[{q.points:g}/{q.max_points:g}] {q.id}: {q.status} — {q.feedback}")
    if report.answers:
        lines += ["", "written answers (graded by hand): " + ", ".join(
            f"{key} ({'answered' if text else 'empty'})" for key, text in report.answers.items())]
    if report.notes:
        lines += ["", "about the notebook:"] + [f"  - {note}" for note in report.notes]
    lines += ["", f"graded in {report.seconds:.1f} s ({report.processes} student process(es))"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade submitted notebooks (see the module docstring).")
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks, or folders of notebooks")
    parser.add_argument("--tests", type=Path, required=True, help="the autograder's tests.json of the assignment")
    parser.add_argument("--out", type=Path, default=Path("grading-results"), help="where to write the results")
    parser.add_argument("--time-limit", metavar="S", help="seconds per cell and per probe (sets both)")
    parser.add_argument("--cell-time-limit", metavar="S", default=DEFAULT_CELL_TIME_LIMIT)
    parser.add_argument("--probe-time-limit", metavar="S", default=DEFAULT_PROBE_TIME_LIMIT)
    parser.add_argument("--total-time-limit", metavar="S", default=DEFAULT_TOTAL_TIME_LIMIT)
    parser.add_argument("--memory-limit", metavar="MIB", type=int, default=DEFAULT_MEMORY_LIMIT_MIB)
    parser.add_argument("--deadline", help="ISO 8601 time; with --late-penalty, late submissions lose points")
    parser.add_argument("--late-penalty", type=float, default=0.0, metavar="FRACTION",
                        help="fraction of the autograded score lost per started day late (e.g. 0.1)")
    parser.add_argument("--roster", type=Path, help="CSV with columns student,submitted_at (else file times)")
    parser.add_argument("--hide", action="append", default=[], metavar="PATH",
                        help="a path student code must not see (e.g. the instructor notebooks); repeatable")
    arguments = parser.parse_args(argv)
    try:
        cell = arguments.time_limit if arguments.time_limit is not None else arguments.cell_time_limit
        probe = arguments.time_limit if arguments.time_limit is not None else arguments.probe_time_limit
        limits = Limits(check_seconds("--cell-time-limit", cell), check_seconds("--probe-time-limit", probe),
                        check_seconds("--total-time-limit", arguments.total_time_limit),
                        memory=arguments.memory_limit * 2**20)
        lateness = None
        if arguments.deadline:
            lateness = Lateness(parse_time(arguments.deadline, "--deadline"), arguments.late_penalty,
                                read_roster(arguments.roster) if arguments.roster else {})
        elif arguments.late_penalty or arguments.roster:
            raise ValueError("--late-penalty and --roster need --deadline")
        submissions = find_submissions(arguments.submissions)
        spec = load_tests(arguments.tests)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    reports = grade_all(submissions, spec, arguments.out, limits, lateness,
                        hide=[arguments.tests.resolve().parent, *arguments.hide])
    for report in reports:
        print(as_text(report))
    print(f"gradebook: {arguments.out / 'gradebook.csv'} ({len(reports)} submission(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())

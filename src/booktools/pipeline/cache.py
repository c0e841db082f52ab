"""The cache key of an executed chapter: every input that can change its outputs, and nothing else.

A chapter is re-executed exactly when one of these changed (contents are compared, never timestamps):

- ``notebook``:    its *sources* (cell types, sources, tags), not outputs or execution counts, so
  committing a notebook with fresh outputs (``booktools adopt``) does not invalidate its run;
- ``parameters``:  what papermill injects (profile name + overrides);
- ``files``:       the project files it reads, found per chapter by :mod:`booktools.pipeline.dependencies`: the
  modules of ``src/`` (``minimax`` and ``booktools``) that its imports execute, transitively, and the
  data files they name (``static_figures.js``/``.css``, inlined into outputs), by SHA-256;
- ``environment``: the environment variables the chapter and those modules read (``MINIMAX_MNIST_DIR``)
  and every ``JAX_*``/``XLA_*`` variable, except those in :data:`UNKEYED_VARIABLES`, which only say
  where outputs and caches go, or how memory is allocated;
- ``versions``:    the version of Python and of every installed distribution;
- ``backend``:     the JAX backend and device kind (``cpu``, or e.g. ``gpu NVIDIA H100``).

The key is stored as readable JSON beside the executed notebook, together with the ``outputs`` the
execution produced (executed notebook, claims ledger) and their SHA-256: a run whose output went
missing or was changed is stale too. :func:`differences` says precisely why a chapter is re-executed.

>>> differences({"environment": {"MINIMAX_MNIST_DIR": None}}, {"environment": {"MINIMAX_MNIST_DIR": "/d"}})
['MINIMAX_MNIST_DIR changed']
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from booktools.pipeline.dependencies import DependencyFinder
from booktools.pipeline.paths import SOURCE_DIR

KEY_FORMAT = 2  # bump when the meaning of a key changes, to invalidate every cached run
OUTPUTS = "outputs"  # the part of the stored record that is not the key: what the execution produced
EXECUTED_ON = "executed_on"  # not the key either: the machine that executed the chapter (for the generated pages)
RECORD_ONLY = (OUTPUTS, EXECUTED_ON)
KEYED_PREFIXES = ("JAX_", "XLA_")
UNKEYED_VARIABLES = frozenset({
    "MINIMAX_CLAIMS_DIR",            # set by the pipeline: where the ledger goes
    "MINIMAX_CHAPTER", "JPY_SESSION_NAME",  # the chapter's own path (the key names the chapter anyway)
    "MINIMAX_CACHE_DIR",             # minimax's classifier cache, whose entries are named by content
    "JAX_COMPILATION_CACHE_DIR",     # the persistent compilation cache: same programs, compiled once
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES",
    "JAX_PERSISTENT_CACHE_ENABLE_XLA_CACHES", "JAX_ENABLE_COMPILATION_CACHE", "JAX_COMPILATION_CACHE_MAX_SIZE",
    "JAX_LOG_COMPILES", "JAX_EXPLAIN_CACHE_MISSES", "JAX_TRACEBACK_FILTERING",
    "JAX_PLATFORMS", "JAX_PLATFORM_NAME",  # they pick the backend, which the key holds itself (jax_backend)
    "XLA_PYTHON_CLIENT_PREALLOCATE",  # set by the pipeline for parallel jobs: memory, not numerics
    "XLA_PYTHON_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_ALLOCATOR",
})
BACKEND_PROBE = "import jax; print(jax.default_backend(), jax.devices()[0].device_kind)"

CacheKey = dict[str, Any]


def notebook_digest(path: Path) -> str:
    """SHA-256 of a notebook's cell types, sources and tags (outputs and counts are ignored)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [
        {
            "type": cell.get("cell_type"),
            "source": _joined(cell.get("source", "")),
            "tags": sorted(cell.get("metadata", {}).get("tags", [])),
        }
        for cell in notebook.get("cells", [])
    ]
    return _sha256(json.dumps(cells, sort_keys=True).encode())


def _joined(source: str | list[str]) -> str:
    """nbformat allows a cell source as one string or as a list of lines; normalise to one string."""
    return source if isinstance(source, str) else "".join(source)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return _sha256(Path(path).read_bytes())


def installed_versions() -> dict[str, str]:
    """The Python version and the version of every installed distribution (names normalised, sorted)."""
    versions = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            versions[re.sub(r"[-_.]+", "-", name).lower()] = distribution.version
    return {"python": platform.python_version(), **dict(sorted(versions.items()))}


def this_machine() -> dict:
    """The processor, core count and memory of this machine, as the generated pages describe where a run ran."""
    return {"cpu": _cpu_model() or platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gib": _memory_gib()}


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError):
        pass
    return None


def keyed_environment(names: set[str], environment: dict[str, str] | None = None) -> dict[str, str | None]:
    """The values (None: unset) of ``names`` and of every ``JAX_*``/``XLA_*`` variable, minus the unkeyed."""
    environment = os.environ if environment is None else environment
    names = set(names) | {name for name in environment if name.startswith(KEYED_PREFIXES)}
    return {name: environment.get(name) for name in sorted(names - UNKEYED_VARIABLES)}


def jax_backend() -> str:
    """The JAX backend and device kind the chapters will run on, e.g. ``"cpu cpu"``.

    Asked of a fresh interpreter (the tooling itself never imports JAX, which would claim a GPU), once
    per process and setting of the ``JAX_*``/``XLA_*``/``CUDA_*`` variables.
    """
    relevant = tuple(sorted((name, value) for name, value in os.environ.items()
                            if name.startswith((*KEYED_PREFIXES, "CUDA_"))))
    return _probe_backend(relevant)


@functools.cache
def _probe_backend(relevant: tuple[tuple[str, str], ...]) -> str:
    environment = {**os.environ, **dict(relevant), "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    try:
        probe = subprocess.run([sys.executable, "-c", BACKEND_PROBE], capture_output=True, text=True,
                               env=environment, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return "unknown (the JAX probe timed out)"
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        return f"unavailable ({last})"
    return probe.stdout.strip()


def cache_key(root: Path, chapter: str, parameters: dict[str, Any], *,
              finder: DependencyFinder | None = None, versions: dict[str, str] | None = None,
              backend: str | None = None, environment: dict[str, str] | None = None) -> CacheKey:
    """The key of executing ``chapter`` with ``parameters`` in the current project and environment.

    ``finder``, ``versions`` and ``backend`` may be passed in when computing keys for many chapters.
    """
    root = Path(root).resolve()
    found = (finder or DependencyFinder(root)).chapter(chapter)
    key = {
        "format": KEY_FORMAT,
        "notebook": notebook_digest(root / chapter),
        "parameters": parameters,
        "files": {_relative(path, root): file_digest(path) for path in found.files},
        "environment": keyed_environment(found.environment, environment),
        "versions": versions if versions is not None else installed_versions(),
        "backend": backend if backend is not None else jax_backend(),
    }
    return json.loads(json.dumps(key, sort_keys=True))  # normalised as it will be read back


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_key(path: Path) -> CacheKey | None:
    """The record stored at ``path`` (key and ``outputs``), or None when there is none or it is unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_key(path: Path, key: CacheKey, outputs: dict[str, str], executed_on: dict | None = None) -> None:
    """Store ``key``, the ``outputs`` digests and the machine (:func:`this_machine`) at ``path`` atomically,
    through a file private to this process."""
    path = Path(path)
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    record = {**key, OUTPUTS: outputs, EXECUTED_ON: this_machine() if executed_on is None else executed_on}
    partial.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)


def stored_key(record: CacheKey) -> CacheKey:
    """The key part of a stored record (everything but its ``outputs``)."""
    return {name: value for name, value in record.items() if name not in RECORD_ONLY}


def output_digests(folder: Path, outputs: list[Path]) -> dict[str, str]:
    """``{path relative to folder: SHA-256}`` of the files an execution produced."""
    return {path.relative_to(folder).as_posix(): file_digest(path) for path in outputs}


def output_problems(folder: Path, record: CacheKey) -> list[str]:
    """What is wrong with the recorded outputs under ``folder``: ``"claims ledger missing"``, ...

    A record without ``outputs`` (written by an older version) has nothing to check against: it is a
    problem in itself, so such runs are re-executed once.
    """
    if not isinstance(record.get(OUTPUTS), dict):
        return ["no record of the outputs"]
    problems = []
    for relative, digest in sorted(record[OUTPUTS].items()):
        path = Path(folder) / relative
        what = "claims ledger" if relative.startswith("claims/") else f"output {relative}"
        if not path.is_file():
            problems.append(f"{what} missing")
        elif file_digest(path) != digest:
            problems.append(f"{what} changed")
    return problems


def differences(stored: CacheKey, current: CacheKey) -> list[str]:
    """Why ``stored`` is not ``current``, one precise phrase per difference (empty when they are equal).

    e.g. ``["library file minimax/games.py changed", "MINIMAX_MNIST_DIR changed", "jax 0.4 -> 0.5"]``.
    """
    reasons = []
    if stored.get("format") != current.get("format"):
        return ["the cache key format changed"]
    if stored.get("notebook") != current.get("notebook"):
        reasons.append("notebook changed")
    reasons += _mapping_differences(stored.get("parameters") or {}, current.get("parameters") or {},
                                    lambda name: f"parameter {name}")
    reasons += _mapping_differences(stored.get("files") or {}, current.get("files") or {}, _file_label)
    reasons += _mapping_differences(stored.get("environment") or {}, current.get("environment") or {},
                                    lambda name: name)
    old, new = stored.get("versions") or {}, current.get("versions") or {}
    reasons += [f"{name} {old.get(name)} -> {new.get(name)}" for name in sorted(set(old) | set(new))
                if old.get(name) != new.get(name)]
    if stored.get("backend") != current.get("backend"):
        reasons.append(f"JAX backend {stored.get('backend')} -> {current.get('backend')}")
    return reasons


def _mapping_differences(old: dict, new: dict, label) -> list[str]:
    reasons = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            reasons.append(f"{label(name)} added")
        elif name not in new:
            reasons.append(f"{label(name)} removed")
        elif old[name] != new[name]:
            reasons.append(f"{label(name)} changed")
    return reasons


def _file_label(relative: str) -> str:
    """``library file minimax/games.py`` for files of ``src/``, ``file book/part1/data.txt`` otherwise."""
    prefix = SOURCE_DIR + "/"
    return f"library file {relative[len(prefix):]}" if relative.startswith(prefix) else f"file {relative}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

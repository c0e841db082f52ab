"""The book outside its repository (issue 12): the wheel, a bare folder, no network.

The wheel is built from a copy of the package's sources with this environment's setuptools (>= 77, the
`test` extra) and no network. The fresh virtual environment sees this environment's site-packages
through a plain path line in a ``.pth`` file: that directory's own ``.pth`` files — the editable install
of the project among them — are not processed, so ``minimax`` can only come from the wheel.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from booktools.pipeline.setup_cell import setup_cell

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGES = ("minimax", "booktools")
CHAPTER = "book/part1/01_gan_game.ipynb"
ASSIGNMENT = "book/assignments/a1_extragradient_optimism.ipynb"
KERNEL = "bare-folder"
UNREACHABLE = "http://127.0.0.1:9"   # the discard port: every connection is refused at once
# No index, no proxy that answers, no git credentials prompt: pip and git fail fast instead of waiting.
OFFLINE = {"PIP_NO_INDEX": "1", "PIP_INDEX_URL": f"{UNREACHABLE}/simple", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "HTTPS_PROXY": UNREACHABLE, "https_proxy": UNREACHABLE, "HTTP_PROXY": UNREACHABLE,
           "http_proxy": UNREACHABLE, "GIT_TERMINAL_PROMPT": "0", "JAX_PLATFORMS": "cpu", "MPLBACKEND": "Agg"}


def _version() -> str:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _run(command: list, **options) -> subprocess.CompletedProcess:
    run = subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, **options)
    assert run.returncode == 0, f"{command} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    return run


def _offline_environment(**extra) -> dict:
    """This process's environment without PYTHONPATH (the sources must not leak in), offline."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return {**environment, **OFFLINE, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built offline from what the package is made of: pyproject.toml, README.md, LICENSE, src/."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPOSITORY / name, source / name)
    shutil.copytree(REPOSITORY / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    output = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "--quiet", "--wheel-dir", str(output), str(source)],
                           check=False, capture_output=True, text=True, env=_offline_environment(), timeout=300)
    assert build.returncode == 0, ("building the wheel needs setuptools>=77 in this environment (`make install` "
                                   f"brings it):\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}")
    [built] = output.glob("*.whl")
    return built


def test_the_wheel_ships_every_file_of_the_packages_and_the_license(wheel):
    shipped = set(zipfile.ZipFile(wheel).namelist())
    sources = {path.relative_to(REPOSITORY / "src").as_posix()
               for package in PACKAGES for path in (REPOSITORY / "src" / package).rglob("*")
               if path.is_file() and "__pycache__" not in path.parts}
    # The figure helpers and their browser side are what a chapter imports besides the library.
    assert {"booktools/figures/live_figures.py", "booktools/figures/static_figures.js",
            "booktools/figures/static_figures.css",
            "minimax/gan/__init__.py"} <= sources
    assert sources - shipped == set(), "files of the packages missing from the wheel (package-data?)"
    dist_info = f"optimize_and_learn-{_version()}.dist-info"
    assert f"{dist_info}/licenses/LICENSE" in shipped
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "Requires-Dist: optax>=0.2.5" in metadata.splitlines()


def _fresh_environment(folder: Path) -> Path:
    """A new virtual environment whose only way to this environment's packages is a plain path line.

    Returns its python; the ``.pth`` file lies in its site-packages. Without a pip (and setuptools) of its
    own: those of this environment (setuptools>=77) build and install, offline.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    site_packages = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                         .stdout.strip())
    ours = [entry for entry in sys.path if entry.endswith("site-packages") and Path(entry).is_dir()]
    (site_packages / "project-environment.pth").write_text("".join(f"{entry}\n" for entry in ours))
    return python


def _minimax_file(python: Path) -> str:
    return _run([python, "-c", "import minimax; print(minimax.__file__)"], env=_offline_environment()).stdout.strip()


@pytest.mark.slow
def test_a_chapter_and_an_assignment_run_from_the_wheel_in_a_bare_folder(wheel, tmp_path):
    started, cpu_started = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    environment = tmp_path / "venv"
    python = _fresh_environment(environment)
    offline = _offline_environment(MINIMAX_CLAIMS_DIR=str(tmp_path / "claims"))

    # 1. minimax missing, installing impossible: the setup cell says what to run, in one sentence.
    assert "None" == _run([python, "-c", "import importlib.util; print(importlib.util.find_spec('minimax'))"],
                          env=offline).stdout.strip()
    cell = _run([python, "-c", setup_cell(REPOSITORY).source], env=offline, timeout=300)
    assert cell.stderr == ""
    [sentence] = cell.stdout.splitlines()
    assert sentence.startswith("Could not install the book's package (offline?): run  pip install "
                               f"'optimize-and-learn[notebooks] @ git+https://github.com/optimize-and-learn/"
                               f"optimize-and-learn@v{_version()}'")
    assert sentence.endswith("then restart the kernel.")

    # 2. The wheel, offline; --ignore-installed: never touch the project's own installation.
    _run([python, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--quiet", wheel], env=offline)
    assert Path(_minimax_file(python)).is_relative_to(environment)
    _run([python, "-m", "ipykernel", "install", "--prefix", environment, "--name", KERNEL], env=offline)

    # 3. A folder that holds nothing but one chapter and one assignment; both run there with papermill.
    reader, executed_dir = tmp_path / "reader", tmp_path / "executed"
    reader.mkdir()
    executed_dir.mkdir()
    for notebook in (CHAPTER, ASSIGNMENT):
        shutil.copy(REPOSITORY / notebook, reader)
        executed = executed_dir / Path(notebook).name
        _run([python, "-m", "papermill", "--kernel", KERNEL, "--cwd", reader, reader / Path(notebook).name,
              executed], env=offline, timeout=600)
        # Run by the kernel of the fresh environment, where minimax is importable: the setup cell did nothing.
        assert nbformat.read(executed, as_version=4).cells[0].outputs == []
    # Outside the pipeline and outside Jupyter's server nothing names the notebook to its kernel: the ledger
    # says so in its name rather than guessing (minimax.claims.current_chapter).
    ledger = json.loads((tmp_path / "claims" / "unnamed-notebook.json").read_text())
    assert ledger["chapter"] == "unnamed-notebook.ipynb" and ledger["claims"]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"bare-folder run: {time.perf_counter() - started:.0f} s, of which CPU "
          f"{cpu.ru_utime + cpu.ru_stime - cpu_started.ru_utime - cpu_started.ru_stime:.0f} s")


@pytest.mark.slow
def test_the_setup_cell_installs_the_tagged_release_and_keeps_what_is_installed(tmp_path):
    # The repository as a reader would find it at the release tag, served from a local clone: git
    # rewrites the cell's https URL to the clone (url.<clone>.insteadOf), so nothing leaves this machine.
    clone = tmp_path / "clone"
    _run(["git", "clone", "--quiet", "--no-hardlinks", REPOSITORY, clone])
    _run(["git", "-C", clone, "tag", "--force", f"v{_version()}"])
    python = _fresh_environment(tmp_path / "venv")
    url = setup_cell(REPOSITORY).source.split("git+", 1)[1].split("@v", 1)[0]
    rewrite = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{clone}.insteadOf", "GIT_CONFIG_VALUE_0": url,
               # The clone's pyproject needs setuptools>=77: this environment's (no index to build with).
               "PIP_NO_BUILD_ISOLATION": "0"}
    cell = _run([python, "-c", setup_cell(REPOSITORY).source], env=_offline_environment(**rewrite), timeout=300)
    assert (cell.stdout, cell.stderr) == ("", "")
    assert Path(_minimax_file(python)).is_relative_to(tmp_path / "venv")
    # Every requirement was installed already (here: the project's environment): none came into the venv.
    site_packages = next((tmp_path / "venv").rglob("project-environment.pth")).parent
    installed = _run([python, "-m", "pip", "list", "--path", site_packages, "--format", "freeze"],
                     env=_offline_environment()).stdout
    assert "jax==" not in installed and f"optimize-and-learn=={_version()}" in installed.replace("_", "-")

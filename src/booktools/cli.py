"""Command line: ``python -m booktools {list,run,build,adopt,pages,compare,assignments,grade,setup-cells,clean}`` (the Makefile calls these).

Exit status: 0 on success, 1 when a chapter or the HTML build failed, 2 for a usage problem
(unknown chapter, profile or parameter, malformed YAML, a run folder in use by another process), whose
message says what is known, 130 when interrupted (Ctrl-C: one line, finished chapters are kept).

``run``, ``build``, ``clean`` and ``assignments`` hold a lock (:mod:`booktools.pipeline.locks`): a second process
on the same run folder (or assignments build) stops at once naming the holder's PID, or, with
``--wait``, waits for it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

from booktools.coursework import grading
from booktools.coursework.assignments import ASSIGNMENTS_DIR, OUTPUT_DIR, build_assignments, report_built
from booktools.errors import BooktoolsError
from booktools.pipeline import locks, paths
from booktools.pipeline.adopt import adopt_outputs
from booktools.pipeline.chapters import list_chapters
from booktools.pipeline.compare import compare_verdicts, comparison_report, read_ledgers
from booktools.pipeline.pages import write_generated_pages
from booktools.pipeline.profiles import available_profiles, load_profile
from booktools.pipeline.run import run_profile
from booktools.pipeline.setup_cell import insert_setup_cells
from booktools.pipeline.stage import build_html


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; return the process exit status."""
    arguments = _parser().parse_args(argv)
    root = Path(arguments.root).resolve() if arguments.root else paths.find_project_root()
    try:
        return arguments.command(root, arguments)
    except BooktoolsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished chapters are kept; run again to resume", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m booktools", description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="project root (default: the nearest folder with _toc.yml)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="print the chapters (notebooks of _toc.yml), one a line")
    listing.set_defaults(command=_list)

    run = commands.add_parser("run", help="execute chapters into _build/runs/PROFILE (cached)")
    _add_profile(run)
    _add_chapters(run)
    run.add_argument("--jobs", type=_positive, default=1, metavar="N",
                     help="chapters executed in parallel, one process each (default: 1)")
    run.add_argument("--force", action="store_true", help="execute even chapters whose result is cached")
    _add_wait(run)
    run.set_defaults(command=_run)

    build = commands.add_parser("build", help="build _build/html (or with --pdf _build/latex/book.pdf) from the "
                                              "run of PROFILE")
    _add_profile(build)
    build.add_argument("--pdf", action="store_true", help="the PDF, through XeLaTeX, instead of the HTML")
    _add_wait(build)
    build.set_defaults(command=_build)

    adopt = commands.add_parser("adopt", help="copy the run's outputs into the committed notebooks")
    _add_profile(adopt)
    _add_chapters(adopt)
    adopt.set_defaults(command=_adopt)

    generated = commands.add_parser("pages", help="write the claims ledger and chapter times of the run of "
                                               "PROFILE into book/appendix (the committed copies)")
    _add_profile(generated)
    generated.set_defaults(command=_pages)

    compare = commands.add_parser("compare", help="print the claims whose verdicts differ between the run of "
                                                  "PROFILE and another run (another seed, scale or machine)")
    _add_profile(compare)
    compare.add_argument("--against", required=True, metavar="RUN",
                         help="a profile whose run to compare with (e.g. other-seed, full), or a claims folder")
    compare.set_defaults(command=_compare)

    coursework = commands.add_parser("assignments", help="student notebooks and the autograder of "
                                                         "book/assignments, into _build/assignments")
    coursework.add_argument("--out", help="output folder (default: _build/assignments)")
    _add_wait(coursework)
    coursework.set_defaults(command=_assignments)

    grade = commands.add_parser("grade", help="grade submitted notebooks (a folder of them) with the autograder "
                                              "into a gradebook (run `assignments` first)")
    grade.add_argument("submissions", nargs="+", help="a folder of submitted .ipynb (the student is the file "
                                                       "name), or notebooks")
    grade.add_argument("--assignment", required=True, help="assignment name, e.g. a1_extragradient_optimism")
    grade.add_argument("--out", default="grading-results", help="where to write the gradebook, feedback and "
                                                                "Gradescope results (default: grading-results)")
    grade.add_argument("--time-limit", type=_seconds, help="seconds per cell and per probe (default 60)")
    grade.add_argument("--total-time-limit", type=_seconds, help="seconds per submission (default 600)")
    grade.add_argument("--deadline", help="ISO 8601 time, e.g. 2026-03-01T23:59+01:00 (late work loses points)")
    grade.add_argument("--late-penalty", help="fraction of the autograded score lost per started day late")
    grade.add_argument("--roster", help="CSV with columns student,submitted_at (default: the files' times)")
    grade.set_defaults(command=_grade)

    setup = commands.add_parser("setup-cells", help="insert or update the setup cell that opens every chapter "
                                                    "and assignment (after a version bump, for instance)")
    setup.set_defaults(command=_setup_cells)

    clean = commands.add_parser("clean", help="delete what the tooling wrote in _build (or only the run of "
                                              "--profile); the lock files stay")
    clean.add_argument("--profile", help="delete only _build/runs/PROFILE (a profile, or an existing run)")
    _add_wait(clean)
    clean.set_defaults(command=_clean)
    return parser


def _add_profile(command: argparse.ArgumentParser) -> None:
    command.add_argument("--profile", default="quick", help="book/profiles/PROFILE.yml (default: quick)")


def _add_chapters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--chapter", action="append", metavar="PATH",
                         help="only this chapter, e.g. book/part1/02_bilinear_games.ipynb (repeatable)")


def _seconds(text: str) -> float:
    try:
        return grading.check_seconds("the time limit", text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_wait(command: argparse.ArgumentParser) -> None:
    command.add_argument("--wait", action="store_true",
                         help="wait for another process using the same folder (default: stop at once)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _list(root: Path, arguments: argparse.Namespace) -> int:
    print("\n".join(list_chapters(root)))
    return 0


def _run(root: Path, arguments: argparse.Namespace) -> int:
    outcomes = run_profile(root, arguments.profile, arguments.chapter, jobs=arguments.jobs,
                           force=arguments.force, wait=arguments.wait)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def _build(root: Path, arguments: argparse.Namespace) -> int:
    load_profile(root, arguments.profile)  # checked before its lock file is created
    with _run_lock(root, arguments.profile, arguments.wait):
        return 0 if build_html(root, arguments.profile, "pdf" if arguments.pdf else "html") == 0 else 1


def _run_lock(root: Path, profile: str, wait: bool):
    """The lock of the run folder of ``profile`` (runs, builds and cleans of it exclude each other)."""
    folder = paths.run_dir(root, profile).relative_to(root)
    return locks.hold(paths.lock_file(root, f"run-{profile}"), f"the run folder {folder}", wait=wait)


def _adopt(root: Path, arguments: argparse.Namespace) -> int:
    skipped = adopt_outputs(root, arguments.profile, arguments.chapter)
    return 1 if skipped else 0


def _pages(root: Path, arguments: argparse.Namespace) -> int:
    load_profile(root, arguments.profile)  # an unknown profile fails here, listing the known ones
    for path in write_generated_pages(root, arguments.profile, root):
        print(f"wrote {path.relative_to(root)}")
    return 0


def _compare(root: Path, arguments: argparse.Namespace) -> int:
    against = Path(arguments.against)
    theirs = against if against.is_dir() else paths.claims_dir(root, paths.checked_name(arguments.against, "profile"))
    changes, compared = compare_verdicts(read_ledgers(paths.claims_dir(root, arguments.profile)), read_ledgers(theirs))
    print(comparison_report(changes, compared, (arguments.profile, arguments.against)))
    return 0


def _assignments(root: Path, arguments: argparse.Namespace) -> int:
    output = Path(arguments.out).resolve() if arguments.out else root / OUTPUT_DIR
    # One lock for every output folder: two builds at once would share book/assignments' sources anyway.
    with locks.hold(paths.lock_file(root, "assignments"), "the assignments build", wait=arguments.wait):
        report_built(build_assignments(root, output), output)
    return 0


def _grade(root: Path, arguments: argparse.Namespace) -> int:
    tests = root / OUTPUT_DIR / "autograder" / arguments.assignment / "tests.json"
    if not tests.is_file():
        raise BooktoolsError(f"no autograder for {arguments.assignment!r} at {tests}: run `make assignments` first")
    options = [] if arguments.time_limit is None else ["--time-limit", str(arguments.time_limit)]
    options += [] if arguments.total_time_limit is None else ["--total-time-limit", str(arguments.total_time_limit)]
    for option in ("deadline", "late_penalty", "roster"):
        if getattr(arguments, option) is not None:
            options += [f"--{option.replace('_', '-')}", getattr(arguments, option)]
    # Student code must not see the instructor notebooks nor any assignment's tests.
    hidden = [root / ASSIGNMENTS_DIR, root / OUTPUT_DIR / "autograder"]
    options += [item for path in hidden for item in ("--hide", str(path))]
    return grading.main([*arguments.submissions, "--tests", str(tests), "--out", arguments.out, *options])


def _setup_cells(root: Path, arguments: argparse.Namespace) -> int:
    changed = insert_setup_cells(root)
    print("\n".join(f"updated {name}" for name in changed) or "every notebook starts with the current setup cell")
    return 0


def _clean(root: Path, arguments: argparse.Namespace) -> int:
    """Remove one run (``--profile``) or everything under ``_build`` but the lock files, and say what went."""
    if arguments.profile is not None:  # "--profile ''" is a bad name, not "everything"
        profile = _cleanable_profile(root, arguments.profile)
        with _run_lock(root, profile, arguments.wait):
            removed = _remove([paths.run_dir(root, profile)])
        nothing = f"nothing to remove: {paths.run_dir(root, profile).relative_to(root)} does not exist"
    else:
        build = paths.build_dir(root)
        with ExitStack() as held:
            for lock in sorted(build.glob("locks/*.lock")):  # wait for, or refuse, every writer
                held.enter_context(locks.hold(lock, f"{lock.stem} (under {build.relative_to(root)})",
                                              wait=arguments.wait))
            removed = _remove(sorted(entry for entry in build.glob("*") if entry.name != "locks"))
        nothing = f"nothing to remove: {build.relative_to(root)} holds nothing but lock files" if build.exists() \
            else f"nothing to remove: {build.relative_to(root)} does not exist"
    print("\n".join(f"removed {path.relative_to(root)}" for path in removed) or nothing)
    return 0


def _cleanable_profile(root: Path, name: str) -> str:
    """``name`` when it is a profile or a run that exists under ``_build/runs``, else an error listing them."""
    runs = paths.runs_dir(root)
    existing = [folder.name for folder in runs.iterdir() if folder.is_dir()] if runs.is_dir() else []
    known = sorted(set(available_profiles(root)) | set(existing))
    if name not in known:
        raise BooktoolsError(f"unknown profile {name!r}; clean --profile takes one of: "
                             f"{', '.join(known) or '(none)'}")
    return paths.checked_name(name, "profile")


def _remove(targets: list[Path]) -> list[Path]:
    """Delete the files and folders among ``targets`` that exist; return those."""
    removed = []
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        else:
            continue
        removed.append(target)
    return removed

"""Command line: ``python -m booktools {list,run,build,adopt,pages,assignments,grade,clean}`` (the Makefile calls these).

Exit status: 0 on success, 1 when a chapter or the HTML build failed, 2 for a usage problem
(unknown chapter or profile, malformed YAML), whose message says what is known.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from booktools import grading, paths
from booktools.adopt import adopt_outputs
from booktools.assignments import OUTPUT_DIR, build_assignments, report_built
from booktools.chapters import list_chapters
from booktools.errors import BooktoolsError
from booktools.pages import write_generated_pages
from booktools.profiles import load_profile
from booktools.run import run_profile
from booktools.stage import build_html


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
    run.set_defaults(command=_run)

    build = commands.add_parser("build", help="build _build/html from the run of PROFILE")
    _add_profile(build)
    build.set_defaults(command=_build)

    adopt = commands.add_parser("adopt", help="copy the run's outputs into the committed notebooks")
    _add_profile(adopt)
    _add_chapters(adopt)
    adopt.set_defaults(command=_adopt)

    generated = commands.add_parser("pages", help="write the claims ledger and chapter times of the run of "
                                               "PROFILE into book/appendix (the committed copies)")
    _add_profile(generated)
    generated.set_defaults(command=_pages)

    coursework = commands.add_parser("assignments", help="student notebooks and the autograder of "
                                                         "book/assignments, into _build/assignments")
    coursework.add_argument("--out", help="output folder (default: _build/assignments)")
    coursework.set_defaults(command=_assignments)

    grade = commands.add_parser("grade", help="grade a submitted notebook with the autograder "
                                              "(run `assignments` first)")
    grade.add_argument("submission", help="the submitted .ipynb")
    grade.add_argument("--assignment", required=True, help="assignment name, e.g. a1_extragradient_optimism")
    grade.add_argument("--out", default="grading-results", help="where to write <submission>.json/.txt")
    grade.add_argument("--time-limit", type=float, help="seconds per cell and per question (default 60)")
    grade.set_defaults(command=_grade)

    clean = commands.add_parser("clean", help="delete _build (or only the run of --profile)")
    clean.add_argument("--profile", help="delete only _build/runs/PROFILE")
    clean.set_defaults(command=_clean)
    return parser


def _add_profile(command: argparse.ArgumentParser) -> None:
    command.add_argument("--profile", default="quick", help="book/profiles/PROFILE.yml (default: quick)")


def _add_chapters(command: argparse.ArgumentParser) -> None:
    command.add_argument("--chapter", action="append", metavar="PATH",
                         help="only this chapter, e.g. book/part1/02_bilinear_games.ipynb (repeatable)")


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
                           force=arguments.force)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def _build(root: Path, arguments: argparse.Namespace) -> int:
    return 0 if build_html(root, arguments.profile) == 0 else 1


def _adopt(root: Path, arguments: argparse.Namespace) -> int:
    skipped = adopt_outputs(root, arguments.profile, arguments.chapter)
    return 1 if skipped else 0


def _pages(root: Path, arguments: argparse.Namespace) -> int:
    load_profile(root, arguments.profile)  # an unknown profile fails here, listing the known ones
    for path in write_generated_pages(root, arguments.profile, root):
        print(f"wrote {path.relative_to(root)}")
    return 0


def _assignments(root: Path, arguments: argparse.Namespace) -> int:
    output = Path(arguments.out).resolve() if arguments.out else root / OUTPUT_DIR
    report_built(build_assignments(root, output), output)
    return 0


def _grade(root: Path, arguments: argparse.Namespace) -> int:
    tests = root / OUTPUT_DIR / "autograder" / arguments.assignment / "tests.json"
    if not tests.is_file():
        raise BooktoolsError(f"no autograder for {arguments.assignment!r} at {tests}: run `make assignments` first")
    limits = [] if arguments.time_limit is None else ["--cell-time-limit", str(arguments.time_limit),
                                                      "--question-time-limit", str(arguments.time_limit)]
    return grading.main([arguments.submission, "--tests", str(tests), "--out", arguments.out, *limits])


def _clean(root: Path, arguments: argparse.Namespace) -> int:
    target = paths.run_dir(root, arguments.profile) if arguments.profile else paths.build_dir(root)
    shutil.rmtree(target, ignore_errors=True)
    print(f"removed {target}")
    return 0

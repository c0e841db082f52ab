"""Staging a run for the HTML build: the layout of the staged tree, and the build itself."""

from pathlib import Path

import nbformat
import pytest
import yaml

from booktools.pipeline import paths
from booktools.pipeline.stage import build_html, stage_site

FIRST, SECOND = "book/part1/01_first.ipynb", "book/part1/02_second.ipynb"


def _origins(staged) -> dict[str, str]:
    return {item.chapter: item.origin for item in staged}


def _has_outputs(path: Path) -> bool:
    notebook = nbformat.read(path, as_version=4)
    return any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_the_staged_site_is_config_toc_and_book_with_the_run_overlaid(executed_project: Path):
    staged = stage_site(executed_project, "quick")
    site = paths.site_dir(executed_project, "quick")
    assert sorted(path.name for path in site.iterdir()) == ["_config.yml", "_toc.yml", "book"]
    for page in ["book/intro.md", "book/part1/notes.md", "book/part1/data.txt", "book/appendix/about.md"]:
        assert (site / page).read_bytes() == (executed_project / page).read_bytes()
    for chapter in (FIRST, SECOND):
        assert (site / chapter).read_bytes() == \
            paths.executed_notebook(executed_project, "quick", chapter).read_bytes()
        assert _has_outputs(site / chapter)
    assert _origins(staged) == {FIRST: "fresh", SECOND: "fresh"}


def test_the_staged_config_never_executes_notebooks(executed_project: Path):
    config = executed_project / "_config.yml"
    config.write_text(config.read_text().replace('"off"', "force"))
    stage_site(executed_project, "quick")
    staged_config = yaml.safe_load((paths.site_dir(executed_project, "quick") / "_config.yml").read_text())
    assert staged_config["execute"]["execute_notebooks"] == "off"
    assert staged_config["title"] == "Fake book"


def test_missing_chapters_keep_the_committed_notebook_and_stale_ones_are_flagged(executed_project: Path):
    paths.executed_notebook(executed_project, "quick", SECOND).unlink()
    (executed_project / "book/part1/data.txt").write_text("changed\n")  # read by the chapters
    staged = stage_site(executed_project, "quick")
    assert _origins(staged) == {FIRST: "stale", SECOND: "committed"}
    site = paths.site_dir(executed_project, "quick")
    assert (site / SECOND).read_bytes() == (executed_project / SECOND).read_bytes()


def test_restaging_drops_pages_deleted_from_the_book(executed_project: Path):
    stage_site(executed_project, "quick")
    (executed_project / "book/part1/data.txt").unlink()
    stage_site(executed_project, "quick")
    assert not (paths.site_dir(executed_project, "quick") / "book/part1/data.txt").exists()


def test_build_artifacts_inside_book_are_not_staged(executed_project: Path):
    (executed_project / "book/part1/_build/claims").mkdir(parents=True)
    (executed_project / "book/part1/.ipynb_checkpoints").mkdir()
    stage_site(executed_project, "quick")
    site_part = paths.site_dir(executed_project, "quick") / "book/part1"
    assert not (site_part / "_build").exists() and not (site_part / ".ipynb_checkpoints").exists()


@pytest.mark.slow
def test_the_html_book_is_built_from_the_run(executed_project: Path, capsys):
    assert build_html(executed_project, "quick") == 0
    html = paths.html_dir(executed_project)
    assert (html / "index.html").is_file()
    first_page = (html / "book/part1/01_first.html").read_text()
    assert "relative-path-ok 6" in first_page  # the run's output, not the committed (empty) notebook
    assert "Open " in capsys.readouterr().out

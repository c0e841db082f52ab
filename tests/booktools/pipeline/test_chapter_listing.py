"""Listing the chapters from _toc.yml and resolving the names users give."""

from pathlib import Path

import pytest

from booktools import BooktoolsError
from booktools.pipeline.chapters import list_chapters, select_chapters


def test_chapters_are_the_toc_notebooks_in_toc_order(project: Path):
    # Markdown pages (root, sections, appendix) are not chapters; `.ipynb` may be written or not.
    assert list_chapters(project) == ["book/part1/01_first.ipynb", "book/part1/02_second.ipynb"]


def test_a_toc_entry_without_a_file_is_not_a_chapter(project: Path, book):
    (project / book.SECOND).unlink()
    assert list_chapters(project) == [book.FIRST]


def test_no_toc_is_a_clear_error(tmp_path: Path):
    with pytest.raises(BooktoolsError, match="_toc.yml does not exist"):
        list_chapters(tmp_path)


def test_no_request_selects_every_chapter(project: Path, book):
    assert select_chapters(project, None) == book.CHAPTERS
    assert select_chapters(project, []) == book.CHAPTERS


@pytest.mark.parametrize("name", ["book/part1/02_second.ipynb", "book/part1/02_second"])
def test_chapter_names_may_omit_the_suffix(project: Path, book, name: str):
    assert select_chapters(project, [name]) == [book.SECOND]


def test_chapter_names_may_be_absolute_or_relative_to_the_cwd(project: Path, book, monkeypatch):
    assert select_chapters(project, [str(project / book.FIRST)]) == [book.FIRST]
    monkeypatch.chdir(project / "book")
    assert select_chapters(project, ["part1/02_second.ipynb"]) == [book.SECOND]


def test_an_unknown_chapter_lists_the_known_ones(project: Path, book):
    with pytest.raises(BooktoolsError) as error:
        select_chapters(project, ["book/part1/99_nope.ipynb"])
    message = str(error.value)
    assert "unknown chapter 'book/part1/99_nope.ipynb'" in message
    assert book.FIRST in message and book.SECOND in message


@pytest.mark.parametrize("entry", ["../outside/chapter", "book/../../outside/chapter", "/tmp/chapter"])
def test_a_toc_entry_leading_outside_the_project_is_an_error(project: Path, entry: str):
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "chapter.ipynb").write_text("{}")
    (project / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nchapters:\n  - file: {entry}\n")
    with pytest.raises(BooktoolsError, match="leads outside the project"):
        list_chapters(project)


def test_a_chapter_name_outside_the_project_is_unknown(project: Path):
    with pytest.raises(BooktoolsError, match="unknown chapter"):
        select_chapters(project, [str(project / "../project/book/part1/../../../x.ipynb")])

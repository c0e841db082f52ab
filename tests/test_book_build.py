"""The book builds from the repository exactly as committed: `jupyter-book build .`, warnings as errors.

The committed notebooks carry their quick-profile outputs and `_config.yml` turns execution off, so this
renders the book without executing anything (a couple of minutes at most).
"""

import subprocess
from pathlib import Path

import pytest

from booktools.pipeline.chapters import list_chapters
from booktools.pipeline.stage import jupyter_book_command

REPOSITORY = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 1200


@pytest.mark.slow
def test_the_book_builds_from_the_repository_with_no_warnings(tmp_path: Path):
    build = subprocess.run(jupyter_book_command(REPOSITORY, tmp_path), cwd=REPOSITORY,
                           capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, f"jupyter-book build failed:\n{build.stdout[-6000:]}\n{build.stderr[-6000:]}"

    html = tmp_path / "_build" / "html"
    assert (html / "index.html").is_file()
    missing = [chapter for chapter in list_chapters(REPOSITORY)
               if not (html / Path(chapter).with_suffix(".html")).is_file()]
    assert missing == [], f"chapters without a page: {missing}"

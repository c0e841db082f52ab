"""The PDF of the book: XeLaTeX from the repository as committed, the book's notation defined for LaTeX.

Where a chapter shows a kernel-free figure or a live control, the page has a script; the PDF takes the
picture each of them also carries (image/png). The build needs Debian's TeX packages (.ci/run installs
them); a machine without XeLaTeX says so and skips the build, never the macro check.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from booktools.pipeline.stage import jupyter_book_command

REPOSITORY = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 1800


def test_latex_defines_every_macro_of_the_html_book():
    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    mathjax = config["mathjax3_config"]["tex"]["macros"]
    preamble = config["latex_elements"]["preamble"]
    latex = dict(re.findall(r"\\(?:newcommand|DeclareMathOperator\*?)\{\\(\w+)\}(?:\[(\d)\])?", preamble))
    assert set(latex) == set(mathjax), "the PDF and the HTML book must define the same macros"
    for name, definition in mathjax.items():
        arguments = str(definition[1]) if isinstance(definition, list) else ""
        assert latex[name] == arguments, f"\\{name}: {arguments or 'no'} arguments in MathJax, {latex[name] or 'none'} in LaTeX"


@pytest.mark.slow
def test_the_pdf_builds_from_the_repository_with_no_warnings(tmp_path: Path):
    if shutil.which("xelatex") is None:
        pytest.skip("no XeLaTeX here: apt-get install texlive-xetex texlive-latex-extra texlive-fonts-recommended "
                    "latexmk fonts-freefont-otf fonts-dejavu-core (.ci/run does)")
    build = subprocess.run(jupyter_book_command(REPOSITORY, tmp_path, "pdf"), cwd=REPOSITORY,
                           capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert build.returncode == 0, f"the PDF build failed:\n{build.stdout[-6000:]}\n{build.stderr[-4000:]}"
    latex = tmp_path / "_build" / "latex"
    pdf = latex / "book.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1_000_000
    log = (latex / "book.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, re.findall(r"Missing character: .*", log)[:5]
    assert "Undefined control sequence" not in log
    tex = (latex / "book.tex").read_text(encoding="utf-8")
    # A figure's text representation, "<ExplorableFigure ...>" or "<LiveFigure: ...>", where its picture should be.
    left_as_text = re.findall(r"(?:<|\\PYGZlt\{\}|\\textless\{\})(?:Explorable|Live)Figure[^\n]{0,60}", tex)
    assert left_as_text == [], left_as_text[:5]
    assert tex.count("\\sphinxincludegraphics") >= _picture_outputs(), "every picture of the chapters is in the PDF"


def _picture_outputs() -> int:
    """The outputs of the chapters that carry a picture (figures, and the first picture of every interactive
    figure), in the cells the book shows."""
    import json

    from booktools.pipeline.chapters import list_chapters

    count = 0
    for chapter in list_chapters(REPOSITORY):
        for cell in json.loads((REPOSITORY / chapter).read_text(encoding="utf-8"))["cells"]:
            if {"remove-cell", "remove-output"} & set(cell.get("metadata", {}).get("tags", [])):
                continue
            count += sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
    return count

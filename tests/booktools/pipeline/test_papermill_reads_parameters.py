"""papermill must read every assignment of every chapter's parameters cell: its ``--help-notebook`` and
its warnings about unknown parameters rely on that inference, which skips a line it cannot parse
(a comment with ``=`` in it, for one) without a word."""

import ast
import json
from pathlib import Path

import pytest

from booktools.pipeline.chapters import list_chapters

REPOSITORY = Path(__file__).resolve().parents[3]


def parameters_source(chapter: str) -> str:
    cells = json.loads((REPOSITORY / chapter).read_text(encoding="utf-8"))["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    return "".join(cell["source"])


@pytest.mark.parametrize("chapter", list_chapters(REPOSITORY))
def test_papermill_infers_every_parameter_of_the_chapter(chapter):
    import nbformat
    from papermill.translators import PythonTranslator

    source = parameters_source(chapter)
    assigned = [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)]
    inferred = [parameter.name for parameter in PythonTranslator.inspect(nbformat.v4.new_code_cell(source))]
    assert inferred == assigned, f"papermill cannot read {sorted(set(assigned) - set(inferred))}"

"""Adopting a run's outputs into the committed notebooks."""

from pathlib import Path

import nbformat

from booktools.pipeline import cache
from booktools.pipeline.adopt import adopt_outputs
from booktools.pipeline.run import run_profile

FIRST, SECOND = "book/part1/01_first.ipynb", "book/part1/02_second.ipynb"


def test_adopting_copies_outputs_only_and_keeps_the_run_cached(executed_project: Path, fake_papermill):
    source_path = executed_project / FIRST
    digest = cache.notebook_digest(source_path)
    assert adopt_outputs(executed_project, "quick") == []

    adopted = nbformat.read(source_path, as_version=4)
    assert len(adopted.cells) == 3  # papermill's injected-parameters cell stays out
    assert "relative-path-ok 6" in adopted.cells[2].outputs[0]["text"]
    assert [cell.execution_count for cell in adopted.cells if cell.cell_type == "code"] == [1, 2]
    assert "papermill" not in adopted.metadata and str(executed_project) not in source_path.read_text()
    assert cache.notebook_digest(source_path) == digest
    assert {o.status for o in run_profile(executed_project, "quick")} == {"cached"}
    assert fake_papermill.executed == []


def test_a_stale_run_is_never_adopted(executed_project: Path, book):
    edited = book.chapter_notebook("02_second", extra_source="\nprint('edited since the run')")
    book.write_notebook(executed_project / SECOND, edited)
    before = (executed_project / SECOND).read_bytes()
    assert adopt_outputs(executed_project, "quick") == [SECOND]
    assert (executed_project / SECOND).read_bytes() == before


def test_adopting_the_full_profile_commits_its_ledgers_and_leaves_the_chapters_alone(executed_project: Path):
    # The book shows quick outputs: a full run only contributes its verdicts (the ledger page shows them).
    outcomes = run_profile(executed_project, "full", chapters=[FIRST])
    assert [o.status for o in outcomes] == ["executed"]
    before = (executed_project / FIRST).read_bytes()
    assert adopt_outputs(executed_project, "full", [FIRST]) == []
    assert (executed_project / FIRST).read_bytes() == before
    ledger = executed_project / "book/appendix/ledgers/full/01_first.json"
    assert '"profile": "full"' in ledger.read_text() and '"steps": 7' in ledger.read_text()

"""Copy a run's outputs back into the committed chapters (they are committed with quick outputs).

The book shows the outputs of :data:`BOOK_PROFILE`; adopting another profile's run (``full``) copies only
its claims ledgers, into ``book/appendix/ledgers/<profile>/``, so that every build shows that profile's
verdicts beside the book's on the claims-ledger page.

Only outputs and execution counts are copied, into the *current* source notebook, and only from an
executed notebook whose cache key matches the current sources: a stale run can never overwrite newer
cells. papermill's injected-parameters cell and its metadata (absolute paths, timings) stay out of the
committed file. Since the cache key ignores outputs, adopting does not invalidate the run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from booktools.pipeline import paths
from booktools.pipeline.chapters import select_chapters
from booktools.pipeline.run import current_keys, is_up_to_date

BOOK_PROFILE = "quick"  # the profile whose outputs the committed chapters carry
INJECTED_TAG = "injected-parameters"  # papermill's tag on the cell it inserts
NOTEBOOK_METADATA_TO_ADOPT = ("widgets",)  # widget state: interactive figures work without a kernel


def adopt_outputs(root: Path, profile: str = "quick", chapters: list[str] | None = None) -> list[str]:
    """Copy the outputs of the up-to-date executed ``chapters`` into their sources; return the skipped.

    A chapter is skipped (and named in the result) when the run has no up-to-date notebook of it.
    """
    root = Path(root).resolve()
    skipped = []
    for chapter, key in current_keys(root, profile, select_chapters(root, chapters)).items():
        if not is_up_to_date(root, profile, chapter, key):
            print(f"{chapter}: skipped, the {profile!r} run of it is missing or stale")
            skipped.append(chapter)
            continue
        if profile == BOOK_PROFILE:
            _copy_outputs(paths.executed_notebook(root, profile, chapter), root / chapter)
            print(f"{chapter}: outputs adopted from the {profile!r} run")
            continue
        ledger = paths.claims_dir(root, profile) / f"{Path(chapter).stem}.json"
        if not ledger.is_file():
            print(f"{chapter}: skipped, the {profile!r} run of it wrote no claims ledger")
            skipped.append(chapter)
            continue
        target = root / "book" / "appendix" / "ledgers" / profile / ledger.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ledger, target)
        print(f"{chapter}: claims ledger adopted from the {profile!r} run into {target.relative_to(root)}")
    return skipped


def _copy_outputs(executed_path: Path, source_path: Path) -> None:
    """Write ``source_path`` with the outputs and execution counts of ``executed_path``."""
    executed = nbformat.read(executed_path, as_version=4)
    source = nbformat.read(source_path, as_version=4)
    executed_cells = [cell for cell in executed.cells
                      if INJECTED_TAG not in cell.get("metadata", {}).get("tags", [])]
    if len(executed_cells) != len(source.cells):  # cannot happen when the cache keys match
        raise RuntimeError(f"{executed_path} and {source_path} have different cells")
    code_cells = [(source_cell, executed_cell) for source_cell, executed_cell
                  in zip(source.cells, executed_cells) if source_cell.cell_type == "code"]
    # Renumbered 1, 2, ...: without the injected cell, the run's counts would skip a number.
    for count, (source_cell, executed_cell) in enumerate(code_cells, start=1):
        source_cell.outputs = executed_cell.outputs
        source_cell.execution_count = count if executed_cell.execution_count is not None else None
    for name in NOTEBOOK_METADATA_TO_ADOPT:
        if name in executed.metadata:
            source.metadata[name] = executed.metadata[name]
        else:
            source.metadata.pop(name, None)
    nbformat.write(source, source_path)

"""The cache key: stable under what must not matter, sensitive to everything a chapter depends on."""

import json
from pathlib import Path

import nbformat
import pytest

from booktools.pipeline import cache

FIRST = "book/part1/01_first.ipynb"  # a chapter of the fake book (see conftest.py)


def _digest_after(project: Path, change) -> tuple[str, str]:
    """The notebook digest of FIRST before and after ``change(notebook)`` is applied and saved."""
    path = project / FIRST
    before = cache.notebook_digest(path)
    notebook = nbformat.read(path, as_version=4)
    change(notebook)
    nbformat.write(notebook, path)
    return before, cache.notebook_digest(path)


def _add_outputs(notebook):
    for count, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            cell.execution_count = count + 41
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    notebook.metadata["widgets"] = {"state": {}}


def test_outputs_counts_and_other_metadata_do_not_change_the_notebook_digest(project: Path):
    before, after = _digest_after(project, _add_outputs)
    assert before == after


def test_a_source_as_one_string_is_the_same_as_a_list_of_lines(project: Path):
    path = project / FIRST
    before = cache.notebook_digest(path)
    raw = json.loads(path.read_text())
    for cell in raw["cells"]:
        cell["source"] = "".join(cell["source"])  # nbformat writes lists of lines; use one string
    path.write_text(json.dumps(raw))
    assert cache.notebook_digest(path) == before


@pytest.mark.parametrize("change", [
    lambda nb: setattr(nb.cells[1], "source", nb.cells[1].source.replace("steps = 3", "steps = 4")),
    lambda nb: nb.cells[2].metadata.setdefault("tags", []).append("hide-input"),
    lambda nb: nb.cells.append(nbformat.v4.new_markdown_cell("More.")),
    lambda nb: nb.cells.pop(0),
], ids=["source", "tags", "new-cell", "removed-cell"])
def test_sources_tags_and_cells_change_the_notebook_digest(project: Path, change):
    before, after = _digest_after(project, change)
    assert before != after


def test_installed_versions_name_every_distribution_and_python():
    versions = cache.installed_versions()
    assert versions["python"].count(".") == 2
    assert versions["papermill"] and versions["pytest"] and versions["nbformat"]


def test_the_backend_is_asked_of_a_fresh_interpreter_once():
    assert cache.jax_backend() == cache.jax_backend()
    assert cache.jax_backend().split()[0] in {"cpu", "gpu", "tpu", "unavailable"}


def test_the_key_is_stable_and_round_trips(project: Path, tmp_path: Path):
    key = cache.cache_key(project, FIRST, {"profile": "quick"})
    assert cache.cache_key(project, FIRST, {"profile": "quick"}) == key
    cache.write_key(tmp_path / "key.json", key, {"book/x.ipynb": "0" * 64})
    record = cache.read_key(tmp_path / "key.json")
    assert cache.stored_key(record) == key and record["outputs"] == {"book/x.ipynb": "0" * 64}
    assert not list(tmp_path.glob("*.partial*"))


def test_the_key_follows_parameters_and_versions(project: Path):
    versions = {**cache.installed_versions(), "jax": "0.0.2"}
    key = cache.cache_key(project, FIRST, {"profile": "quick"}, versions=versions, backend="cpu")
    other_parameters = cache.cache_key(project, FIRST, {"profile": "full", "steps": 7}, versions=versions,
                                       backend="cpu")
    other_jax = cache.cache_key(project, FIRST, {"profile": "quick"}, versions={**versions, "jax": "0.0.1"},
                                backend="cpu")
    assert cache.differences(key, other_parameters) == ["parameter profile changed", "parameter steps added"]
    assert cache.differences(key, other_jax) == ["jax 0.0.2 -> 0.0.1"]


def test_an_unreadable_key_is_no_key(tmp_path: Path):
    (tmp_path / "key.json").write_text("{half a key")
    assert cache.read_key(tmp_path / "key.json") is None
    assert cache.read_key(tmp_path / "absent.json") is None

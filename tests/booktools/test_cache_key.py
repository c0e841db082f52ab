"""The cache key: stable under what must not matter, sensitive to everything a chapter depends on."""

import json
from pathlib import Path

import nbformat
import pytest

from booktools import cache

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


def test_library_digest_follows_contents_and_file_names(project: Path):
    library = project / "src/minimax"
    digests = [cache.library_digest(project)]
    (library / "games.py").write_text("def game():\n    return 1\n")
    digests.append(cache.library_digest(project))
    (library / "schemes.py").write_text("")
    digests.append(cache.library_digest(project))
    (library / "schemes.py").rename(library / "rules.py")
    digests.append(cache.library_digest(project))
    assert len(set(digests)) == len(digests)


def test_library_digest_ignores_bytecode_and_modification_times(project: Path):
    library = project / "src/minimax"
    before = cache.library_digest(project)
    (library / "__pycache__").mkdir()
    (library / "__pycache__/games.cpython-311.pyc").write_bytes(b"\0bytecode")
    (library / "games.pyc").write_bytes(b"\0bytecode")
    (library / "games.py").touch()
    assert cache.library_digest(project) == before


def test_a_project_without_a_library_still_has_a_digest(tmp_path: Path):
    assert cache.library_digest(tmp_path) == cache.library_digest(tmp_path / "elsewhere")


def test_dependency_versions_name_the_packages_and_python():
    versions = cache.dependency_versions()
    assert set(versions) == {"python", *cache.DEPENDENCIES}
    assert versions["papermill"] is not None and versions["python"].count(".") == 2


def test_the_key_is_stable_and_round_trips(project: Path, tmp_path: Path):
    key = cache.cache_key(project, FIRST, {"profile": "quick"})
    assert cache.cache_key(project, FIRST, {"profile": "quick"}) == key
    cache.write_key(tmp_path / "key.json", key)
    assert cache.read_key(tmp_path / "key.json") == key
    assert not list(tmp_path.glob("*.partial"))


def test_the_key_follows_parameters_and_versions(project: Path):
    versions = cache.dependency_versions()
    key = cache.cache_key(project, FIRST, {"profile": "quick"}, versions=versions)
    other_parameters = cache.cache_key(project, FIRST, {"profile": "full", "steps": 7}, versions=versions)
    other_jax = cache.cache_key(project, FIRST, {"profile": "quick"}, versions={**versions, "jax": "0.0.1"})
    assert cache.changed_parts(key, other_parameters) == ["parameters"]
    assert cache.changed_parts(key, other_jax) == ["versions"]


def test_an_unreadable_key_is_no_key(tmp_path: Path):
    (tmp_path / "key.json").write_text("{half a key")
    assert cache.read_key(tmp_path / "key.json") is None
    assert cache.read_key(tmp_path / "absent.json") is None

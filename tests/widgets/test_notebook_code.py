"""notebook_code (a test helper of tests/widgets): the cells a set of names needs, and only those."""

from __future__ import annotations

import nbformat
import pytest
from notebook_code import bound_and_used, code_slice, run_slice


def write(tmp_path, *sources):
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_function_locals_parameters_and_comprehension_variables_are_not_free():
    bound, used = bound_and_used(
        "import numpy as np\n"
        "def f(x, *rest, scale=default):\n    y = 2 * x\n    return [k * y * factor for k in rest]\n"
        "g = lambda z: z + offset\n"
        "for i in range(3):\n    total = i\n")
    assert bound == {"np", "f", "g", "i", "total"}
    assert used == {"default", "factor", "offset"}


def test_the_slice_keeps_only_the_cells_the_targets_need(tmp_path):
    path = write(tmp_path,
                 "a = 1",
                 "slow = sum(range(10**9))  # never needed",
                 "%matplotlib inline\nb = a + 1",
                 "def use(x):\n    c = 10\n    return x + b + c",
                 "c = 'unrelated, shadowed inside use'",
                 "result = use(1)")
    cells = code_slice(path, {"result"})
    assert [cell.splitlines()[-1] for cell in cells] == ["a = 1", "b = a + 1", "    return x + b + c", "result = use(1)"]
    assert run_slice(path, {"result"})["result"] == 13


def test_a_name_no_cell_defines_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"defines \['missing'\]"):
        code_slice(write(tmp_path, "a = 1"), {"missing", "a"})

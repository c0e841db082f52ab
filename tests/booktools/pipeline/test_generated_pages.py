"""The pages generated from a run: the claims ledger and the chapter execution times."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from booktools.pipeline import cache, pages, paths
from booktools.pipeline.stage import stage_site

FIRST, SECOND = "book/part1/01_first.ipynb", "book/part1/02_second.ipynb"
THEORY = """\
(first-measured)=
## What we measured

```{prf:proposition} A proposition
:label: first-prop

Text.
```
"""


def write_ledger(root: Path, chapter: str, claims: list[dict], profile: str = "quick") -> None:
    folder = paths.claims_dir(root, profile)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{Path(chapter).stem}.json").write_text(json.dumps(
        {"chapter": chapter, "profile": profile, "seed": 3, "claims": claims}))


def claim(id: str, holds: bool, **fields) -> dict:
    """A claim as minimax.claims.Ledger writes it (``verdict=`` overrides the one ``holds`` implies)."""
    return {"id": id, "statement": fields.get("statement", f"Statement {id}."), "source": fields.get("source", "Paper"),
            "kind": fields.get("kind", "empirical"), "measured": fields.get("measured", 0.5),
            "expected": fields.get("expected", "< 1"), "verdict": fields.get("verdict", "holds" if holds else "does not hold"),
            "seeds_to_decide": fields.get("seeds_to_decide"), "revised": fields.get("revised"),
            **{name: fields[name] for name in ("measured_text", "expected_text") if name in fields}}


def add_theory(root: Path, chapter: str) -> None:
    notebook = nbformat.read(root / chapter, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(THEORY))
    nbformat.write(notebook, root / chapter)


def test_the_ledger_page_lists_every_claim_with_its_verdict(project: Path):
    add_theory(project, FIRST)
    write_ledger(project, FIRST, [
        claim("holds-one", True, source="Proposition first-prop; Smith 2020", measured=0.86602540, expected=0.866),
        claim("fails-one", False, measured=[1.2345678, float("nan")], expected="|rate - 1| < 1e-3"),
    ])
    page = pages.claims_ledger_markdown(project, paths.claims_dir(project, "quick"), "quick")
    assert "**Quick profile — 2 claims from 1 chapter — empirical: 1 holds, 1 does not hold.**" in page
    assert "**Full profile — not run yet" in page
    assert "# Chapter 01_first" in page  # the chapter's title
    assert "{doc}`Read the chapter </book/part1/01_first>`" in page
    assert "{ref}`What we measured <first-measured>`" in page
    assert "<br>*{prf:ref}`first-prop`; Smith 2020*" in page  # rendered "Proposition 1.1", linked
    assert "  - ✔ holds: 0.866 (expected 0.866)\n  - not run\n" in page
    assert "  - ✘ **does not hold**: [1.235, nan] (expected \\|rate - 1\\| < 1e-3)" in page
    assert "profile `quick`, seed 3" in page
    assert "no claims recorded in this run" in page  # the second chapter has no ledger


def test_the_ledger_page_counts_kinds_and_three_verdicts_and_shows_the_full_run_beside(project: Path):
    lead = {"mean": 0.4, "low": -0.35, "high": 1.04, "n": 5, "level": 0.9}
    shown = {"measured_text": "0.400 [-0.350, 1.040], n = 5", "expected_text": "> 1"}
    write_ledger(project, FIRST, [
        claim("rate", True, kind="verification"),
        claim("lead", False, verdict="undecided", measured=lead, expected={"side": "above", "value": 1.0}, **shown,
              seeds_to_decide=31, revised="margin 20 set after a margin of 10 flipped between seeds"),
        claim("collapse", True),
    ])
    full_dir = project / pages.FULL_LEDGERS
    full_dir.mkdir(parents=True)
    (full_dir / "01_first.json").write_text(json.dumps({"chapter": FIRST, "profile": "full", "seed": 0, "claims": [
        claim("rate", True, kind="verification"), claim("lead", True, measured={**lead, "low": 1.1, "high": 1.3},
              expected={"side": "above", "value": 1.0}, measured_text="0.400 [1.100, 1.300], n = 5", expected_text="> 1"),
        claim("collapse", True)]}))
    page = pages.claims_ledger_markdown(project, paths.claims_dir(project, "quick"), "quick")
    assert ("**Quick profile — 3 claims from 1 chapter — empirical: 1 holds, 1 undecided; verification: 1 holds.**"
            in page)
    assert "**Full profile — 3 claims from 1 chapter — empirical: 2 holds; verification: 1 holds.**" in page
    assert "? **undecided** (about 31 seeds would decide): 0.400 [-0.350, 1.040], n = 5 (expected > 1)" in page
    assert "✔ holds: 0.400 [1.100, 1.300], n = 5 (expected > 1) — **differs from the quick run**" in page
    assert "⚑ *Revised: margin 20 set after a margin of 10 flipped between seeds*" in page
    assert "- `lead` (Chapter 01_first): margin 20 set after" in page  # listed at the top too
    assert ":class: claims-ledger" in page and "table-layout: fixed" in page  # no sideways scrolling


def test_step_sizes_chosen_on_tuning_seeds_are_listed(project: Path):
    write_ledger(project, FIRST, [claim("c", True)])
    ledger_path = paths.claims_dir(project, "quick") / "01_first.json"
    ledger = json.loads(ledger_path.read_text())
    ledger["step_sizes"] = [{"method": "adam", "eta": 0.003, "grid": [1e-4, 0.1], "grid_size": 7, "where": "interior",
                             "bracketed": True, "tuning_seeds": 2, "scoring_seeds": 3}]
    ledger_path.write_text(json.dumps(ledger))
    page = pages.claims_ledger_markdown(project, paths.claims_dir(project, "quick"), "quick")
    assert "- adam: η = 0.003, interior of a grid of 7 in [0.0001, 0.1] (2 tuning, 3 scoring seeds)" in page


def test_labels_the_chapter_does_not_define_stay_plain_text(project: Path):
    write_ledger(project, FIRST, [claim("c", True, source="Proposition bil-prop-unknown; two-timescale")])
    page = pages.claims_ledger_markdown(project, paths.claims_dir(project, "quick"), "quick")
    assert "<br>*Proposition bil-prop-unknown; two-timescale*" in page
    assert "prf:ref" not in page


def test_a_source_that_already_cross_references_is_left_as_written(project: Path):
    add_theory(project, FIRST)
    write_ledger(project, FIRST, [claim("c", True, source="This chapter, {prf:ref}`first-prop`; {ref}`first-measured`")])
    page = pages.claims_ledger_markdown(project, paths.claims_dir(project, "quick"), "quick")
    assert "<br>*This chapter, {prf:ref}`first-prop`; {ref}`first-measured`*" in page


def test_stale_chapters_other_profiles_and_stray_ledgers_are_flagged(project: Path):
    write_ledger(project, FIRST, [claim("c", True)], profile="quick")
    folder = paths.claims_dir(project, "quick")
    (folder / "01_first.json").write_text(json.dumps({"chapter": FIRST, "profile": "full", "seed": 0,
                                                       "claims": [claim("c", True)]}))
    (folder / "gone.json").write_text(json.dumps({"chapter": "book/old.ipynb", "claims": []}))
    (folder / "broken.json").write_text("{not json")
    page = pages.claims_ledger_markdown(project, folder, "quick", origins={FIRST: "stale"})
    assert "from another profile than the book's (`quick`)" in page
    assert "re-run it to refresh these verdicts" in page
    assert "`book/old.ipynb`" in page and "`(unreadable: broken.json)`" in page


def papermill_notebook(durations: list[float]) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell("pass", metadata={"papermill": {"duration": d}}) for d in durations]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Timed"), *cells])
    notebook.metadata["papermill"] = {"duration": sum(durations) + 2.0, "end_time": "2026-01-02T03:04:05+00:00"}
    return notebook


def test_the_times_table_reads_papermill_metadata(project: Path):
    run = paths.run_dir(project, "quick")
    (run / FIRST).parent.mkdir(parents=True)
    nbformat.write(papermill_notebook([0.5, 3.25, 1.0]), run / FIRST)
    machine = {"cpu": "Test CPU 9000", "cores": 64, "memory_gib": 512.0}
    table = pages.chapter_times_markdown(project, run, "quick", versions={"jax": "0.1", "python": "3.11"},
                                         machines=[machine, machine])
    assert "| 6.8 s | 3 | code cell 2: 3.2 s | 2026-01-02" in table
    assert "| — | — | — | not executed by papermill |" in table  # the second chapter
    assert "| **All chapters** | **6.8 s** |" in table
    # The machine is the one the run recorded, not the one generating the page.
    assert "Executed on Test CPU 9000, 64 cores, 512 GiB; the run used JAX 0.1 on the CPU" in table
    assert "papermill's timings" in table and "claims ledgers" not in table
    unrecorded = pages.chapter_times_markdown(project, run, "quick", versions={"jax": "0.1"})
    assert "did not record the machine" in unrecorded


def test_the_machine_comes_from_the_runs_cache_key_records(executed_project: Path):
    machines = pages.run_machines(executed_project, "quick")
    assert len(machines) == 2 and machines[0] == cache.this_machine()
    record = json.loads(paths.key_file(executed_project, "quick", FIRST).read_text())
    assert cache.stored_key(record).keys().isdisjoint({"executed_on", "outputs"})


def test_staging_refreshes_the_generated_pages_the_book_has(project: Path):
    write_ledger(project, FIRST, [claim("from-the-run", True)])
    (project / pages.CLAIMS_PAGE).parent.mkdir(parents=True, exist_ok=True)
    (project / pages.CLAIMS_PAGE).write_text("# Claims ledger\n\ncommitted copy\n")
    stage_site(project, "quick")
    site = paths.site_dir(project, "quick")
    staged = (site / pages.CLAIMS_PAGE).read_text()
    assert "from-the-run" in staged and "committed copy" not in staged
    assert not (site / pages.TIMES_INCLUDE).exists(), "a page the book does not have is not added"


def test_the_pages_command_writes_the_committed_copies(project: Path, capsys):
    from booktools.cli import main

    write_ledger(project, FIRST, [claim("c", True)])
    assert main(["--root", str(project), "pages", "--profile", "quick"]) == 0
    assert "`c`" in (project / pages.CLAIMS_PAGE).read_text()
    assert (project / pages.TIMES_INCLUDE).is_file()
    assert "wrote book/appendix/claims_ledger.md" in capsys.readouterr().out


# --- the chapters' benchmark tables (cells tagged performance-table) ------------------------------

def tagged_cell(*lines: str, ran: bool = True) -> nbformat.NotebookNode:
    outputs = [nbformat.v4.new_output("stream", name="stdout", text="".join(f"{line}\n" for line in lines))]
    return nbformat.v4.new_code_cell("print(table)", metadata={"tags": [pages.PERFORMANCE_TAG]},
                                     outputs=outputs if ran else [])


def with_cells(path: Path, *cells: nbformat.NotebookNode, end_time: str | None = None) -> None:
    notebook = nbformat.read(path, as_version=4) if path.is_file() else nbformat.v4.new_notebook()
    notebook.cells += [nbformat.v4.new_markdown_cell("(first-timing)=\n## Timing"), *cells]
    if end_time:
        notebook.metadata["papermill"] = {"duration": 1.0, "end_time": end_time}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def test_the_tables_include_collects_the_tagged_outputs_of_the_run(project: Path):
    with_cells(project / FIRST, tagged_cell("committed table", ran=True))
    executed = paths.executed_notebook(project, "quick", FIRST)
    executed.parent.mkdir(parents=True, exist_ok=True)
    executed.write_text((project / FIRST).read_text())
    notebook = nbformat.read(executed, as_version=4)
    notebook.cells[-1] = tagged_cell("  d  dense [ms]", " 37       0.211")
    notebook.cells.append(tagged_cell("cross at p ≈ 204"))
    notebook.metadata["papermill"] = {"duration": 1.0, "end_time": "2026-01-02T03:04:05+00:00"}
    nbformat.write(notebook, executed)
    with_cells(project / SECOND, tagged_cell("never ran", ran=False))  # tagged, but the run lacks it

    table = pages.performance_tables_markdown(project, pages._shown_notebooks(project, "quick", project), "quick",
                                              {SECOND: "committed"}, {"jax": "0.1", "python": "3.11"})
    assert table.startswith(pages.TABLES_NOTICE) and "do not edit" in table
    assert "JAX 0.1 on the CPU" in table and "did not record the machine" in table
    assert ("From {doc}`Chapter 01_first </book/part1/01_first>`, section {ref}`first-timing` (executed 2026-01-02):"
            in table)
    assert "```text\n  d  dense [ms]\n 37       0.211\n```" in table  # verbatim, the alignment kept
    assert "```text\ncross at p ≈ 204\n```" in table  # one block per tagged cell
    assert "committed table" not in table  # the run's outputs, not the committed ones
    second = next(line for line in table.splitlines() if "02_second" in line)
    assert "**not in this run**" in second and "did not run" in second
    assert f"make run PROFILE=quick CHAPTER={SECOND}" in second


def test_a_run_from_before_the_tag_or_no_tag_at_all_gives_a_line_not_a_crash(project: Path):
    untagged = pages.performance_tables_markdown(project, {}, "quick")
    assert "No chapter of this book marks a benchmark table (cell tag `performance-table`) in this run." in untagged

    with_cells(project / FIRST, tagged_cell("table"))  # the source is tagged now...
    stale = project / "stale.ipynb"
    with_cells(stale, nbformat.v4.new_code_cell("print(table)"))  # ...the notebook the book shows is not
    table = pages.performance_tables_markdown(project, {FIRST: stale, SECOND: project / "missing.ipynb"}, "quick")
    assert "{doc}`Chapter 01_first </book/part1/01_first>`: **not in this run**" in table
    assert "executed before the tag was added" in table
    assert "```" not in table and "02_second" not in table


def test_staging_writes_the_tables_of_the_staged_notebooks(project: Path):
    with_cells(project / FIRST, tagged_cell("committed outputs of the chapter"))
    (project / pages.TABLES_INCLUDE).parent.mkdir(parents=True, exist_ok=True)
    (project / pages.TABLES_INCLUDE).write_text("committed copy\n")
    stage_site(project, "quick")  # the run holds no chapter: the committed notebooks are shown
    staged = (paths.site_dir(project, "quick") / pages.TABLES_INCLUDE).read_text()
    assert "committed outputs of the chapter" in staged and "committed copy" not in staged
    assert "outputs committed with the chapter, since the `quick` run does not hold it" in staged

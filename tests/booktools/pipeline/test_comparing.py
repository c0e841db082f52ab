"""``booktools compare``: the claims whose verdicts differ between two runs' ledgers."""

import json
from pathlib import Path

from booktools.cli import main
from booktools.pipeline import paths
from booktools.pipeline.compare import compare_verdicts, read_ledgers


def claim(claim_id: str, verdict: str, measured: str = "1.0 [0.5, 1.5], n = 4", kind: str = "empirical") -> dict:
    return {"id": claim_id, "kind": kind, "verdict": verdict, "measured_text": measured}


def write_ledger(folder: Path, chapter: str, *claims: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{chapter}.json").write_text(json.dumps({"chapter": chapter, "claims": list(claims)}))


def test_only_differing_verdicts_and_claims_one_run_lacks_are_reported(tmp_path: Path):
    write_ledger(tmp_path / "a", "01_first", claim("same", "holds"), claim("moved", "undecided"), claim("gone", "holds"))
    write_ledger(tmp_path / "b", "01_first", claim("same", "holds", "2.0 [1.5, 2.5], n = 4"),
                 claim("moved", "does not hold"), claim("added", "holds", kind="verification"))
    write_ledger(tmp_path / "a", "02_only_here", claim("alone", "holds"))  # a chapter one run lacks is not compared
    changes, compared = compare_verdicts(read_ledgers(tmp_path / "a"), read_ledgers(tmp_path / "b"))
    assert compared == 4
    assert [(c.claim, c.verdict, c.other_verdict) for c in changes] == [
        ("moved", "undecided", "does not hold"), ("gone", "holds", None), ("added", None, "holds")]
    assert changes[2].kind == "verification"


def test_the_command_compares_a_profile_with_another_run(project: Path, capsys):
    write_ledger(paths.claims_dir(project, "quick"), "01_first", claim("gap", "holds"), claim("rate", "holds"))
    write_ledger(paths.claims_dir(project, "full"), "01_first", claim("gap", "undecided", "0.5 [-0.1, 1.1], n = 9"),
                 claim("rate", "holds"))
    assert main(["--root", str(project), "compare", "--against", "full"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["2 claims compared, 1 verdicts differ (quick → full)",
                   "01_first gap (empirical): holds [1.0 [0.5, 1.5], n = 4] → undecided [0.5 [-0.1, 1.1], n = 9]"]


def test_a_run_without_ledgers_is_a_usage_error(project: Path, capsys):
    assert main(["--root", str(project), "compare", "--against", "full"]) == 2
    assert "no claims ledgers at" in capsys.readouterr().err

"""Compare the verdicts of two runs claim by claim: the same chapters under another seed (profile ``other-seed``),
or at another scale (``full``), or the same profile on another machine (a copy of its ``claims`` folder).

A verdict that holds under one seed only is not a finding (issue 15): ``python -m booktools compare --against
other-seed`` prints, chapter by chapter, every claim whose verdict differs between the two runs, and a count.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from booktools.errors import BooktoolsError


class VerdictChange(NamedTuple):
    """One claim of one chapter, in both runs (``None`` where a run lacks it)."""

    chapter: str
    claim: str
    kind: str
    verdict: str | None
    measured: str | None
    other_verdict: str | None
    other_measured: str | None


def read_ledgers(folder: Path) -> dict[str, dict[str, dict]]:
    """``{chapter stem: {claim id: claim}}`` from the ledgers (``*.json``) of a run's claims folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BooktoolsError(f"no claims ledgers at {folder}: run that profile first (make run PROFILE=…)")
    ledgers = {}
    for path in sorted(folder.glob("*.json")):
        ledger = json.loads(path.read_text(encoding="utf-8"))
        ledgers[path.stem] = {claim["id"]: claim for claim in ledger["claims"]}
    return ledgers


def compare_verdicts(ours: dict[str, dict[str, dict]], theirs: dict[str, dict[str, dict]]):
    """The claims whose verdicts differ (or that one run lacks), and the number compared, over the chapters
    both runs executed."""
    changes, compared = [], 0
    for chapter in sorted(set(ours) & set(theirs)):
        claims, others = ours[chapter], theirs[chapter]
        for claim_id in list(claims) + [name for name in others if name not in claims]:
            claim, other = claims.get(claim_id), others.get(claim_id)
            compared += 1
            verdict = claim and claim["verdict"]
            other_verdict = other and other["verdict"]
            if verdict != other_verdict:
                kind = (claim or other)["kind"]
                changes.append(VerdictChange(chapter, claim_id, kind, verdict, claim and claim["measured_text"],
                                             other_verdict, other and other["measured_text"]))
    return changes, compared


def comparison_report(changes: list[VerdictChange], compared: int, names: tuple[str, str]) -> str:
    """The changes as text, one claim per line, under a count."""
    ours, theirs = names
    lines = [f"{compared} claims compared, {len(changes)} verdicts differ ({ours} → {theirs})"]
    for change in changes:
        lines.append(f"{change.chapter} {change.claim} ({change.kind}): {change.verdict or 'absent'} "
                     f"[{change.measured or '–'}] → {change.other_verdict or 'absent'} [{change.other_measured or '–'}]")
    return "\n".join(lines)

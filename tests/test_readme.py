"""The README's commands and counts stay true as the repository changes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")
NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen"]


def chapters() -> list[Path]:
    toc = yaml.safe_load((REPOSITORY / "_toc.yml").read_text())
    files = [entry["file"] for part in toc["parts"] if part["caption"].startswith("Part") for entry in part["chapters"]]
    return [REPOSITORY / f"{file}.ipynb" for file in files]


def has_live_controls(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any(cell["cell_type"] == "code" and "widgets." in "".join(cell["source"]) for cell in cells)


def test_the_files_the_readme_names_exist():
    named = set(re.findall(r"\bbook/[\w/]+\.(?:ipynb|md|yml)\b", README))
    assert named and [path for path in sorted(named) if not (REPOSITORY / path).is_file()] == []


def test_the_make_targets_the_readme_names_exist():
    targets = subprocess.run(["make", "--no-print-directory", "-C", str(REPOSITORY), "help"], check=True,
                             capture_output=True, text=True, timeout=60).stdout.split()
    named = set(re.findall(r"`make (\w+)", README)) | set(re.findall(r"^make (\w+)", README, re.MULTILINE))
    assert named and sorted(named - set(targets)) == []


def test_the_readme_counts_the_chapters_with_live_controls():
    with_controls = sum(has_live_controls(chapter) for chapter in chapters())
    stated = f"{NUMBERS[with_controls].capitalize()} of the {NUMBERS[len(chapters())]} chapters have live controls"
    assert stated in " ".join(README.split())

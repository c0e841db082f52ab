"""The licenses, the citation file and the package metadata agree with each other and with the repository."""

import tomllib
from pathlib import Path

import optax
import yaml
from packaging.requirements import Requirement

REPOSITORY = Path(__file__).resolve().parents[1]
# optax.tree (optax.tree.norm, used by minimax.rules) is absent from optax's v0.2.4 tag, present at v0.2.5.
LAST_OPTAX_WITHOUT_TREE, FIRST_OPTAX_WITH_TREE = "0.2.4", "0.2.5"


def _pyproject() -> dict:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_code_is_mit_and_the_prose_cc_by_4():
    project = _pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPOSITORY / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    prose = (REPOSITORY / "LICENSE-BOOK").read_text(encoding="utf-8")
    assert "CC BY 4.0" in prose and "https://creativecommons.org/licenses/by/4.0/" in prose


def test_the_build_backend_reads_the_spdx_license():
    # PEP 639 (a license string and license-files) needs setuptools >= 77.
    [setuptools] = [Requirement(line) for line in _pyproject()["build-system"]["requires"]]
    assert setuptools.name == "setuptools" and not setuptools.specifier.contains("76.9")


def test_the_optax_floor_has_optax_tree_norm():
    [requirement] = [Requirement(line) for line in _pyproject()["project"]["dependencies"]
                     if Requirement(line).name == "optax"]
    assert not requirement.specifier.contains(LAST_OPTAX_WITHOUT_TREE)
    assert requirement.specifier.contains(FIRST_OPTAX_WITH_TREE)
    assert callable(optax.tree.norm)


def test_the_citation_file_names_this_release_and_repository():
    citation = yaml.safe_load((REPOSITORY / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["authors"] == [{"name": "The Optimize and Learn authors"}]
    assert citation["version"] == _pyproject()["project"]["version"]
    assert citation["repository-code"] == config["repository"]["url"]
    assert citation["license"] == "MIT" and citation["title"] and citation["message"]

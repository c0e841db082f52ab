# Optimize and Learn: one entry point for readers, authors and CI. `make help` lists the targets.
#
#   make book                          install, execute every chapter (quick profile), build the HTML
#   make run PROFILE=full [CHAPTER=book/part1/….ipynb] [JOBS=2] [FORCE=1]
#   make html PROFILE=full             build the HTML from an existing run
#   make test                          pytest (library, tooling, book build) + nbval on the chapters
#   make assignments                   student notebooks + autograder of book/assignments (_build/assignments)
#
# Everything runs in .venv, (re)installed from pyproject.toml with the versions pinned in the lock
# file, and only when one of those two files changed.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    ?= .venv
PROFILE ?= quick
CHAPTER ?=
JOBS    ?= 1
FORCE   ?=
PYTEST_ARGS ?=

PY        := $(VENV)/bin/python
LOCK      := .ci/requirements-lock.txt
INSTALLED := $(VENV)/.installed
BOOKTOOLS := $(PY) -m booktools
RUN_ARGS  := --profile $(PROFILE) --jobs $(JOBS) $(foreach chapter,$(CHAPTER),--chapter $(chapter)) \
             $(if $(FORCE),--force)
# Chapters write their claims ledgers here when nbval executes them (instead of next to the notebook).
TEST_CLAIMS_DIR := $(CURDIR)/_build/test-claims

.PHONY: help install run html book test assignments bench lock clean distclean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than pyproject.toml and the lock after a successful install: no reinstall until
# one of them changes.
$(INSTALLED): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' -c $(LOCK)
	touch $@

install: $(INSTALLED)  ## create .venv and install the project (only when needed)

run: $(INSTALLED)  ## execute chapters: PROFILE=quick|full CHAPTER=… JOBS=n FORCE=1
	$(BOOKTOOLS) run $(RUN_ARGS)

html: $(INSTALLED)  ## build _build/html from the run of PROFILE
	$(BOOKTOOLS) build --profile $(PROFILE)

book: $(INSTALLED)  ## execute every chapter (cached) and build the HTML book
	$(BOOKTOOLS) run --profile $(PROFILE) --jobs $(JOBS) $(if $(FORCE),--force)
	$(BOOKTOOLS) build --profile $(PROFILE)

# One pytest run over tests/ and (nbval) the chapters of _toc.yml: the target fails exactly when it does.
test: $(INSTALLED)  ## tests of library and tooling, the book build, nbval on the chapters
	$(VENV)/bin/ruff check src tests benchmarks
	MINIMAX_CLAIMS_DIR=$(TEST_CLAIMS_DIR) $(PY) -m pytest --nbval-lax --nbval-current-env \
	    --nbval-sanitize-with tests/sanitize.cfg --doctest-modules src tests $$($(BOOKTOOLS) list) $(PYTEST_ARGS)

assignments: $(INSTALLED)  ## student notebooks and the autograder of book/assignments, in _build/assignments
	$(BOOKTOOLS) assignments

bench: $(INSTALLED)  ## run the benchmarks (the PyTorch baseline needs: .venv/bin/pip install -e '.[bench]')
	$(PY) benchmarks/sweep_benchmark.py

lock: $(INSTALLED)  ## re-pin the lock file to what .venv holds (after changing dependencies)
	$(PY) .ci/make_lock.py > $(LOCK).new
	mv $(LOCK).new $(LOCK)

clean:  ## delete everything built (_build); keeps .venv
	rm -rf _build

distclean: clean  ## delete _build and .venv
	rm -rf $(VENV)

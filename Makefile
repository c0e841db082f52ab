# Optimize and Learn: one entry point for readers, authors and CI. `make help` lists the targets.
#
#   make book                          install, execute every chapter (quick profile), build the HTML
#   make run PROFILE=full [CHAPTER=book/part1/….ipynb] [JOBS=2] [FORCE=1]
#   make html PROFILE=full             build the HTML from an existing run
#   make pdf                           the PDF of the quick run (_build/latex/book.pdf; needs XeLaTeX)
#   make test                          pytest (library, tooling, book build) + nbval on the chapters
#   make assignments                   student notebooks + autograder of book/assignments (_build/assignments)
#   make lab [CHAPTER=….ipynb]         JupyterLab from .venv (live controls work), on one chapter if given
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
# make test runs its test files on this many processes (pytest-xdist; `auto`: one per core). A chapter's
# cells stay together, in order, on one process (--dist loadscope), and XLA compiles on about one core.
TEST_WORKERS ?= auto
LAB_ARGS ?=

PY        := $(VENV)/bin/python
LOCK      := .ci/requirements-lock.txt
INSTALLED := $(VENV)/.installed
BOOKTOOLS := $(PY) -m booktools
RUN_ARGS  := --profile $(PROFILE) --jobs $(JOBS) $(foreach chapter,$(CHAPTER),--chapter $(chapter)) \
             $(if $(FORCE),--force)
# Chapters write their claims ledgers here when nbval executes them (instead of next to the notebook).
TEST_CLAIMS_DIR := $(CURDIR)/_build/test-claims
# JAX's persistent compilation cache, shared with `booktools run` (which sets the same folder).
JAX_CACHE_DIR := $(CURDIR)/_build/jax-cache

.PHONY: help install run html pdf book lab test assignments bench lock clean distclean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

# Checked before creating .venv, so that an old or incomplete Python gets one line, not a pip traceback.
# The oldest Python the project supports is pyproject.toml's requires-python.
MIN_PYTHON := $(shell sed -nE 's/^requires-python = ">=([0-9.]+)"$$/\1/p' pyproject.toml)
PYTHON_CHECK = import sys, importlib.util; \
    oldest = tuple(int(part) for part in "$(MIN_PYTHON)".split(".")); \
    print("is Python " + sys.version.split()[0] if sys.version_info[:2] < oldest \
          else "" if importlib.util.find_spec("ensurepip") \
          else "has no venv module (Debian: apt-get install python3-venv)")
# Empty when $(PYTHON) can create .venv, else why not.
python_problem = $(if $(shell command -v $(PYTHON)),$(shell $(PYTHON) -c '$(PYTHON_CHECK)' 2>&1),is not installed)

$(PY):
	$(if $(python_problem),$(error $(PYTHON) $(python_problem): the book needs Python >= $(MIN_PYTHON) with venv; \
	    pick another interpreter with PYTHON=… (make book PYTHON=python3.12)))
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

pdf: $(INSTALLED)  ## build _build/latex/book.pdf from the run of PROFILE (needs XeLaTeX: see the README)
	$(BOOKTOOLS) build --profile $(PROFILE) --pdf

book: $(INSTALLED)  ## execute every chapter (cached) and build the HTML book
	$(BOOKTOOLS) run --profile $(PROFILE) --jobs $(JOBS) $(if $(FORCE),--force)
	$(BOOKTOOLS) build --profile $(PROFILE)

# JupyterLab's root is the repository even when it opens one chapter (it would be the chapter's folder).
# A chapter's kernel runs in the chapter's folder: its claims ledger goes to the repository's _build/claims.
lab: $(INSTALLED)  ## JupyterLab with live controls, on one chapter with CHAPTER=book/part1/….ipynb
	MINIMAX_CLAIMS_DIR=$${MINIMAX_CLAIMS_DIR:-$(CURDIR)/_build/claims} \
	    $(PY) -m jupyterlab --ServerApp.root_dir=$(CURDIR) $(CHAPTER) $(LAB_ARGS)

# One pytest run over tests/ and (nbval) the chapters of _toc.yml: the target fails exactly when it does.
test: $(INSTALLED)  ## tests of library and tooling, the book build, nbval on the chapters
	$(VENV)/bin/ruff check src tests benchmarks
	MINIMAX_CLAIMS_DIR=$(TEST_CLAIMS_DIR) JAX_COMPILATION_CACHE_DIR=$(JAX_CACHE_DIR) $(PY) -m pytest --nbval-lax \
	    --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --doctest-modules src tests $$($(BOOKTOOLS) list) \
	    --numprocesses $(TEST_WORKERS) --dist loadscope --durations 20 $(PYTEST_ARGS)

assignments: $(INSTALLED)  ## student notebooks and the autograder of book/assignments, in _build/assignments
	$(BOOKTOOLS) assignments

# Grades every notebook of SUBMISSIONS (the student is the file name) against the current tests of
# ASSIGNMENT; writes OUT/gradebook.csv, feedback/, results/ (Gradescope) and grading_sheet.md.
SUBMISSIONS ?=
ASSIGNMENT  ?=
OUT         ?= grading-results
GRADE_ARGS  ?=
.PHONY: grade
grade: $(INSTALLED)  ## grade a folder: SUBMISSIONS=dir/ ASSIGNMENT=name [OUT=dir] [GRADE_ARGS='--deadline …']
	@test -n "$(SUBMISSIONS)" -a -n "$(ASSIGNMENT)" || { echo "usage: make grade SUBMISSIONS=dir/ ASSIGNMENT=name"; exit 2; }
	$(BOOKTOOLS) assignments
	$(BOOKTOOLS) grade $(SUBMISSIONS) --assignment $(ASSIGNMENT) --out $(OUT) $(GRADE_ARGS)

bench: $(INSTALLED)  ## run the benchmarks (the PyTorch baseline needs: .venv/bin/pip install -e '.[bench]')
	$(PY) benchmarks/sweep_benchmark.py

lock: $(INSTALLED)  ## re-pin the lock file to what .venv holds (after changing dependencies)
	$(PY) .ci/make_lock.py > $(LOCK).new
	mv $(LOCK).new $(LOCK)

clean:  ## delete everything built (_build); keeps .venv
	rm -rf _build

distclean: clean  ## delete _build and .venv
	rm -rf $(VENV)

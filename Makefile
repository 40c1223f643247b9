# The README's two commands: `make demo` and `make test`. Each creates .venv at the repo root when
# it is missing and installs the project into it, so a fresh clone needs nothing else.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: demo test lint typecheck unit install

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/worksample demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Test processes (pytest-xdist). Tests mostly wait on I/O, so more processes than cores pays off;
# `make unit PYTEST_WORKERS=0` runs in one process, for debugging.
PYTEST_WORKERS ?= 4

unit: $(STAMP)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck unit

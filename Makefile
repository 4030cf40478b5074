# Two commands do the whole set-up on a fresh machine (Python 3.11+, pip, git, make; Java for Spark):
#   make demo   - create .venv, install, generate a sample month if data/landing is empty, run, print KPIs
#   make test   - create .venv, install with test extras, run the whole test suite
#   make test-fast - the unit tier only (no warehouse built, no engine started): seconds, for the edit loop
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-fast ui bench install install-dev lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/modqa demo

bench: $(VENV)/.installed
	$(BIN)/modqa bench

ui: $(VENV)/.installed
	$(BIN)/modqa ui

# --durations: the slowest tests are named in every run's output (CI's included), so growth is seen.
test: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 -m "not slow and not spark" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check orchestration expectations tests
	MODQA_LINT_SQL=1 $(BIN)/pytest tests/test_lint.py

clean:
	rm -rf data/warehouse .pytest_cache

# Two commands do the whole set-up on a fresh machine (Python 3.11+, pip, git, make; Java for Spark):
#   make demo   - create .venv, install, generate a sample month if data/landing is empty, run, print KPIs
#   make test   - create .venv, install with test extras, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test ui bench install install-dev lint clean

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

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check orchestration expectations tests

clean:
	rm -rf data/warehouse .pytest_cache

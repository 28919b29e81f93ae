# distributor: `make run` brings the whole service up; `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck all bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/distributor run

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check distributor workers tests bench
	$(BIN)/ruff format --check distributor workers tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

all: lint typecheck test

bench: $(STAMP)
	$(BIN)/python bench/format.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

# distributor: `make run` brings the whole service up; `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck all bench clean lock

# installs exactly what requirements-dev.lock pins, every file checked against its hash
$(STAMP): pyproject.toml requirements-dev.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# after changing dependencies in pyproject.toml: resolve again (uv), then `make` reinstalls.
# requirements.lock is the service's own (the Docker image); requirements-dev.lock adds [dev]
LOCK := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet
lock: $(STAMP)
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

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

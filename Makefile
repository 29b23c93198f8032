# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run test lint format bench clean

# requirements.lock pins the dev and bench extras too (its first lines give the command).
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ketnghia needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# axe-core for the accessibility browser tests (package.json, pinned by package-lock.json),
# when npm is on the machine; the tests that need it skip without it.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the accessibility (axe-core) browser tests will be skipped"; fi

install: $(STAMP) node_modules/.installed
	@KETNGHIA_PROFILE=local $(BIN)/ketnghia compile-translations

run: install
	KETNGHIA_PROFILE=local $(BIN)/ketnghia migrate --noinput
	KETNGHIA_PROFILE=local $(BIN)/ketnghia demo --if-empty
	KETNGHIA_PROFILE=local $(BIN)/ketnghia demo-logins
	KETNGHIA_PROFILE=local $(BIN)/ketnghia runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The layers (import-linter contracts in pyproject.toml: imports run downwards only) and the
# types (mypy with the django-stubs plugin on the modules pyproject.toml lists).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	KETNGHIA_PROFILE=local $(BIN)/mypy

# Print one table (see bench/README.md): the census import against django-import-export
# from .csv and .xlsx, households per second into PostgreSQL (a scratch database
# ketnghia_bench, created and dropped, when a server answers at DATABASE_URL or
# 127.0.0.1:5432), peak memory at two file sizes, and the demo generation (first load, then
# the idempotent second run), and on PostgreSQL the indicators at national scale (scratch
# database ketnghia_bench_nat; BENCH_ARGS="--only national --national-scale 0.05" runs only
# that part). SQLite runs in a throwaway directory, whatever DATABASE_URL
# says. BENCH_ARGS passes options, e.g. BENCH_ARGS="--rows 20000 --no-postgres".
bench: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export KETNGHIA_VAR_DIR="$$tmp" KETNGHIA_PROFILE=local TMPDIR="$$tmp" && \
	$(BIN)/python -m bench $(BENCH_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var

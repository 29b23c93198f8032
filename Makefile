# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run test lint format bench clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ketnghia needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)
	@KETNGHIA_PROFILE=local $(BIN)/ketnghia compile-translations

run: install
	KETNGHIA_PROFILE=local $(BIN)/ketnghia migrate --noinput
	KETNGHIA_PROFILE=local $(BIN)/ketnghia demo --if-empty
	KETNGHIA_PROFILE=local $(BIN)/ketnghia demo-logins
	KETNGHIA_PROFILE=local $(BIN)/ketnghia runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Time the demo generation (first load, then the idempotent second run) on a throwaway SQLite
# database, whatever DATABASE_URL says.
bench: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export KETNGHIA_VAR_DIR="$$tmp" KETNGHIA_PROFILE=local && unset DATABASE_URL && \
	$(BIN)/ketnghia migrate --noinput -v0 && \
	$(BIN)/ketnghia demo && $(BIN)/ketnghia demo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var

# Two commands on a fresh machine: `make run` and `make test`. Only Python 3.11 and make assumed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench faults clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/baraza run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/baraza check flows
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/baraza check flows

# Benchmarks (issue 6): at most 10 minutes on 2 cores; one table, also in bench/RESULTS.md.
# Needs wrk (Debian package) and the `bench` extra (Flask, for the baseline).
bench: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } \
		|| echo "wrk could not be installed: bench 2 falls back to an asyncio load generator"
	@$(BIN)/python -c "import flask" 2>/dev/null || $(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench

# The fault suite at full size (make test runs its short form, tests/test_faults.py).
faults: $(STAMP)
	$(BIN)/python -m faults

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

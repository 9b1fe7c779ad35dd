# One target per chore. `make demo` and `make test` set everything up first, on a fresh Debian.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Debian packages the test suite needs (binary=package). Installed when missing and we are root;
# otherwise the tests that need them skip and say why (and fail under CI=true).
SYSTEM_DEPS :=

DEMO_DIR := build/demo

.PHONY: setup system-deps demo test unit lint bench clean

$(STAMP): pyproject.toml scripts/bootstrap
	scripts/bootstrap $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

system-deps:
	@scripts/install-system-deps $(SYSTEM_DEPS)

demo: setup
	@echo "Demo state files: $(DEMO_DIR)/state   event log: $(DEMO_DIR)/data/streamsuites.db"
	$(BIN)/streamsuites run examples/config --state-dir $(DEMO_DIR)/state --data-dir $(DEMO_DIR)/data

test: setup system-deps lint
	$(BIN)/pytest

unit: setup
	$(BIN)/pytest tests/unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/eventlog.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache

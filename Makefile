# One target per chore. `make demo` and `make test` set everything up first, on a fresh Debian.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Debian packages the test suite needs (binary=package). Installed when missing and we are root;
# otherwise the tests that need them skip and say why (and fail under CI=true).
SYSTEM_DEPS := inspircd=inspircd ffmpeg=ffmpeg ffprobe=ffmpeg chromium=chromium
# The demo clips a local HLS test stream, so it wants ffmpeg (it runs without, minus clips).
DEMO_DEPS := ffmpeg=ffmpeg ffprobe=ffmpeg

DEMO_DIR := build/demo

.PHONY: setup system-deps demo test unit lint bench clean

$(STAMP): pyproject.toml scripts/bootstrap
	scripts/bootstrap $(VENV)
	@touch $(STAMP)

setup: $(STAMP)

system-deps:
	@scripts/install-system-deps $(SYSTEM_DEPS)

# Twitch chat from the local Twitch IRC emulator and YouTube chat from the local YouTube Data
# API emulator (looping scenarios), and a local HLS stream to clip, through the real runtime:
# triggers reply on both platforms, !clip makes a real MP4, the pages show it all.
demo: setup
	@scripts/install-system-deps $(DEMO_DEPS)
	@rm -rf $(DEMO_DIR)
	@echo "StreamSuites demo: Twitch, YouTube and HLS emulators (examples/demo, examples/scenarios)."
	@echo "  state files: $(DEMO_DIR)/state  (polls.json, tallies.json, runtime_snapshot.json, ...)"
	@echo "  event log:   $(DEMO_DIR)/data/streamsuites.db"
	@echo "  connectors:  $(BIN)/streamsuites status --state-dir $(DEMO_DIR)/state"
	@echo "  Ctrl-C stops it cleanly."
	$(BIN)/streamsuites demo --state-dir $(DEMO_DIR)/state --data-dir $(DEMO_DIR)/data

test: setup system-deps lint
	$(BIN)/pytest

unit: setup
	$(BIN)/pytest tests/unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	-$(BIN)/python benchmarks/eventlog.py
	-$(BIN)/python benchmarks/triggers.py
	-$(BIN)/python benchmarks/youtube_quota.py
	-$(BIN)/python benchmarks/twitch_ingest.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache

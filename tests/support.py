"""Helpers shared by test modules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

__all__ = ["REPO", "run_cli", "require_binary"]

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``streamsuites ARGS`` as a user would, from the project's top folder."""
    return subprocess.run(
        [sys.executable, "-m", "streamsuites", *map(str, args)],
        input=stdin, capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )


def require_binary(name: str, package: str) -> str:
    """Return the path of executable `name`; skip the test when it is missing, fail under CI.

    Outside CI a test whose system dependency is missing is skipped and says why; with CI=true
    the missing dependency fails the run (``make test`` installs it as root: SYSTEM_DEPS).
    """
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is not None:
        return path
    reason = f"{name} not found; install the Debian package {package!r} (make system-deps)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
    pytest.skip(reason)

"""Helpers shared by test modules."""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["require_binary"]


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

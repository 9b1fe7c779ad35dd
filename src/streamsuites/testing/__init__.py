"""Fakes for tests and examples, shipped with the package."""

from __future__ import annotations

from streamsuites.testing.clock import FakeClock

__all__ = ["FakeClock"]

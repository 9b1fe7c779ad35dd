"""Reading a connector's ``options`` (the platform-specific keys of a creators.json entry).

Every connector validates its options once, when it is built; a bad value raises ValueError
naming the platform, the key, what it must be and what was found. The runtime turns that into
the connector's ``disabled`` status with reason "invalid config: ...", so one creator's typo
never stops the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Options"]


class Options:
    """Typed reads of one connector's options, with errors that name the option."""

    def __init__(self, platform: str, values: Mapping[str, Any]) -> None:
        self.platform = platform
        self._values = values

    def get(self, key: str, default: object = None) -> object:
        """Return the raw value of `key`, or `default`."""
        return self._values.get(key, default)

    def text(self, key: str, default: str) -> str:
        """Return a string option."""
        value = self._values.get(key, default)
        if not isinstance(value, str):
            raise self.error(key, "a string", value)
        return value

    def seconds(self, key: str, default: float) -> float:
        """Return a positive number of seconds."""
        value = self._values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(key, "a positive number of seconds", value)
        return float(value)

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        """Return an integer in ``[low, high]``."""
        value = self._values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"an integer from {low} to {high}", value)
        return value

    def flag(self, key: str, default: bool) -> bool:
        """Return a boolean option."""
        value = self._values.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "true or false", value)
        return value

    def error(self, key: str, expected: str, found: object) -> ValueError:
        """Return the error for option `key`, which must be `expected` but is `found`."""
        return ValueError(f"{self.platform} option {key!r} must be {expected}, got {found!r}")

"""Reducer state ↔ plain JSON values, the one way every reducer persists and shows its state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["from_json", "to_json"]

_T = TypeVar("_T")


def to_json(state: object) -> dict[str, Any]:
    """Return `state` as JSON values: string keys, sorted, times as RFC 3339 strings."""
    data: dict[str, Any] = msgspec.to_builtins(state, order="deterministic", str_keys=True)
    return data


def from_json(data: Mapping[str, Any] | None, kind: type[_T]) -> _T:
    """Rebuild a state of type `kind` from :func:`to_json`'s output (None: a fresh state)."""
    return msgspec.convert(dict(data or {}), kind, strict=False)

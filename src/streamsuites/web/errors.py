"""The API's one error shape, and the query-parameter readers that raise it.

Every 4xx answer of ``/api/v1/`` has the body ``{"error": {"code", "message", "parameter"?}}``.
Readers here are pure functions of a query mapping: they return a typed value or raise
:class:`ApiError` naming the parameter, so a bad ``limit`` is a 400 that says so, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from streamsuites.events import EVENT_KINDS

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "MAX_TEXT",
    "ApiError",
    "error_body",
    "int_param",
    "kinds_param",
    "optional_int",
    "text_param",
    "time_param",
    "values_param",
]

MAX_TEXT = 200
"""Longest identifier a query may carry (creator, platform, session ids)."""


class ApiError(Exception):
    """A request the API refuses, with the HTTP status and the JSON error it answers with."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.headers = dict(headers or {})

    @classmethod
    def bad(cls, parameter: str, message: str) -> ApiError:
        """Return the 400 for one bad parameter."""
        return cls(400, "bad_parameter", message, parameter=parameter)

    def body(self) -> dict[str, Any]:
        """Return the JSON body."""
        return error_body(self.code, self.message, self.parameter)


def error_body(code: str, message: str, parameter: str | None = None) -> dict[str, Any]:
    """Return ``{"error": {...}}``; ``parameter`` only when one parameter is at fault."""
    error: dict[str, Any] = {"code": code, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return {"error": error}


def _single(query: Mapping[str, str], name: str) -> str | None:
    getall = getattr(query, "getall", None)
    if getall is not None and len(getall(name, [])) > 1:
        raise ApiError.bad(name, f"{name} may be given once")
    return query.get(name)


def int_param(query: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
    """Return the integer `name` in [low, high], `default` when absent."""
    value = optional_int(query, name, low=low, high=high)
    return default if value is None else value


def optional_int(
    query: Mapping[str, str], name: str, *, low: int = 0, high: int = 2**63 - 1
) -> int | None:
    """Return the integer `name` in [low, high], or None when absent."""
    raw = _single(query, name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise ApiError.bad(name, f"{name} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ApiError.bad(name, f"{name} must be a whole number from {low} to {high}")
    return value


def text_param(query: Mapping[str, str], name: str) -> str | None:
    """Return the identifier `name` (printable, at most MAX_TEXT characters), None if absent."""
    raw = _single(query, name)
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_TEXT or not raw.isprintable():
        raise ApiError.bad(name, f"{name} must be printable text of at most {MAX_TEXT} characters")
    return raw


def values_param(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Return the values of `name`, repeated or comma separated, de-duplicated in order."""
    getall = getattr(query, "getall", None)
    raws: list[str] = getall(name, []) if getall is not None else [query.get(name, "")]
    values: list[str] = []
    for raw in raws:
        for value in raw.split(","):
            value = value.strip()
            if len(value) > MAX_TEXT or not value.isprintable():
                raise ApiError.bad(name, f"{name} must be printable text")
            if value and value not in values:
                values.append(value)
    return tuple(values)


def kinds_param(query: Mapping[str, str], name: str = "kind") -> tuple[str, ...]:
    """Return the event kinds asked for (none: every kind); an unknown kind is a 400."""
    kinds = values_param(query, name)
    unknown = [kind for kind in kinds if kind not in EVENT_KINDS]
    if unknown:
        known = ", ".join(str(kind) for kind in EVENT_KINDS)
        raise ApiError.bad(name, f"unknown event kind {unknown[0]!r}; known: {known}")
    return kinds


def time_param(query: Mapping[str, str], name: str) -> datetime | None:
    """Return the ISO-8601 time `name` with its offset (``Z`` for UTC), None if absent."""
    raw = _single(query, name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError.bad(
            name, f"{name} must be an ISO-8601 time with an offset, e.g. …T12:00:00Z"
        )
    return moment

"""Check JSON bodies against the schemas of YouTube's discovery document.

The discovery document (``../shared/corpora/youtube/youtube.v3.discovery.json``) is Google's own
machine-readable description of the Data API. Our hand-written fixtures and the emulator's
responses are checked against it, so neither can drift from what YouTube really sends.

The walk is deliberately strict where a fake is most likely to go wrong:

* a property the schema does not name is an error (the emulator must not invent fields);
* 64-bit integers travel as JSON strings (``"format": "uint64"`` on a ``"string"``), so a bare
  number there is an error, and so is a string that is not a decimal integer in range;
* ``date-time`` strings must be RFC 3339 with an offset or ``Z``.

Each error names the JSON path of the offending value (``$.items[0].snippet.type``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["load_discovery", "schema_errors"]

DISCOVERY_FILE: Final = "youtube/youtube.v3.discovery.json"

_INT_RANGES: Final = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}
_DECIMAL: Final = re.compile(r"-?[0-9]+")
_RFC3339: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DURATION: Final = re.compile(r"-?[0-9]+(\.[0-9]{1,9})?s")


def load_discovery(corpora: Path) -> dict[str, Any]:
    """Return the parsed discovery document from the shared corpora folder."""
    document: dict[str, Any] = json.loads((corpora / DISCOVERY_FILE).read_text(encoding="utf-8"))
    return document


def schema_errors(discovery: dict[str, Any], schema_name: str, instance: object) -> list[str]:
    """Return every way `instance` breaks schema `schema_name` (empty when it fits)."""
    schemas: dict[str, Any] = discovery["schemas"]
    if schema_name not in schemas:
        raise KeyError(f"no schema {schema_name!r} in the discovery document")
    errors: list[str] = []
    _check(schemas, schemas[schema_name], instance, "$", errors)
    return errors


def _check(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    kind = schema.get("type", "object" if "properties" in schema else "any")
    checker = _CHECKERS.get(kind)
    if checker is None:
        errors.append(f"{path}: the validator does not know schema type {kind!r}")
        return
    checker(schemas, schema, value, path, errors)


def _check_object(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if not isinstance(value, dict):
        errors.append(f"{path}: expected an object, got {_name(value)}")
        return
    properties: dict[str, Any] = schema.get("properties", {})
    extra: dict[str, Any] | None = schema.get("additionalProperties")
    for key, item in value.items():
        child = f"{path}.{key}"
        if key in properties:
            _check(schemas, properties[key], item, child, errors)
        elif extra is not None:
            _check(schemas, extra, item, child, errors)
        else:
            errors.append(f"{child}: property not in the schema")


def _check_array(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if not isinstance(value, list):
        errors.append(f"{path}: expected an array, got {_name(value)}")
        return
    for index, item in enumerate(value):
        _check(schemas, schema["items"], item, f"{path}[{index}]", errors)


def _check_string(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if not isinstance(value, str):
        errors.append(f"{path}: expected a string, got {_name(value)}")
        return
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        errors.append(f"{path}: {value!r} is not one of the enum values")
    problem = _string_format_problem(schema.get("format"), value)
    if problem:
        errors.append(f"{path}: {problem}")


def _string_format_problem(fmt: str | None, value: str) -> str:
    if fmt in _INT_RANGES:
        if not _DECIMAL.fullmatch(value):
            return f"{value!r} is not a decimal {fmt} string"
        return _range_problem(fmt, int(value))
    if fmt in ("date-time", "google-datetime"):
        return "" if _is_rfc3339(value) else f"{value!r} is not an RFC 3339 date-time"
    if fmt == "google-duration" and not _DURATION.fullmatch(value):
        return f"{value!r} is not a duration like '3.5s'"
    return ""


def _is_rfc3339(value: str) -> bool:
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _range_problem(fmt: str, number: int) -> str:
    low, high = _INT_RANGES[fmt]
    return "" if low <= number <= high else f"{number} is out of range for {fmt}"


def _check_integer(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f"{path}: expected an integer, got {_name(value)}")
        return
    fmt = schema.get("format")
    problem = _range_problem(fmt, value) if fmt in _INT_RANGES else ""
    if problem:
        errors.append(f"{path}: {problem}")


def _check_number(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{path}: expected a number, got {_name(value)}")


def _check_boolean(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    if not isinstance(value, bool):
        errors.append(f"{path}: expected a boolean, got {_name(value)}")


def _check_any(
    schemas: dict[str, Any], schema: dict[str, Any], value: object, path: str, errors: list[str]
) -> None:
    """Accept anything: the document types a few values as ``any``."""


def _name(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


_CHECKERS: Final = {
    "object": _check_object,
    "array": _check_array,
    "string": _check_string,
    "integer": _check_integer,
    "number": _check_number,
    "boolean": _check_boolean,
    "any": _check_any,
}

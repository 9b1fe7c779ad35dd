"""Validating a config document against its shipped JSON Schema and wording the errors.

The schema files in ``schemas/`` serve editors (autocomplete, hover text) and this module. Two
keywords of our own are read here and ignored by other tools: ``x-expected`` words the
``expected`` part of a type error, and ``x-strict`` turns unknown keys from a warning into an
error (only where the original format forbids extra keys). ``patternErrorMessage`` is the
keyword editors already understand for a pattern's explanation.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from jsonschema import Draft202012Validator

from streamsuites.config.issues import ConfigIssue, JsonPath, describe, json_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema.exceptions import ValidationError

__all__ = ["SCHEMA_NAMES", "schema_text", "validate"]

SCHEMA_NAMES: Final = (
    "system",
    "platforms",
    "services",
    "platform_overrides",
    "creators",
    "tiers",
    "triggers",
    "chat_behaviour",
    "interactive",
)

_TYPE_NAMES: Final = {
    "boolean": "a boolean",
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "null": "null",
}

_Draft = tuple[JsonPath, str, str | None, str | None]
"""An issue before its file and severity are known: path, message, expected, found."""


def schema_text(name: str) -> str:
    """Return the text of the shipped schema for config file `name` (``"creators"``)."""
    return resources.files(__package__).joinpath("schemas", f"{name}.schema.json").read_text()


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text(name)))


def validate(name: str, data: object, file: str) -> list[ConfigIssue]:
    """Check `data` against schema `name`; return the errors and unknown-key warnings."""
    errors = sorted(_validator(name).iter_errors(data), key=_sort_key)
    return [issue for error in errors for issue in _issues(error, file)]


def _sort_key(error: ValidationError) -> tuple[tuple[tuple[int, int | str], ...], str]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in error.path), str(error.validator)


def _issues(error: ValidationError, file: str) -> list[ConfigIssue]:
    if error.validator == "additionalProperties":
        return _unknown_keys(error, file)
    if error.validator == "required":
        drafts = _required(error)
    else:
        drafts = [_WORDING.get(str(error.validator), _fallback)(error)]
    return [
        ConfigIssue(
            file=file,
            path=json_path(parts),
            message=message,
            found=_hide_secret(parts, error.instance, found),
            expected=expected,
        )
        for parts, message, expected, found in drafts
    ]


def _schema(error: ValidationError) -> Mapping[str, Any]:
    """Return the (sub)schema that failed; a boolean schema has no keywords to read."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _instance(error: ValidationError) -> Any:  # noqa: ANN401 - the offending JSON value
    """Return the JSON value that failed."""
    return getattr(error, "instance", None)


def _value(error: ValidationError) -> Any:  # noqa: ANN401 - a keyword's value is any JSON value
    """Return the failed keyword's value in the schema, e.g. the list of an ``enum``."""
    return getattr(error, "validator_value", None)


def _hide_secret(parts: JsonPath, value: object, found: str | None) -> str | None:
    """Never echo what was put in a ``*_env`` field: a misplaced secret must not reach the logs."""
    last = parts[-1] if parts else ""
    if isinstance(last, str) and "_env" in last and isinstance(value, str) and found:
        return f"a {len(value)}-character value"
    return found


def _unknown_keys(error: ValidationError, file: str) -> list[ConfigIssue]:
    schema = _schema(error)
    known = [key for key in schema.get("properties", {}) if key != "$schema"]
    patterns = list(schema.get("patternProperties", {}))
    strict = bool(schema.get("x-strict"))
    return [
        ConfigIssue(
            file=file,
            path=json_path((*error.path, key)),
            message=_unknown_key_message(key, known, strict),
            expected="one of: " + ", ".join(known) if strict else None,
            severity="error" if strict else "warning",
        )
        for key in _instance(error)
        if key not in known and key != "$schema" and not any(re.search(p, key) for p in patterns)
    ]


def _unknown_key_message(key: str, known: list[str], strict: bool) -> str:
    message = f"unknown key {key!r} " + ("is not allowed" if strict else "is ignored")
    close = difflib.get_close_matches(key, known, n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def _type_names(value: str | list[str] | None) -> str:
    names = [value] if isinstance(value, str) else list(value or ())
    return " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)


def _type(error: ValidationError) -> _Draft:
    expected = _schema(error).get("x-expected") or _type_names(_value(error))
    return tuple(error.path), "wrong type", expected, describe(error.instance)


def _required(error: ValidationError) -> list[_Draft]:
    properties = _schema(error).get("properties", {})
    return [
        ((*error.path, key), "missing required key", _expected_type(properties.get(key)), None)
        for key in _value(error)
        if key not in _instance(error)
    ]


def _expected_type(schema: Mapping[str, Any] | None) -> str | None:
    wanted = (schema or {}).get("type")
    return _type_names(wanted) if wanted else None


def _enum(error: ValidationError) -> _Draft:
    expected = "one of: " + ", ".join(str(v) for v in _value(error))
    return tuple(error.path), "unknown value", expected, describe(error.instance)


def _bound(symbol: str) -> Callable[[ValidationError], _Draft]:
    def word(error: ValidationError) -> _Draft:
        expected = f"a number {symbol} {_value(error)}"
        return tuple(error.path), "out of range", expected, describe(error.instance)

    return word


def _pattern(error: ValidationError) -> _Draft:
    default = f"a string matching {_value(error)}"
    expected = _schema(error).get("patternErrorMessage") or default
    return tuple(error.path), "invalid format", expected, describe(error.instance)


def _min_length(error: ValidationError) -> _Draft:
    return tuple(error.path), "empty string", "a non-empty string", describe(error.instance)


def _min_size(error: ValidationError) -> _Draft:
    count = _value(error)
    noun = "entry" if count == 1 else "entries"
    return tuple(error.path), "too few entries", f"at least {count} {noun}", None


def _fallback(error: ValidationError) -> _Draft:
    return tuple(error.path), error.message, None, None


_WORDING: Final[dict[str, Callable[[ValidationError], _Draft]]] = {
    "type": _type,
    "enum": _enum,
    "minimum": _bound(">="),
    "exclusiveMinimum": _bound(">"),
    "maximum": _bound("<="),
    "exclusiveMaximum": _bound("<"),
    "pattern": _pattern,
    "minLength": _min_length,
    "minItems": _min_size,
    "minProperties": _min_size,
}

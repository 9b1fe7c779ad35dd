"""JSON in and out: one encoder for every answer, one reader for request bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from streamsuites.web.errors import ApiError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["json_response", "read_object", "require_text"]

_encoder = msgspec.json.Encoder()


def json_response(
    body: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Return `body` as UTF-8 JSON (``msgspec.Raw`` values are embedded as they are)."""
    return web.Response(
        body=_encoder.encode(body),
        status=status,
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


async def read_object(request: web.Request) -> dict[str, Any]:
    """Return the request's JSON object body; anything else is a 400."""
    raw = await request.read()
    try:
        body = msgspec.json.decode(raw) if raw else {}
    except msgspec.DecodeError:
        raise ApiError(400, "bad_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return body


def require_text(
    body: Mapping[str, Any], name: str, *, limit: int = 200, required: bool = True
) -> str | None:
    """Return the non-blank string field `name` of a body (at most `limit` characters)."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError.bad(name, f"{name} must be a non-empty string")
    if len(value) > limit:
        raise ApiError.bad(name, f"{name} must be at most {limit} characters")
    return value

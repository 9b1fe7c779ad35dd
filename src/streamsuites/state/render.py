"""How values look in the state files: one timestamp format and one file header.

Every timestamp in every state file is ISO-8601 UTC with millisecond precision and a ``Z``
suffix (``2026-01-18T12:00:00.000Z``), as the original snapshot rendered them; the dashboard
parses them with ``new Date(...)``. A missing time is ``null``, never ``0`` or ``""``.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from streamsuites.clock import utc_from_timestamp

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["SCHEMA_VERSION", "header", "iso", "iso_datetime"]

SCHEMA_VERSION = "v1"


def iso(seconds: float | None) -> str | None:
    """Render epoch `seconds` as ISO-8601 UTC with a ``Z`` suffix; None stays None."""
    if seconds is None:
        return None
    return iso_datetime(utc_from_timestamp(seconds))


def iso_datetime(moment: datetime | None) -> str | None:
    """Render an aware datetime the same way as :func:`iso`; a naive one is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def header(now: float) -> dict[str, Any]:
    """Return the fields every state file starts with."""
    return {"schema_version": SCHEMA_VERSION, "generated_at": iso(now)}

"""Logging set-up: text or JSON lines, with the creator and platform of the task that logged."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["configure_logging", "log_context"]

_creator: ContextVar[str | None] = ContextVar("streamsuites_creator", default=None)
_platform: ContextVar[str | None] = ContextVar("streamsuites_platform", default=None)


@contextlib.contextmanager
def log_context(*, creator_id: str | None = None, platform: str | None = None) -> Iterator[None]:
    """Tag every log record made in this block (and tasks started from it)."""
    tokens = (_creator.set(creator_id), _platform.set(platform))
    try:
        yield
    finally:
        _platform.reset(tokens[1])
        _creator.reset(tokens[0])


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.creator_id = _creator.get()
        record.platform = _platform.get()
        return True


def _tag(record: logging.LogRecord, name: str) -> str | None:
    value = getattr(record, name, None)
    return value if isinstance(value, str) else None


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        tags = "/".join(t for t in (_tag(record, "creator_id"), _tag(record, "platform")) if t)
        record.tags = f" [{tags}]" if tags else ""
        return super().format(record)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "creator_id": _tag(record, "creator_id"),
            "platform": _tag(record, "platform"),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps({k: v for k, v in entry.items() if v is not None})


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Send the runtime's logs to stderr in `fmt` ("text" or "json") at `level`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            _TextFormatter("%(asctime)s %(levelname)-7s %(name)s%(tags)s: %(message)s")
        )
    root = logging.getLogger("streamsuites")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False

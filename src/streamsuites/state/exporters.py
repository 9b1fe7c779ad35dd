"""Writing state files: atomically, into the state dir, mirrored to an optional publish root.

A reader (the dashboard, a sync job) never sees a half-written file: each write goes to a temp
file in the target directory, is flushed and fsynced, then renamed over the target, and the
directory is fsynced so the rename survives a crash. A failed write is logged and reported as
False; the next tick writes again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.config.model import Config

__all__ = [
    "PUBLISH_ROOT_ENV",
    "StateWriter",
    "encode_json",
    "resolve_publish_root",
    "write_json_atomic",
]

logger = logging.getLogger("streamsuites.state")

PUBLISH_ROOT_ENV = ("DASHBOARD_STATE_PUBLISH_ROOT", "STREAMSUITES_STATE_PUBLISH_ROOT")
"""Environment variables naming the publish root, in precedence order."""


def encode_json(payload: object) -> bytes:
    """Return `payload` as the state files store it: UTF-8, indent 2, keys in built order."""
    return (json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def write_json_atomic(path: Path, payload: object) -> None:
    """Replace `path` with `payload` as JSON, atomically; raise OSError on failure."""
    data = encode_json(payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Windows cannot open a directory for fsync; the rename is as durable as it gets there.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StateWriter:
    """Writes state files under `state_dir`, mirrored under ``<publish_root>/shared/state``."""

    def __init__(self, state_dir: Path, publish_root: Path | None = None) -> None:
        self.state_dir = state_dir
        self.publish_root = publish_root

    def targets(self, relative_path: str) -> list[Path]:
        """Return every path a write of `relative_path` goes to."""
        paths = [self.state_dir / relative_path]
        if self.publish_root is not None:
            paths.append(self.publish_root / "shared" / "state" / relative_path)
        return paths

    def write(self, relative_path: str, payload: object) -> bool:
        """Write `payload` to every target; return False (and log) if any write failed."""
        return all([self._write_one(path, payload) for path in self.targets(relative_path)])

    def _write_one(self, path: Path, payload: object) -> bool:
        try:
            write_json_atomic(path, payload)
        except (OSError, ValueError) as exc:
            logger.warning("could not write state file %s: %s", path, exc)
            return False
        return True


def resolve_publish_root(
    explicit: Path | None, environ: Mapping[str, str], config: Config | None = None
) -> Path | None:
    """Return the publish root: `explicit`, then the env variables, then system.json, or None.

    Unlike the original, sibling dashboard checkouts are never auto-detected: writing into a
    folder nobody configured is a surprise, and a wrong guess clobbers someone's files.
    """
    if explicit is not None:
        return explicit
    for name in PUBLISH_ROOT_ENV:
        if environ.get(name):
            return Path(environ[name])
    configured = config.system.publish_root if config is not None else None
    return Path(configured) if configured else None

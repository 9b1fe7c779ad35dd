"""Whether the config on disk differs from the config the runtime started with.

Nothing is hot-applied: a changed file only tells the dashboard a restart is needed. Each
category hashes a fixed list of files of *our* config directory layout; a category whose
files are all missing hashes to None. :func:`fingerprint` reads files; comparing is pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["CATEGORY_FILES", "RestartIntent", "fingerprint"]

CATEGORY_FILES: Mapping[str, tuple[str, ...]] = {
    "system": ("system.json",),
    "creators": ("creators.json", "tiers.json"),
    "triggers": ("triggers.json", "chat_behaviour.json", "interactive.json"),
    "platforms": ("platforms.json", "services.json", "platform_overrides.json"),
}
"""The files behind each restart-intent category, relative to the config directory."""


def fingerprint(config_dir: Path) -> dict[str, str | None]:
    """Return a SHA-256 per category over each file's name and bytes (or a missing marker)."""
    return {category: _hash_files(config_dir, names) for category, names in CATEGORY_FILES.items()}


def _hash_files(config_dir: Path, names: tuple[str, ...]) -> str | None:
    digest = hashlib.sha256()
    found = False
    for name in names:
        content = _read(config_dir / name)
        found = found or content is not None
        # Length-prefixing keeps "a missing file" and "a file containing the marker" apart.
        marker = b"missing" if content is None else b"present %d" % len(content)
        digest.update(name.encode() + b"\0" + marker + b"\0" + (content or b""))
    return digest.hexdigest() if found else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class RestartIntent:
    """Which categories changed since the baseline; `required` if any did."""

    pending: Mapping[str, bool] = field(
        default_factory=lambda: dict.fromkeys(CATEGORY_FILES, False)
    )

    @property
    def required(self) -> bool:
        """Return True if any category changed."""
        return any(self.pending.values())

    @classmethod
    def compare(
        cls, baseline: Mapping[str, str | None], current: Mapping[str, str | None]
    ) -> RestartIntent:
        """Return the intent for `current` fingerprints against the `baseline` taken at start."""
        return cls({c: baseline.get(c) != current.get(c) for c in CATEGORY_FILES})

    def to_json(self) -> dict[str, Any]:
        """Return the snapshot's ``restart_intent`` block."""
        return {"required": self.required, "pending": dict(self.pending)}

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MINIMAL: dict[str, Any] = {
    "tiers.json": {
        "tiers": {
            "open": {"features": {"triggers": {"max_triggers": 10}}},
            "gold": {"features": {"triggers": {"max_triggers": 25}}},
        }
    },
    "creators.json": {"creators": [{"creator_id": "alice", "platforms": {"twitch": True}}]},
}


def write_files(directory: Path, files: dict[str, Any]) -> Path:
    """Write the minimal valid config, then `files` over it (None deletes, str is raw text)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in {**MINIMAL, **files}.items():
        if content is None:
            continue
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def config_dir(tmp_path: Path) -> Callable[..., Path]:
    """Build a config dir: the minimal valid files, then the given ones over them."""

    def build(files: dict[str, Any] | None = None) -> Path:
        return write_files(tmp_path / "config", files or {})

    return build

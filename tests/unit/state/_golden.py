"""Compare a built document with its golden file; UPDATE_GOLDEN=1 rewrites the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from streamsuites.state.exporters import encode_json

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, payload: object) -> None:
    path = GOLDEN / name
    encoded = encode_json(payload)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_bytes(encoded)
    assert path.exists(), f"{path} missing; run with UPDATE_GOLDEN=1 to create it"
    assert json.loads(encoded) == json.loads(path.read_bytes())
    assert encoded == path.read_bytes(), "same content, different key order or formatting"

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from streamsuites.state.exporters import (
    StateWriter,
    resolve_publish_root,
    write_json_atomic,
)

from ._sample import sample_config


def test_atomic_write_leaves_valid_json_and_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "state.json"
    write_json_atomic(target, {"b": 1, "a": [1, 2]})
    write_json_atomic(target, {"b": 2, "a": []})
    assert json.loads(target.read_text()) == {"b": 2, "a": []}
    assert target.read_text().startswith('{\n  "b": 2')  # built order, indent 2
    assert os.listdir(target.parent) == ["state.json"]


def test_a_failed_encode_keeps_the_old_file_and_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_json_atomic(target, {"ok": True})
    with pytest.raises(ValueError, match="Out of range"):
        write_json_atomic(target, {"bad": float("nan")})
    assert json.loads(target.read_text()) == {"ok": True}
    assert os.listdir(tmp_path) == ["state.json"]


def test_writer_mirrors_to_the_publish_root(tmp_path: Path) -> None:
    writer = StateWriter(tmp_path / "state", tmp_path / "dashboard")
    assert writer.write("telemetry/events.json", {"events": []}) is True
    local = tmp_path / "state" / "telemetry" / "events.json"
    mirror = tmp_path / "dashboard" / "shared" / "state" / "telemetry" / "events.json"
    assert local.read_bytes() == mirror.read_bytes()


def test_a_failing_write_returns_false_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    writer = StateWriter(blocker)
    with caplog.at_level(logging.WARNING, logger="streamsuites.state"):
        assert writer.write("runtime_snapshot.json", {}) is False
    assert "could not write state file" in caplog.text


def test_a_failing_mirror_still_writes_the_state_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    writer = StateWriter(tmp_path / "state", blocker)
    assert writer.write("quotas.json", {}) is False
    assert (tmp_path / "state" / "quotas.json").exists()


def test_publish_root_precedence(tmp_path: Path) -> None:
    env = {
        "DASHBOARD_STATE_PUBLISH_ROOT": "/dash",
        "STREAMSUITES_STATE_PUBLISH_ROOT": "/streamsuites",
    }
    config = sample_config()
    assert resolve_publish_root(tmp_path, env, config) == tmp_path
    assert resolve_publish_root(None, env, config) == Path("/dash")
    del env["DASHBOARD_STATE_PUBLISH_ROOT"]
    assert resolve_publish_root(None, env, config) == Path("/streamsuites")
    assert resolve_publish_root(None, {}, config) is None
    assert resolve_publish_root(None, {"DASHBOARD_STATE_PUBLISH_ROOT": ""}) is None

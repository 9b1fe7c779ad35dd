from __future__ import annotations

from pathlib import Path

from streamsuites.state.restart_intent import RestartIntent, fingerprint


def test_missing_files_hash_to_none(tmp_path: Path) -> None:
    assert fingerprint(tmp_path) == dict.fromkeys(
        ("system", "creators", "triggers", "platforms"), None
    )


def test_a_changed_file_marks_only_its_category(tmp_path: Path) -> None:
    (tmp_path / "system.json").write_text("{}")
    (tmp_path / "creators.json").write_text("[]")
    baseline = fingerprint(tmp_path)
    (tmp_path / "tiers.json").write_text("{}")
    intent = RestartIntent.compare(baseline, fingerprint(tmp_path))
    assert intent.pending == {
        "system": False,
        "creators": True,
        "triggers": False,
        "platforms": False,
    }
    assert intent.required is True
    assert intent.to_json() == {"required": True, "pending": dict(intent.pending)}


def test_unchanged_config_needs_no_restart(tmp_path: Path) -> None:
    (tmp_path / "platforms.json").write_text('{"platforms": []}')
    intent = RestartIntent.compare(fingerprint(tmp_path), fingerprint(tmp_path))
    assert intent.required is False
    assert RestartIntent().required is False


def test_deleting_a_file_is_a_change(tmp_path: Path) -> None:
    (tmp_path / "services.json").write_text("{}")
    (tmp_path / "platforms.json").write_text("{}")
    baseline = fingerprint(tmp_path)
    (tmp_path / "services.json").unlink()
    assert RestartIntent.compare(baseline, fingerprint(tmp_path)).pending["platforms"] is True


def test_moving_bytes_between_files_is_a_change(tmp_path: Path) -> None:
    (tmp_path / "triggers.json").write_text("ab")
    baseline = fingerprint(tmp_path)
    (tmp_path / "triggers.json").write_text("a")
    (tmp_path / "chat_behaviour.json").write_text("b")
    assert RestartIntent.compare(baseline, fingerprint(tmp_path)).pending["triggers"] is True

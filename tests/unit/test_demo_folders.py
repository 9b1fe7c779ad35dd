"""The demo starts every run from empty folders, and never empties one it did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.demo import DEMO_MARKER, NotDemoFolder, fresh_folders


def test_missing_folders_are_made_and_marked(tmp_path: Path) -> None:
    state, data = tmp_path / "state", tmp_path / "deep" / "data"
    fresh_folders(state, data)
    assert [p.name for p in state.iterdir()] == [DEMO_MARKER]
    assert [p.name for p in data.iterdir()] == [DEMO_MARKER]


def test_a_folder_an_earlier_run_made_is_emptied(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fresh_folders(data)
    (data / "streamsuites.db").write_bytes(b"last run")
    (data / "clips" / "alice").mkdir(parents=True)
    (data / "clips" / "alice" / "clip.mp4").write_bytes(b"mp4")
    fresh_folders(data)
    assert [p.name for p in data.iterdir()] == [DEMO_MARKER]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    fresh_folders(tmp_path)
    assert (tmp_path / DEMO_MARKER).is_file()


def test_a_folder_with_other_files_is_left_alone(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "streamsuites.db").write_bytes(b"production data")
    with pytest.raises(NotDemoFolder) as raised:
        fresh_folders(mine, theirs)
    assert raised.value.args == (theirs,)
    assert (theirs / "streamsuites.db").read_bytes() == b"production data"
    assert not (theirs / DEMO_MARKER).exists()

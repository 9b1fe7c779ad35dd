from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.clips.ffmpeg import (
    FFMPEG_NOT_FOUND,
    FFmpegNotFound,
    locate_ffmpeg,
    relative_keyframes,
)


def test_missing_ffmpeg_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FFmpegNotFound) as caught:
        locate_ffmpeg(tmp_path / "nowhere" / "ffmpeg")
    assert caught.value.reason == FFMPEG_NOT_FOUND
    assert "nowhere" in caught.value.detail


def test_a_folder_without_the_binaries_is_missing_too(tmp_path: Path) -> None:
    with pytest.raises(FFmpegNotFound):
        locate_ffmpeg(tmp_path)


def test_configured_folder_finds_both_binaries(tmp_path: Path) -> None:
    for name in ("ffmpeg", "ffprobe"):
        binary = tmp_path / name
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
    found = locate_ffmpeg(tmp_path)
    assert (found.ffmpeg, found.ffprobe) == (tmp_path / "ffmpeg", tmp_path / "ffprobe")


def test_keyframes_are_offsets_from_the_first_packet() -> None:
    packets = "3.400000,K_,\n3.433333,__,\n3.900000,K_,\nN/A,__\n3.366667,__,\n"
    assert relative_keyframes(packets) == pytest.approx([0.033333, 0.533333])


def test_no_packets_no_keyframes() -> None:
    assert relative_keyframes("") == []

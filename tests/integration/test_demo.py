"""`streamsuites demo` (what `make demo` runs): the runtime against both platform emulators."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO, require_binary, run_cli


@pytest.mark.slow
def test_the_demo_replies_on_twitch_over_irc_and_on_youtube_over_the_data_api(
    tmp_path: Path,
) -> None:
    require_binary("ffmpeg", "ffmpeg")  # the demo clips its HLS test stream
    log_path, out_path = tmp_path / "demo.log", tmp_path / "demo.out"
    with log_path.open("w") as log, out_path.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamsuites", "demo", "--web-port", "0",
             "--state-dir", str(tmp_path / "state"), "--data-dir", str(tmp_path / "data")],
            cwd=REPO, stdout=out, stderr=log,
        )
    try:
        deadline = time.monotonic() + 50
        wanted = ("sent to #aliceplays: pong", "sent to youtube chat", "Clip ready: ")
        while not all(text in log_path.read_text() for text in wanted):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        [overlay] = re.findall(r"overlay \(OBS browser source\): (\S+)", out_path.read_text())
        with urllib.request.urlopen(overlay, timeout=5) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        time.sleep(2.5)  # one more snapshot tick (2 s in examples/demo)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    snapshot = json.loads((tmp_path / "state" / "runtime_snapshot.json").read_text())
    twitch = next(p for p in snapshot["platforms"] if p["name"] == "twitch")
    [alice] = twitch["health"]
    assert alice["status"] == "stopped"
    assert alice["counters"]["messages"] >= 2
    assert alice["counters"]["actions"] >= 1
    youtube = next(p for p in snapshot["platforms"] if p["name"] == "youtube")
    alice_youtube = next(h for h in youtube["health"] if h["creator_id"] == "alice")
    assert alice_youtube["counters"]["messages"] >= 1
    assert "Twitch emulator on 127.0.0.1:" in log_path.read_text()
    assert "YouTube Data API emulator on http://127.0.0.1:" in log_path.read_text()
    assert list((tmp_path / "data" / "clips" / "alice").glob("*.mp4"))
    clips = json.loads((tmp_path / "state" / "clips.json").read_text())
    assert any(c["state"] in ("ready", "published") for c in clips["clips"])


def test_a_broken_scenario_is_bad_input_naming_the_line(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.jsonl"
    scenario.write_text('{"at": 1, "say": {"channel": "aliceplays"}}\n')
    result = run_cli(
        "demo", "--scenario", scenario,
        "--state-dir", tmp_path / "state", "--data-dir", tmp_path / "data",
    )
    assert result.returncode == 2, result.stderr
    assert str(scenario) in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_will_not_empty_a_folder_it_did_not_make(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "streamsuites.db").write_bytes(b"someone's real data")
    result = run_cli("demo", "--state-dir", tmp_path / "state", "--data-dir", data)
    assert result.returncode == 2, result.stderr
    assert str(data) in result.stderr and "--keep" in result.stderr
    assert "Traceback" not in result.stderr
    assert (data / "streamsuites.db").read_bytes() == b"someone's real data"

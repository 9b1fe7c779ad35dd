"""`streamsuites demo` (what `make demo` runs): Twitch emulator plus replayed YouTube chat."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import REPO, run_cli


@pytest.mark.slow
def test_the_demo_replies_on_twitch_over_irc_and_on_the_replayed_youtube_chat(
    tmp_path: Path,
) -> None:
    log_path = tmp_path / "demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamsuites", "demo", "--replay-speed", "600",
             "--state-dir", str(tmp_path / "state"), "--data-dir", str(tmp_path / "data")],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=log,
        )
    try:
        deadline = time.monotonic() + 30
        wanted = ("sent to #aliceplays: pong", "reply on youtube #UCa1iceP1aysXXXXXXXXXXXX")
        while not all(text in log_path.read_text() for text in wanted):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
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
    assert "Twitch emulator on 127.0.0.1:" in log_path.read_text()


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

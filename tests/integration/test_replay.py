"""`streamsuites run --replay`: a recorded stream played through the whole real runtime."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import REPO, run_cli

EXAMPLES = REPO / "examples"


def read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data


def poll_votes(state: Path) -> list[int]:
    polls = read(state / "polls.json")
    if not polls or not polls["polls"]:
        return []
    return [option["votes"] for option in polls["polls"][0]["options"]]


@pytest.mark.slow
def test_the_demo_recording_drives_replies_polls_and_state_files(tmp_path: Path) -> None:
    state = tmp_path / "state"
    log = (tmp_path / "runtime.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamsuites", "run", str(EXAMPLES / "demo"),
         "--state-dir", str(state), "--data-dir", str(tmp_path / "data"),
         "--replay", str(EXAMPLES / "events" / "demo.jsonl"), "--replay-speed", "1000"],
        stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while poll_votes(state) != [1, 2, 1] or "We are live weekdays" not in (
            tmp_path / "runtime.log"
        ).read_text():
            assert process.poll() is None, "the runtime exited"
            assert time.monotonic() < deadline, "the replay did not reach the end in time"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        log.close()
        if process.poll() is None:
            process.kill()

    output = (tmp_path / "runtime.log").read_text()
    replies = [line.split(": ", 1)[1] for line in output.splitlines() if "reply on" in line]
    dry_run = run_cli(
        "simulate", "--config", EXAMPLES / "demo", "--events", EXAMPLES / "events" / "demo.jsonl"
    )
    assert dry_run.returncode == 0, dry_run.stderr
    simulated = dry_run.stdout.splitlines()
    expected = [
        f"reply on {d['platform']} #{d['payload']['channel']}: {d['payload']['text']}"
        for d in (json.loads(line)["descriptor"] for line in simulated if '"kind":"action"' in line)
        if d["action_type"] == "send_chat_message"
    ]
    # The clip job's answer comes from the job worker, which a dry run does not run: this
    # config has no clip source, so the !clip is refused, in chat, with the reason.
    refusals = [r for r in replies if ": No clip: " in r]
    assert refusals == [
        "reply on twitch #aliceplays: No clip: clips are not set up for this stream"
    ]
    triggered = [r for r in replies if r not in refusals]
    assert triggered == expected  # live, paced and concurrent, it does what the dry run said
    snapshot = read(state / "runtime_snapshot.json")
    assert snapshot is not None
    twitch = next(p for p in snapshot["platforms"] if p["name"] == "twitch")
    assert twitch["counters"]["messages"] == 15  # every Twitch chat line of the recording
    tallies = read(state / "tallies.json")
    assert tallies is not None and tallies["tallies"]


def test_a_missing_replay_file_is_bad_input(tmp_path: Path) -> None:
    result = run_cli(
        "run", EXAMPLES / "demo", "--state-dir", tmp_path, "--data-dir", tmp_path,
        "--replay", tmp_path / "nope.jsonl",
    )
    assert result.returncode == 2
    assert "no event file at" in result.stderr

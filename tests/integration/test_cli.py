"""The `streamsuites` command as a user runs it: a real subprocess, real files, real signals."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO, run_cli

EXAMPLES = REPO / "examples"


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("streamsuites ")


def test_check_accepts_the_shipped_example() -> None:
    result = run_cli("check", str(EXAMPLES / "config"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "case", sorted(p.name for p in (EXAMPLES / "broken").iterdir() if p.is_dir())
)
def test_check_explains_each_broken_example(case: str) -> None:
    broken = EXAMPLES / "broken" / case
    result = run_cli("check", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    for line in (broken / "expected.txt").read_text().splitlines():
        if line.strip():
            assert line in result.stderr


def test_check_on_a_missing_directory_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_without_a_snapshot_says_where_it_looked(tmp_path: Path) -> None:
    result = run_cli("status", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert str(tmp_path / "runtime_snapshot.json") in result.stderr


def wait_for_file(path: Path, process: subprocess.Popen[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"runtime exited early: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} not written within {timeout}s")
        time.sleep(0.05)


@pytest.mark.slow
def test_run_writes_state_and_exits_0_on_sigterm_with_a_final_snapshot(tmp_path: Path) -> None:
    state, data = tmp_path / "state", tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "streamsuites", "run", str(EXAMPLES / "config"),
         "--state-dir", str(state), "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        snapshot_path = state / "runtime_snapshot.json"
        wait_for_file(snapshot_path, process)
        for name in ("quotas.json", "jobs.json", "telemetry/events.json",
                     "telemetry/errors.json", "telemetry/rates.json"):
            wait_for_file(state / name, process)
            json.loads((state / name).read_text())
        first = json.loads(snapshot_path.read_text())
        assert first["schema_version"] == "v1"
        time.sleep(0.2)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert time.monotonic() - started < 10
    final = json.loads(snapshot_path.read_text())
    assert final["generated_at"] >= first["generated_at"]
    events = json.loads((state / "telemetry" / "events.json").read_text())["events"]
    assert "runtime stopping" in [e["message"] for e in events]
    assert (data / "streamsuites.db").exists()

    status = run_cli("status", "--state-dir", str(state))
    assert status.returncode == 0, status.stderr
    assert "CREATOR" in status.stdout


def test_inspect_twitch_prints_an_event_or_null_per_line() -> None:
    line = (
        "@display-name=Ann;id=abc-1;tmi-sent-ts=1700000000000;user-id=7 "
        ":ann!ann@ann.tmi.twitch.tv PRIVMSG #alice :hi there"
    )
    stdin = f"{line}\nPING :tmi.twitch.tv\n"
    result = run_cli("inspect", "twitch", "--creator", "alice", stdin=stdin)
    assert result.returncode == 0, result.stderr
    event, nothing = result.stdout.splitlines()
    assert nothing == "null"
    decoded = json.loads(event)
    assert (decoded["kind"], decoded["event_id"], decoded["text"]) == (
        "chat_message", "twitch:abc-1", "hi there"
    )
    assert decoded["creator_id"] == "alice"


@pytest.mark.slow
def test_emulate_twitch_serves_irc_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "streamsuites", "emulate", "twitch", "--port", "0",
         "--tls-port", "0", "--scenario", str(EXAMPLES / "scenarios" / "twitch-demo.jsonl")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        assert ready[:3] == ["twitch", "emulator:", "tcp"]
        port = int(ready[3])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(b"NICK justinfan123\r\n")
            welcome = client.recv(4096).decode()
        assert " 001 justinfan123 " in welcome
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        if process.stdout is not None:
            process.stdout.close()


def test_emulate_rejects_a_malformed_token_option() -> None:
    result = run_cli("emulate", "twitch", "--port", "0", "--token", "no-equals-sign")
    assert result.returncode == 2
    assert "--token must look like A=B" in result.stderr


def test_inspect_youtube_reads_a_real_page(corpora: Path) -> None:
    page = (corpora / "youtube" / "pytchat-API_SuperChat.json").read_text()
    result = run_cli("inspect", "youtube", "--creator", "alice", "--channel", "UCx", stdin=page)
    assert result.returncode == 0, result.stderr
    [event] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (event["kind"], event["channel"], event["amount"]["currency"]) == (
        "paid_support", "UCx", "JPY"
    )


def test_inspect_youtube_names_the_path_of_a_bad_body() -> None:
    result = run_cli("inspect", "youtube", stdin='{"items": [{"id": 5}]}')
    assert result.returncode == 2
    assert "$.items[0].id" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_emulate_youtube_serves_the_data_api_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "streamsuites", "emulate", "youtube", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        assert ready[:2] == ["youtube", "emulator:"]
        url = f"{ready[2]}youtube/v3/channels?part=id&forHandle=@nobody&key=test-key"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.loads(response.read())["kind"] == "youtube#channelListResponse"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        if process.stdout is not None:
            process.stdout.close()


def test_emulate_hls_without_ffmpeg_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("emulate", "hls", "--ffmpeg", str(tmp_path / "no-ffmpeg"))
    assert result.returncode == 2
    assert "clips unavailable: ffmpeg not found" in result.stderr

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from streamsuites.eventlog.files import EventFileError, read_events_file
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import decode_event, encode_event
from streamsuites.testing.scripted import chat_messages


def fill_log(database: Path) -> list[bytes]:
    twitch = chat_messages("alice", "twitch", 5)
    youtube = chat_messages("bob", "youtube", 3)
    late = [
        msgspec.structs.replace(e, occurred_at=e.occurred_at + timedelta(hours=2))
        for e in chat_messages("alice", "twitch", 2)
    ]

    async def append() -> None:
        log = SqliteEventLog(database)
        await log.start()
        await log.append([*twitch, *youtube, *late])
        await log.close()

    asyncio.run(append())
    return [encode_event(e) for e in (*twitch, *youtube, *late)]


def export(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "streamsuites", "log", "export", *args],
        capture_output=True, timeout=60, check=False,
    )


def test_export_writes_every_event_canonically_in_log_order(tmp_path: Path) -> None:
    expected = fill_log(tmp_path / "streamsuites.db")
    result = export("--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected
    assert b"exported 10 events" in result.stderr


def test_export_filters_by_creator_platform_and_time(tmp_path: Path) -> None:
    expected = fill_log(tmp_path / "streamsuites.db")
    first = decode_event(expected[0])
    until = (first.occurred_at + timedelta(hours=1)).isoformat()
    out = tmp_path / "alice.jsonl"
    result = export("--data-dir", str(tmp_path), "--creator", "alice", "--platform", "twitch",
                    "--until", until, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().splitlines() == expected[:5]
    assert [encode_event(e) for e in read_events_file(out)] == expected[:5]


def test_export_refuses_a_missing_log_and_a_bad_time(tmp_path: Path) -> None:
    missing = export("--data-dir", str(tmp_path))
    assert missing.returncode == 2
    assert b"no event log at" in missing.stderr
    fill_log(tmp_path / "streamsuites.db")
    bad = export("--data-dir", str(tmp_path), "--since", "yesterday")
    assert bad.returncode == 2
    assert b"not an ISO 8601 time: 'yesterday'" in bad.stderr
    assert b"Traceback" not in missing.stderr + bad.stderr


def test_reading_a_bad_event_file_names_the_file_and_line(tmp_path: Path) -> None:
    [good] = [encode_event(e) for e in chat_messages("alice", "twitch", 1)]
    path = tmp_path / "events.jsonl"
    path.write_bytes(good + b"\n\n" + b'{"kind":"chat_message"}\n')
    with pytest.raises(EventFileError, match=r"events\.jsonl: line 3: not an event"):
        list(read_events_file(path))

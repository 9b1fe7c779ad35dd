from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from streamsuites.clips.capture import CaptureState, CaptureStatus
from streamsuites.clips.job import (
    clip_ask,
    clip_result,
    clip_view,
    coverage_refusal,
    parse_clip_args,
    result_from_metadata,
)
from streamsuites.clips.model import (
    ClipRequest,
    ClipResult,
    ClipState,
    ClipWindow,
    CutMethod,
    EventRange,
)
from streamsuites.clips.pipeline import clip_metadata
from streamsuites.clips.publish import PublishOutcome
from streamsuites.jobs.model import JobProgress, JobRecord, JobStatus
from tests.unit.clips.factory import T0, segments

RUNNING = CaptureStatus(state=CaptureState.RUNNING)


def job(payload: dict[str, Any], **fields: Any) -> JobRecord:
    settings: dict[str, Any] = {
        "job_id": "act_1", "kind": "clip", "creator_id": "alice", "payload": payload,
        "status": JobStatus.QUEUED, "attempts": 0, "last_error": None,
        "created_at": T0, "updated_at": T0 + 1, **fields,
    }  # fmt: skip
    return JobRecord(**settings)


def chat_job(request: dict[str, Any], **fields: Any) -> JobRecord:
    payload = {"platform": "twitch", "event_id": "twitch:1", "requested_at": T0 + 50.0}
    return job({**payload, "request": request}, **fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("   ", (None, None)),
        ("10", (10.0, None)),
        ("10s nice   save", (10.0, "nice save")),
        ("2.5 x", (2.5, "x")),
        ("that dodge", (None, "that dodge")),
        ("0 zero is a title", (None, "0 zero is a title")),
        ("-5 minus", (None, "-5 minus")),
        ("inf", (None, "inf")),
    ],
)
def test_clip_arguments_are_an_optional_length_then_a_title(text, expected):
    assert parse_clip_args(text) == expected


def test_a_chat_clip_reads_its_length_title_clipper_and_time():
    ask = clip_ask(chat_job({"duration_seconds": 30, "args": "12 wow", "requested_by": " ann "}))

    assert (ask.platform, ask.requested_at, ask.seconds) == ("twitch", T0 + 50.0, 12.0)
    assert (ask.title, ask.requested_by) == ("wow", "ann")


@pytest.mark.parametrize(
    ("request_", "seconds", "title"),
    [
        ({"duration_seconds": 20, "title": "that dodge"}, 20.0, "that dodge"),
        ({"length": 15}, 15.0, None),
        ({"duration_seconds": True}, 30.0, None),
        ({"duration_seconds": -1, "args": ""}, 30.0, None),
        ({}, 30.0, None),
    ],
)
def test_the_original_title_and_length_keys_are_read_with_defaults(request_, seconds, title):
    ask = clip_ask(chat_job(request_))

    assert (ask.seconds, ask.title, ask.requested_by) == (seconds, title, "anonymous")


def test_a_job_without_a_command_time_uses_its_creation_time():
    ask = clip_ask(job({"request": {}}))

    assert (ask.platform, ask.requested_at) == (None, T0)


def test_coverage_refuses_what_the_buffer_cannot_hold():
    buffered = segments(5)  # T0 .. T0 + 10
    window = ClipWindow(start=T0 - 20, end=T0 + 1)
    stopped = CaptureStatus(state=CaptureState.UNAVAILABLE, reason="clips unavailable: x")
    backoff = CaptureStatus(state=CaptureState.BACKOFF, reason="ffmpeg exited")

    assert coverage_refusal(window, buffered, RUNNING) is None  # starts before: shortened
    assert coverage_refusal(window, buffered, stopped) == "clips unavailable: x"
    assert coverage_refusal(window, [], CaptureStatus(state=CaptureState.STOPPED)) == (
        "the stream capture is stopped"
    )
    assert coverage_refusal(window, [], backoff) == (
        "nothing of the stream is buffered yet (ffmpeg exited)"
    )
    old = ClipWindow(start=T0 - 30, end=T0)
    assert coverage_refusal(old, buffered, RUNNING) == (
        "that moment of the stream is no longer buffered"
    )


def made(folder: Path) -> ClipResult:
    return ClipResult(
        clip_id="AbC123", title="Alice - 01/15/27 clip by ann [AbC123]",
        video_path=folder / "AbC123.mp4", thumbnail_path=folder / "AbC123.jpg",
        metadata_path=folder / "AbC123.json",
        requested=ClipWindow(start=T0, end=T0 + 12),
        actual=ClipWindow(start=T0 + 0.25, end=T0 + 12.25),
        duration_seconds=12.0004, method=CutMethod.COPY, events=EventRange(first_seq=3, last_seq=9),
    )  # fmt: skip


LOCAL_OK = PublishOutcome(target="local", ok=True, url="file:///clips/alice/AbC123.mp4")


def test_a_clip_only_in_the_local_folder_is_ready_and_moved_there():
    result = clip_result(made(Path("/work")), [LOCAL_OK, PublishOutcome(
        target="discord", ok=False, reason="HTTP 500: down")],
        source_title="Alice", local_folder=Path("/clips/alice"), now=T0 + 20,
    )  # fmt: skip

    assert result["state"] == "ready"
    assert (result["output_path"], result["thumbnail_path"]) == (
        "/clips/alice/AbC123.mp4",
        "/clips/alice/AbC123.jpg",
    )
    assert (result["url"], result["published_url"], result["published_at"]) == (
        LOCAL_OK.url, None, None,
    )  # fmt: skip
    assert result["window"] == {"start": T0 + 0.25, "end": T0 + 12.25}
    assert result["duration_seconds"] == 12.0
    assert result["publish"][1] == {"target": "discord", "ok": False, "url": None,
                                    "reason": "HTTP 500: down"}  # fmt: skip


def test_a_clip_another_target_accepted_is_published_and_a_failed_copy_stays_put():
    discord = PublishOutcome(target="discord", ok=True, url="https://cdn/x.mp4")
    local_failed = PublishOutcome(target="local", ok=False, reason="OSError: disk full")
    result = clip_result(made(Path("/work")), [local_failed, discord], source_title="Alice",
                         local_folder=Path("/clips/alice"), now=T0 + 20)  # fmt: skip

    assert (result["state"], result["url"], result["published_at"]) == (
        "published", "https://cdn/x.mp4", T0 + 20,
    )  # fmt: skip
    assert result["output_path"] == "/work/AbC123.mp4"


def test_the_view_follows_the_job_from_queued_to_succeeded():
    request = {"args": "10 wow", "requested_by": "ann"}
    queued = clip_view(chat_job(request), source_title="Alice Plays")
    assert (queued.state, queued.clip_id, queued.source_title) == (
        ClipState.QUEUED, "act_1", "Alice Plays",
    )  # fmt: skip
    assert (queued.clipper_username, queued.requested_at, queued.platform) == (
        "ann", T0 + 50.0, "twitch",
    )  # fmt: skip

    progress = JobProgress(stage="encoding", at=T0 + 2, detail={"clip_id": "AbC123"})
    running = clip_view(chat_job(request, status=JobStatus.RUNNING, progress=progress))
    assert (running.state, running.clip_id) == (ClipState.ENCODING, "AbC123")
    started = clip_view(chat_job(request, status=JobStatus.RUNNING))
    assert started.state is ClipState.CAPTURING

    result = clip_result(made(Path("/work")), [LOCAL_OK], source_title="Alice",
                         local_folder=Path("/clips/alice"), now=T0 + 20)  # fmt: skip
    done = clip_view(chat_job(request, status=JobStatus.SUCCEEDED, result=result))
    assert (done.state, done.clip_title, done.duration_seconds) == (
        ClipState.READY, result["title"], 12.0,
    )  # fmt: skip
    assert done.window == ClipWindow(start=T0 + 0.25, end=T0 + 12.25)
    assert done.events == EventRange(first_seq=3, last_seq=9)
    assert done.publish == (LOCAL_OK,) and done.last_error is None


def test_a_refused_job_is_a_failed_clip_with_the_reason():
    refused = chat_job({}, status=JobStatus.FAILED, last_error="clip is on cooldown",
                       refused=True, result={"refused": "clip is on cooldown"})  # fmt: skip
    view = clip_view(refused)

    assert (view.state, view.last_error, view.window, view.publish) == (
        ClipState.FAILED, "clip is on cooldown", None, (),
    )  # fmt: skip


def test_a_clip_on_disk_is_rebuilt_from_its_metadata(tmp_path: Path):
    clip = made(tmp_path)
    request = ClipRequest(
        creator_id="alice", platform="twitch", requested_at=T0 + 10, seconds=10, max_seconds=30,
        pre_roll=1, post_roll=1, requested_by="ann",
    )  # fmt: skip

    rebuilt = result_from_metadata(clip_metadata(request, clip), tmp_path)

    assert rebuilt.clip_id == clip.clip_id and rebuilt.title == clip.title
    assert (rebuilt.video_path, rebuilt.thumbnail_path, rebuilt.metadata_path) == (
        clip.video_path, clip.thumbnail_path, clip.metadata_path,
    )  # fmt: skip
    assert rebuilt.actual.start == pytest.approx(clip.actual.start, abs=1e-3)
    assert rebuilt.requested.end == pytest.approx(clip.requested.end, abs=1e-3)
    assert (rebuilt.method, rebuilt.events) == (CutMethod.COPY, clip.events)
    assert rebuilt.duration_seconds == pytest.approx(12.0, abs=1e-3)

from __future__ import annotations

from streamsuites.clips.export import ClipView, build_clips, build_public_clips
from streamsuites.clips.model import ClipState, ClipWindow, EventRange
from streamsuites.clips.publish import PublishOutcome

from .factory import T0


def view(clip_id: str, state: ClipState, *, at: float = 0.0, **kwargs) -> ClipView:
    return ClipView(
        clip_id=clip_id,
        creator_id="alice1",
        state=state,
        platform="twitch",
        requested_at=T0 + at,
        updated_at=T0 + at + 1,
        **kwargs,
    )


READY = view(
    "Ab12Cd", ClipState.PUBLISHED, at=10.0, clip_title="Run - 01/15/27 clip by ann [Ab12Cd]",
    clipper_username="ann", window=ClipWindow(start=T0, end=T0 + 12.0), duration_seconds=12.0,
    output_path="/clips/Ab12Cd.mp4", thumbnail_path="/clips/Ab12Cd.jpg",
    published_url="https://cdn.example/Ab12Cd.mp4", published_at=T0 + 20.0,
    events=EventRange(first_seq=3, last_seq=9),
    publish=(PublishOutcome(target="local", ok=True, url="file:///clips/Ab12Cd.mp4"),
             PublishOutcome(target="discord", ok=False, reason="HTTP 500: boom")),
)  # fmt: skip
TOO_EARLY = "the capture buffer ends 3.0s too early"
FAILED = view("Zz9Yy8", ClipState.FAILED, at=5.0, last_error=TOO_EARLY)
QUEUED = view("Qq1Qq1", ClipState.QUEUED, at=30.0)


def test_clips_json_keeps_the_original_fields_and_adds_progress() -> None:
    doc = build_clips([READY, FAILED, QUEUED], now=T0 + 60)
    assert doc["schema_version"] == "v1"
    assert [c["clip_id"] for c in doc["clips"]] == ["Qq1Qq1", "Ab12Cd", "Zz9Yy8"]
    clip = doc["clips"][1]
    original = {"clip_id", "creator_id", "state", "source_title", "clipper_username",
                "requested_at", "updated_at", "output_path", "published_url", "last_error",
                "destination", "clip_title"}  # fmt: skip
    assert original <= clip.keys()
    assert clip["state"] == "published"
    assert clip["events"] == {"first_seq": 3, "last_seq": 9}
    assert clip["window"] == {
        "start": "2027-01-15T08:00:00.000Z",
        "end": "2027-01-15T08:00:12.000Z",
    }
    assert clip["publish"][1] == {"target": "discord", "ok": False, "url": None,
                                  "reason": "HTTP 500: boom"}  # fmt: skip
    assert doc["clips"][2]["last_error"] == TOO_EARLY
    assert doc["metrics"] == {"queued": 1, "capturing": 0, "encoding": 0, "ready": 0,
                              "published": 1, "failed": 1}  # fmt: skip


def test_history_keeps_the_most_recently_updated() -> None:
    doc = build_clips([READY, FAILED, QUEUED], now=T0 + 60, limit=2)
    assert {c["clip_id"] for c in doc["clips"]} == {"Ab12Cd", "Qq1Qq1"}
    assert doc["metrics"]["failed"] == 1


def test_public_export_hides_errors_and_paths() -> None:
    doc = build_public_clips([READY, FAILED, QUEUED], now=T0 + 60)
    assert doc["meta"]["visibility"] == "public"
    by_id = {c["clip_id"]: c for c in doc["clips"]}
    assert by_id["Ab12Cd"]["url"] == "https://cdn.example/Ab12Cd.mp4"
    assert by_id["Zz9Yy8"]["state"] == "failed"
    assert by_id["Zz9Yy8"]["url"] is None
    text = repr(doc)
    assert "/clips/" not in text
    assert "too early" not in text
    assert "HTTP 500" not in text


def test_public_urls_only_for_clips_that_exist() -> None:
    ready = view("Rr2Rr2", ClipState.READY, clip_title="t")
    doc = build_public_clips([ready, QUEUED], now=T0, public_base_url="https://clips.example/")
    by_id = {c["clip_id"]: c for c in doc["clips"]}
    assert by_id["Rr2Rr2"]["url"] == "https://clips.example/alice1/Rr2Rr2.mp4"
    assert by_id["Rr2Rr2"]["thumbnail_url"] == "https://clips.example/alice1/Rr2Rr2.jpg"
    assert by_id["Qq1Qq1"]["url"] is None and by_id["Qq1Qq1"]["thumbnail_url"] is None

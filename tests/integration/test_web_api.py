"""The JSON API over a real server and a real event log: every endpoint, and bad input."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from streamsuites.errors import ComponentStateError
from streamsuites.state.runtime_state import ConnectorStatus
from tests.unit.web.harness import T0, chat, deletion, serve

pytestmark = pytest.mark.asyncio


async def test_creators_show_each_connector_with_its_health_and_counters(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        health = web.state.connector("alice", "twitch")
        health.status, health.connected_since, health.last_frame_at = (
            ConnectorStatus.CONNECTED, T0.timestamp(), T0.timestamp(),
        )  # fmt: skip
        health.stale_after = 10**9
        health.counters.messages = 7
        web.state.connector("alice", "youtube").status = ConnectorStatus.BACKOFF
        body = await web.get_json("/api/v1/creators")
    assert body["generated_at"].endswith("Z")
    alice, bob = body["creators"]
    assert (alice["creator_id"], alice["display_name"], alice["enabled"]) == (
        "alice",
        "Alice",
        True,
    )
    assert bob["platforms"] == []
    twitch, youtube = alice["platforms"]
    assert twitch["platform"] == "twitch" and twitch["status"] == "connected"
    assert twitch["connected_since"] == "2026-11-24T20:00:00.000Z"
    assert twitch["counters"]["messages"] == 7
    assert set(twitch["counters"]) == {
        "messages", "events", "duplicates", "triggers", "actions", "actions_failed", "errors",
    }  # fmt: skip
    assert youtube["status"] == "backoff" and youtube["last_error"] is None


async def test_sessions_of_a_creator_newest_first_and_filtered_by_platform(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat("a"), chat("b", platform="youtube"), chat("c", creator="bob")])
        both = await web.get_json("/api/v1/creators/alice/sessions")
        youtube = await web.get_json("/api/v1/creators/alice/sessions?platform=youtube")
        missing = await web.get_json("/api/v1/creators/carol/sessions", 404)
    assert [s["platform"] for s in both["sessions"]] == ["youtube", "twitch"]
    [session] = youtube["sessions"]
    assert session["session_id"] == "alice:youtube:2"
    assert (session["first_seq"], session["last_seq"], session["event_count"]) == (2, 2, 1)
    assert session["started_at"].endswith("Z") and session["stream_id"] is None
    assert missing["error"]["code"] == "not_found"


async def test_chat_tail_returns_the_newest_oldest_first_with_seq(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat(f"m{i}") for i in range(5)] + [chat("yt", platform="youtube")])
        body = await web.get_json("/api/v1/chat/tail?creator=alice&platform=twitch&limit=3")
        everything = await web.get_json("/api/v1/chat/tail")
    assert [e["text"] for e in body["events"]] == ["m2", "m3", "m4"]
    assert [e["seq"] for e in body["events"]] == [3, 4, 5]
    assert body["events"][0]["kind"] == "chat_message"
    assert len(everything["events"]) == 6


async def test_events_page_forward_with_a_cursor_until_none(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat(f"m{i}") for i in range(5)])
        first = await web.get_json("/api/v1/events?limit=2")
        second = await web.get_json(f"/api/v1/events?after={first['next_after']}&limit=2")
        last = await web.get_json(f"/api/v1/events?after={second['next_after']}&limit=2")
    assert [e["seq"] for e in first["events"]] == [1, 2] and first["next_after"] == 2
    assert [e["seq"] for e in second["events"]] == [3, 4]
    assert [e["seq"] for e in last["events"]] == [5] and last["next_after"] is None


async def test_events_page_backwards_for_replay_scrubbing(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat(f"m{i}") for i in range(5)])
        page = await web.get_json("/api/v1/events?before=5&limit=2")
        older = await web.get_json(f"/api/v1/events?before={page['prev_before']}&limit=2")
        oldest = await web.get_json("/api/v1/events?before=1&limit=2")
    assert [e["seq"] for e in page["events"]] == [3, 4] and page["prev_before"] == 3
    assert [e["seq"] for e in older["events"]] == [1, 2] and older["prev_before"] is None
    assert oldest["events"] == []


async def test_events_filter_by_creator_platform_and_kinds(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat("a"), deletion("x"), chat("b", creator="bob"), chat("c")])
        kinds = await web.get_json("/api/v1/events?kind=moderation,chat_message&creator=alice")
        moderation = await web.get_json("/api/v1/events?kind=moderation")
        bob = await web.get_json("/api/v1/events?creator=bob&platform=twitch")
    assert [e["seq"] for e in kinds["events"]] == [1, 2, 4]
    assert [e["kind"] for e in moderation["events"]] == ["moderation"]
    assert [e["text"] for e in bob["events"]] == ["b"]


async def test_events_range_by_time(tmp_path: Path) -> None:
    early, late = T0, T0 + timedelta(hours=1)
    async with serve(tmp_path) as web:
        await web.append([chat("early", at=early), chat("late", at=late)])
        both = await web.get_json("/api/v1/events/range?since=2026-11-24T19:00:00Z")
        first = await web.get_json(
            "/api/v1/events/range?since=2026-11-24T19:00:00Z&until=2026-11-24T20:30:00Z"
        )
    assert [e["text"] for e in both["events"]] == ["early", "late"]
    assert [e["text"] for e in first["events"]] == ["early"]


async def test_documents_are_served_from_their_sources(tmp_path: Path) -> None:
    seen: list[float] = []

    def source(name: str) -> Any:
        async def build(now: float) -> dict[str, Any]:
            seen.append(now)
            return {"document": name}

        return build

    names = ("polls", "tallies", "scoreboards", "jobs", "quotas", "snapshot")
    async with serve(tmp_path, documents={n: source(n) for n in names}) as web:
        bodies = [await web.get_json(f"/api/v1/{name}") for name in names]
    assert bodies == [{"document": name} for name in names]
    assert len(seen) == len(names)


async def test_a_document_without_a_source_is_a_json_404(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        body = await web.get_json("/api/v1/polls", 404)
    assert body["error"]["code"] == "not_found"


BAD_QUERIES = [
    ("/api/v1/events?limit=0", "limit"),
    ("/api/v1/events?limit=1001", "limit"),
    ("/api/v1/events?limit=-1", "limit"),
    ("/api/v1/events?limit=1e3", "limit"),
    ("/api/v1/events?limit=", "limit"),
    ("/api/v1/events?limit=1&limit=2", "limit"),
    ("/api/v1/events?after=x", "after"),
    ("/api/v1/events?after=99999999999999999999999", "after"),
    ("/api/v1/events?after=1&before=5", "before"),
    ("/api/v1/events?kind=chat", "kind"),
    ("/api/v1/events?creator=%00", "creator"),
    ("/api/v1/events?creator=" + "x" * 201, "creator"),
    ("/api/v1/chat/tail?limit=501", "limit"),
    ("/api/v1/chat/tail?limit=%F0%9F%92%A5", "limit"),
    ("/api/v1/events/range", "since"),
    ("/api/v1/events/range?since=yesterday", "since"),
    ("/api/v1/events/range?since=2026-11-24T19:00:00", "since"),
    ("/api/v1/events/range?since=2026-11-24T19:00:00Z&until=2026-11-24T18:00:00Z", "until"),
    ("/api/v1/events/range?since=2026-11-24T19:00:00Z&limit=0", "limit"),
    ("/api/v1/creators/alice/sessions?limit=501", "limit"),
    ("/api/v1/events/stream?last_event_id=abc", "last_event_id"),
    ("/api/v1/events/stream?tail=9999", "tail"),
    ("/api/v1/events/stream?kind=nope", "kind"),
    ("/api/v1/actions?limit=0", "limit"),
    ("/api/v1/actions?limit=501", "limit"),
    ("/api/v1/actions?limit=ten", "limit"),
    ("/api/v1/actions?creator=%00", "creator"),
    ("/api/v1/actions?creator=a&creator=b", "creator"),
]


@pytest.mark.parametrize(("path", "parameter"), BAD_QUERIES)
async def test_bad_parameters_are_400_with_the_json_error_shape(
    tmp_path: Path, path: str, parameter: str
) -> None:
    async with serve(tmp_path) as web:
        body = await web.get_json(path, 400)
    assert body["error"]["code"] == "bad_parameter"
    assert body["error"]["parameter"] == parameter
    assert isinstance(body["error"]["message"], str) and "Traceback" not in body["error"]["message"]


async def test_bad_last_event_id_header_is_a_400(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        body = await web.get_json(
            "/api/v1/events/stream", 400, headers={"Last-Event-ID": "12; DROP TABLE"}
        )
    assert body["error"]["parameter"] == "Last-Event-ID"


async def test_unknown_paths_and_methods_answer_json_errors(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        missing = await web.get_json("/api/v1/does-not-exist", 404)
        async with web.http.delete(web.url("/api/v1/creators")) as response:
            assert response.status == 405
            wrong_method = await response.json()
    assert missing["error"]["code"] == "not_found"
    assert wrong_method["error"]["code"] == "method_not_allowed"


async def test_events_filter_by_session_for_replay(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        await web.append([chat("a"), chat("yt", platform="youtube"), chat("b")])
        body = await web.get_json("/api/v1/events?session=alice:twitch:1")
        page = await web.get_json("/api/v1/events?session=alice:twitch:1&before=3&limit=1")
        ranged = await web.get_json(
            "/api/v1/events/range?since=2026-11-24T00:00:00Z&session=alice:youtube:2"
        )
    assert [e["text"] for e in body["events"]] == ["a", "b"]
    assert [e["text"] for e in page["events"]] == ["a"]
    assert [e["text"] for e in ranged["events"]] == ["yt"]


async def test_the_server_starts_only_once(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        with pytest.raises(ComponentStateError):
            await web.server.start()

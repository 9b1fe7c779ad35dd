"""The YouTube Data API emulator over real HTTP, timed by a FakeClock."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from streamsuites.emulators import (
    Author,
    ScenarioError,
    Stream,
    YouTubeApiEmulator,
    parse_youtube_scenario,
    serve_youtube,
)
from streamsuites.testing import FakeClock
from tests.discovery import load_discovery, schema_errors
from tests.support import REPO

ALICE = "UCalice0000000000000000a"
KEY = "test-key"
PARTS = "id,snippet,authorDetails"
LA_MIDNIGHT = 1_700_035_200.0
"""2023-11-15T00:00-08:00, the first quota reset after FakeClock's start (14:13:20 PST)."""


@dataclass
class Api:
    """A thin client: every call returns (status, body)."""

    emulator: YouTubeApiEmulator
    session: aiohttp.ClientSession
    clock: FakeClock

    async def get(self, path: str, *, token: str | None = None, **params: Any) -> tuple[int, Any]:
        if token is None:
            params.setdefault("key", KEY)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = self.emulator.url + "youtube/v3/" + path
        query = {k: str(v) for k, v in params.items()}
        async with self.session.get(url, params=query, headers=headers) as response:
            return response.status, await response.json()

    async def messages(self, chat: str, **params: Any) -> tuple[int, Any]:
        return await self.get("liveChat/messages", liveChatId=chat, part=PARTS, **params)

    async def insert(self, token: str | None, chat: str, text: str, *, key: str | None = None):
        body = {
            "snippet": {
                "liveChatId": chat,
                "type": "textMessageEvent",
                "textMessageDetails": {"messageText": text},
            }
        }
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        params = {"part": "snippet,authorDetails"} | ({"key": key} if key else {})
        url = self.emulator.url + "youtube/v3/liveChat/messages"
        async with self.session.post(url, params=params, json=body, headers=headers) as response:
            return response.status, await response.json()

    async def token(self, **form: str) -> tuple[int, Any]:
        data = {
            "grant_type": "refresh_token",
            "client_id": "client-id",
            "client_secret": "secret",
            "refresh_token": "refresh-token",
        } | form
        async with self.session.post(self.emulator.token_url, data=data) as response:
            return response.status, await response.json()

    async def access_token(self) -> str:
        status, body = await self.token()
        assert status == 200, body
        return str(body["access_token"])

    def live(self, title: str = "Speedruns") -> Stream:
        self.emulator.add_channel(ALICE, handle="@alice", title="Alice")
        return self.emulator.start_stream(ALICE, title=title)


def reason(body: Any) -> str:
    return str(body["error"]["errors"][0]["reason"])


def texts(body: Any) -> list[str]:
    return [item["snippet"]["displayMessage"] for item in body["items"]]


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@contextlib.asynccontextmanager
async def make_api(session: aiohttp.ClientSession, **options: Any) -> AsyncIterator[Api]:
    clock = options.pop("clock", None) or FakeClock(auto_advance=False)
    async with YouTubeApiEmulator(clock=clock, **options) as emulator:
        yield Api(emulator, session, clock)


@pytest_asyncio.fixture
async def api(session: aiohttp.ClientSession) -> AsyncIterator[Api]:
    async with make_api(session, history=3) as value:
        yield value


# liveChatMessages.list: history, paging, pace


@pytest.mark.asyncio
async def test_first_page_is_recent_history_then_the_token_continues_after_it(api: Api) -> None:
    stream = api.live()
    for n in range(5):
        api.emulator.post_text(stream.live_chat_id, "Ann", f"m{n}")
    status, first = await api.messages(stream.live_chat_id)
    assert status == 200
    assert texts(first) == ["m2", "m3", "m4"]
    assert first["pollingIntervalMillis"] == 5000
    assert "offlineAt" not in first
    api.emulator.post_text(stream.live_chat_id, "Bo", "m5")
    api.clock.advance(5)
    _, second = await api.messages(stream.live_chat_id, pageToken=first["nextPageToken"])
    assert texts(second) == ["m5"]
    api.clock.advance(5)
    _, third = await api.messages(stream.live_chat_id, pageToken=second["nextPageToken"])
    assert third["items"] == []
    assert third["nextPageToken"] == second["nextPageToken"]


@pytest.mark.asyncio
async def test_full_pages_continue_at_once_and_lose_nothing(api: Api) -> None:
    stream = api.live()
    _, first = await api.messages(stream.live_chat_id)
    for n in range(450):
        api.emulator.post_text(stream.live_chat_id, "Ann", f"m{n}")
    api.clock.advance(5)
    seen: list[str] = []
    token, intervals = first["nextPageToken"], []
    for _ in range(3):
        _, page = await api.messages(stream.live_chat_id, pageToken=token, maxResults=200)
        seen += texts(page)
        intervals.append(page["pollingIntervalMillis"])
        token = page["nextPageToken"]
    assert seen == [f"m{n}" for n in range(450)]
    assert intervals == [0, 0, 5000]
    assert [c.status for c in api.emulator.calls] == [200] * 4


@pytest.mark.asyncio
async def test_polling_sooner_than_the_interval_is_refused(api: Api) -> None:
    stream = api.live()
    _, first = await api.messages(stream.live_chat_id)
    api.clock.advance(4.9)
    status, body = await api.messages(stream.live_chat_id, pageToken=first["nextPageToken"])
    assert (status, reason(body)) == (403, "rateLimitExceeded")
    assert body["error"]["errors"][0]["domain"] == "youtube.liveChat"
    assert api.emulator.calls[-1].cost == 1
    api.clock.advance(0.1)
    status, _ = await api.messages(stream.live_chat_id, pageToken=first["nextPageToken"])
    assert status == 200
    assert api.emulator.quota_used(KEY) == 5 + 1 + 5


@pytest.mark.asyncio
async def test_pace_is_per_project_and_can_be_switched_off(session) -> None:
    async with make_api(session, api_keys=("a", "b"), enforce_polling_interval=False) as api:
        stream = api.live()
        for _ in range(3):
            status, _ = await api.messages(stream.live_chat_id, key="a")
            assert status == 200
    async with make_api(session, api_keys=("a", "b")) as api:
        stream = api.live()
        assert (await api.messages(stream.live_chat_id, key="a"))[0] == 200
        assert (await api.messages(stream.live_chat_id, key="b"))[0] == 200
        assert (await api.messages(stream.live_chat_id, key="a"))[0] == 403


@pytest.mark.asyncio
async def test_bad_token_unknown_chat_and_disabled_chat(api: Api) -> None:
    stream = api.live()
    status, body = await api.messages(stream.live_chat_id, pageToken="bm9wZXww")
    assert (status, reason(body)) == (400, "invalidPageToken")
    status, body = await api.messages("no-such-chat")
    assert (status, reason(body)) == (404, "liveChatNotFound")
    api.emulator.disable_chat(stream.live_chat_id)
    status, body = await api.messages(stream.live_chat_id)
    assert (status, reason(body)) == (403, "liveChatDisabled")
    status, body = await api.get("liveChat/messages", liveChatId=stream.live_chat_id)
    assert (status, reason(body)) == (400, "required")


@pytest.mark.asyncio
async def test_an_active_poll_rides_along_until_closed(api: Api) -> None:
    stream = api.live()
    poll = {"metadata": {"questionText": "Next?", "options": [{"optionText": "A", "tally": "0"}]}}
    api.emulator.post(stream.live_chat_id, "pollEvent", poll | {"status": "active"}, author="Alice")
    _, body = await api.messages(stream.live_chat_id)
    assert body["activePollItem"]["snippet"]["pollDetails"]["status"] == "active"
    api.emulator.post(stream.live_chat_id, "pollEvent", poll | {"status": "closed"}, author="Alice")
    api.clock.advance(5)
    _, body = await api.messages(stream.live_chat_id, pageToken=body["nextPageToken"])
    assert "activePollItem" not in body


# Chat end


@pytest.mark.asyncio
async def test_an_ended_chat_says_offline_at_then_answers_live_chat_ended(api: Api) -> None:
    stream = api.live()
    _, first = await api.messages(stream.live_chat_id)
    api.clock.advance(60)
    api.emulator.end_stream(stream.video_id)
    api.clock.advance(5)
    _, page = await api.messages(stream.live_chat_id, pageToken=first["nextPageToken"])
    assert page["offlineAt"] == "2023-11-14T22:14:20.000Z"
    assert [i["snippet"]["type"] for i in page["items"]] == ["chatEndedEvent"]
    _, videos = await api.get("videos", id=stream.video_id, part="snippet,liveStreamingDetails")
    details = videos["items"][0]["liveStreamingDetails"]
    assert details["actualEndTime"] == "2023-11-14T22:14:20.000Z"
    assert "activeLiveChatId" not in details
    assert videos["items"][0]["snippet"]["liveBroadcastContent"] == "none"
    api.clock.advance(25)
    status, body = await api.messages(stream.live_chat_id, pageToken=page["nextPageToken"])
    assert (status, reason(body)) == (403, "liveChatEnded")


# Quota


@pytest.mark.asyncio
async def test_quota_runs_out_with_googles_body_and_resets_at_la_midnight(session) -> None:
    async with make_api(session, daily_quota=3) as api:
        api.live()
        for _ in range(3):
            assert (await api.get("channels", id=ALICE, part="contentDetails"))[0] == 200
        status, body = await api.get("channels", id=ALICE, part="contentDetails")
        assert status == 403
        assert body["error"]["code"] == 403
        assert body["error"]["errors"][0] == {
            "message": body["error"]["message"],
            "domain": "youtube.quota",
            "reason": "quotaExceeded",
        }
        assert (api.emulator.calls[-1].cost, api.emulator.quota_used(KEY)) == (0, 3)
        api.clock.advance(LA_MIDNIGHT - api.clock.time() - 1)
        assert (await api.get("channels", id=ALICE, part="snippet"))[0] == 403
        api.clock.advance(1)
        assert (await api.get("channels", id=ALICE, part="snippet"))[0] == 200
        assert api.emulator.quota_used(KEY) == 1


@pytest.mark.asyncio
async def test_each_method_costs_googles_units(api: Api) -> None:
    stream = api.live()
    token = await api.access_token()
    await api.messages(stream.live_chat_id)
    await api.get("videos", id=stream.video_id, part="liveStreamingDetails")
    await api.get("search", channelId=ALICE, eventType="live", type="video", part="snippet")
    await api.get("liveBroadcasts", token=token, part="snippet", mine="true")
    await api.insert(token, stream.live_chat_id, "hello")
    costs = {call.method: call.cost for call in api.emulator.calls}
    assert costs == {
        "token": 0,
        "liveChatMessages.list": 5,
        "videos.list": 1,
        "search.list": 100,
        "liveBroadcasts.list": 1,
        "liveChatMessages.insert": 20,
    }
    assert api.emulator.quota_used(KEY) == 106
    assert api.emulator.quota_used("client-id") == 21


@pytest.mark.asyncio
async def test_exhausting_quota_now_refuses_every_project(api: Api) -> None:
    api.live()
    token = await api.access_token()
    api.emulator.exhaust_quota()
    status, body = await api.get("channels", id=ALICE, part="snippet")
    assert (status, reason(body)) == (403, "quotaExceeded")
    status, body = await api.get("liveBroadcasts", token=token, part="snippet", mine="true")
    assert (status, reason(body)) == (403, "quotaExceeded")


# Credentials and tokens


@pytest.mark.asyncio
async def test_keys_unknown_or_missing(api: Api) -> None:
    api.live()
    status, body = await api.get("channels", id=ALICE, part="snippet", key="nope")
    assert (status, reason(body)) == (400, "keyInvalid")
    assert body["error"]["errors"][0]["domain"] == "usageLimits"
    async with api.session.get(api.emulator.url + "youtube/v3/channels?part=id") as response:
        assert response.status == 403
        assert reason(await response.json()) == "forbidden"
    assert [call.project for call in api.emulator.calls] == [None, None]
    assert [call.cost for call in api.emulator.calls] == [0, 0]


@pytest.mark.asyncio
async def test_token_flow_expiry_and_revocation(api: Api) -> None:
    api.live()
    status, grant = await api.token()
    assert status == 200
    assert grant["token_type"] == "Bearer"
    assert grant["expires_in"] == 3600
    token = grant["access_token"]
    assert (await api.get("channels", token=token, part="snippet", mine="true"))[0] == 200
    api.clock.advance(3600)
    status, body = await api.get("channels", token=token, part="snippet", mine="true")
    assert (status, reason(body)) == (401, "authError")
    fresh = await api.access_token()
    api.emulator.revoke("refresh-token")
    status, body = await api.get("channels", token=fresh, part="snippet", mine="true")
    assert (status, reason(body)) == (401, "authError")
    status, body = await api.token()
    assert (status, body["error"]) == (400, "invalid_grant")


@pytest.mark.asyncio
async def test_token_endpoint_refuses_bad_clients_and_grants(api: Api) -> None:
    status, body = await api.token(client_secret="wrong")
    assert (status, body["error"]) == (401, "invalid_client")
    status, body = await api.token(grant_type="authorization_code")
    assert (status, body["error"]) == (400, "unsupported_grant_type")
    status, body = await api.token(refresh_token="someone-elses")
    assert (status, body["error"]) == (400, "invalid_grant")
    assert all("client_secret" not in call.params for call in api.emulator.calls)


@pytest.mark.asyncio
async def test_a_revoked_access_token_can_be_refreshed(api: Api) -> None:
    api.live()
    token = await api.access_token()
    api.emulator.revoke_access_tokens()
    status, _ = await api.get("channels", token=token, part="snippet", mine="true")
    assert status == 401
    again = await api.access_token()
    assert (await api.get("channels", token=again, part="snippet", mine="true"))[0] == 200


# Insert


@pytest.mark.asyncio
async def test_insert_posts_as_the_tokens_channel_and_is_listed_back(api: Api) -> None:
    stream = api.live()
    _, first = await api.messages(stream.live_chat_id)
    token = await api.access_token()
    status, created = await api.insert(token, stream.live_chat_id, "pong!")
    assert status == 200
    assert created["snippet"]["textMessageDetails"] == {"messageText": "pong!"}
    assert created["authorDetails"]["channelId"] == ALICE
    assert created["authorDetails"]["isChatOwner"] is True
    api.clock.advance(5)
    _, page = await api.messages(stream.live_chat_id, pageToken=first["nextPageToken"])
    assert [item["id"] for item in page["items"]] == [created["id"]]


@pytest.mark.asyncio
async def test_insert_refuses_long_text_keys_and_ended_chats(api: Api) -> None:
    stream = api.live()
    token = await api.access_token()
    status, body = await api.insert(token, stream.live_chat_id, "x" * 201)
    assert (status, reason(body)) == (400, "messageTextInvalid")
    assert (await api.insert(token, stream.live_chat_id, "x" * 200))[0] == 200
    status, body = await api.insert(None, stream.live_chat_id, "hi", key=KEY)
    assert (status, reason(body)) == (401, "required")
    assert api.emulator.calls[-1].cost == 1
    api.emulator.end_stream(stream.video_id)
    status, body = await api.insert(token, stream.live_chat_id, "too late")
    assert (status, reason(body)) == (403, "liveChatEnded")


# Discovery endpoints


@pytest.mark.asyncio
async def test_handle_to_uploads_to_live_video_to_chat(api: Api) -> None:
    api.emulator.add_channel(ALICE, handle="@alice", title="Alice")
    old = api.emulator.add_video(ALICE, title="Yesterday's VOD")
    stream = api.emulator.start_stream(ALICE, title="Live now", scheduled_seconds=7_200)
    _, channels = await api.get("channels", forHandle="@Alice", part="contentDetails")
    uploads = channels["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
    assert uploads == "UU" + ALICE[2:]
    _, items = await api.get("playlistItems", playlistId=uploads, part="contentDetails")
    assert [i["contentDetails"]["videoId"] for i in items["items"]] == [stream.video_id, old]
    _, videos = await api.get("videos", id=f"{old},{stream.video_id}", part="liveStreamingDetails")
    details = [v.get("liveStreamingDetails", {}) for v in videos["items"]]
    assert [d.get("activeLiveChatId") for d in details] == [None, stream.live_chat_id]
    assert "scheduledEndTime" in details[1] and "scheduledEndTime" not in details[0]


@pytest.mark.asyncio
async def test_playlist_pages_and_unknown_playlist(api: Api) -> None:
    api.emulator.add_channel(ALICE, title="Alice")
    ids = [api.emulator.add_video(ALICE, title=f"v{n}") for n in range(3)]
    _, page = await api.get("playlistItems", playlistId="UU" + ALICE[2:], part="id", maxResults=2)
    _, rest = await api.get(
        "playlistItems",
        playlistId="UU" + ALICE[2:],
        part="contentDetails",
        pageToken=page["nextPageToken"],
        maxResults=2,
    )
    assert [i["contentDetails"]["videoId"] for i in rest["items"]] == [ids[0]]
    assert "nextPageToken" not in rest
    status, body = await api.get("playlistItems", playlistId="UUnope", part="id")
    assert (status, reason(body)) == (404, "playlistNotFound")


@pytest.mark.asyncio
async def test_live_broadcasts_need_oauth_and_filter_by_status(api: Api) -> None:
    first = api.live("first")
    api.emulator.end_stream(first.video_id)
    second = api.emulator.start_stream(ALICE, title="second")
    status, body = await api.get("liveBroadcasts", part="snippet", mine="true")
    assert (status, reason(body)) == (401, "required")
    token = await api.access_token()
    _, active = await api.get(
        "liveBroadcasts", token=token, part="snippet,status", broadcastStatus="active", mine="true"
    )
    assert [b["id"] for b in active["items"]] == [second.broadcast_id]
    assert active["items"][0]["snippet"]["liveChatId"] == second.live_chat_id
    _, done = await api.get(
        "liveBroadcasts", token=token, part="status", broadcastStatus="completed"
    )
    assert [b["status"]["lifeCycleStatus"] for b in done["items"]] == ["complete"]


@pytest.mark.asyncio
async def test_search_finds_the_live_video(api: Api) -> None:
    stream = api.live()
    api.emulator.add_video(ALICE, title="old")
    _, found = await api.get(
        "search", part="snippet", channelId=ALICE, eventType="live", type="video"
    )
    assert [r["id"]["videoId"] for r in found["items"]] == [stream.video_id]
    status, body = await api.get("search", part="snippet", channelId=ALICE, eventType="live")
    assert (status, reason(body)) == (400, "invalidSearchFilter")


# Faults


@pytest.mark.asyncio
async def test_fail_next_hits_only_its_endpoint_and_count(api: Api) -> None:
    stream = api.live()
    api.emulator.fail_next(2, status=503, endpoint="liveChatMessages.list")
    assert (await api.get("videos", id=stream.video_id, part="id"))[0] == 200
    status, body = await api.messages(stream.live_chat_id)
    assert (status, reason(body)) == (503, "backendError")
    assert (await api.messages(stream.live_chat_id))[0] == 503
    assert (await api.messages(stream.live_chat_id))[0] == 200
    assert [c.cost for c in api.emulator.calls] == [1, 1, 1, 5]


@pytest.mark.parametrize(
    ("status", "reason_given", "expected"),
    [
        (429, None, "rateLimitExceeded"),
        (403, None, "rateLimitExceeded"),
        (500, None, "backendError"),
        (403, "forbidden", "forbidden"),
    ],
)
@pytest.mark.asyncio
async def test_fault_statuses_carry_googles_reasons(
    api: Api, status: int, reason_given: str | None, expected: str
) -> None:
    api.live()
    api.emulator.fail_next(status=status, reason=reason_given)
    got, body = await api.get("channels", id=ALICE, part="id")
    assert (got, reason(body), body["error"]["code"]) == (status, expected, status)


@pytest.mark.asyncio
async def test_slow_responses_wait_on_the_emulator_clock(session) -> None:
    clock = FakeClock()  # sleeps move time at once
    async with make_api(session, clock=clock) as api:
        api.live()
        api.emulator.slow_next(delay=42.0, endpoint="channels.list")
        before = clock.monotonic()
        assert (await api.get("channels", id=ALICE, part="id"))[0] == 200
        assert clock.monotonic() - before == 42.0
        assert clock.sleeps == [42.0]


@pytest.mark.asyncio
async def test_token_endpoint_faults_need_their_endpoint(api: Api) -> None:
    api.emulator.fail_next(status=500)
    assert (await api.token())[0] == 200
    api.emulator.fail_next(status=503, endpoint="token")
    status, body = await api.token()
    assert (status, body["error"]) == (503, "temporarily_unavailable")


@pytest.mark.asyncio
async def test_wait_for_sees_calls(api: Api) -> None:
    api.live()
    await api.get("channels", id=ALICE, part="id")
    await api.emulator.wait_for(lambda: len(api.emulator.calls) == 1, timeout=1)
    assert api.emulator.calls[0].method == "channels.list"


@pytest.mark.asyncio
async def test_posting_as_an_author_object_carries_the_roles(api: Api) -> None:
    stream = api.live()
    mod = Author("Mo", moderator=True, member=True, verified=True)
    api.emulator.post_text(stream.live_chat_id, mod, "hi")
    _, page = await api.messages(stream.live_chat_id)
    details = page["items"][0]["authorDetails"]
    assert (details["isChatModerator"], details["isChatSponsor"], details["isVerified"]) == (
        True,
        True,
        True,
    )
    assert details["isChatOwner"] is False


# Scenarios over HTTP


@pytest.mark.asyncio
async def test_the_demo_scenario_plays_every_kind_of_message(session) -> None:
    clock = FakeClock()
    async with make_api(session, clock=clock, history=500) as api:
        await api.emulator.play(REPO / "examples" / "scenarios" / "youtube-demo.jsonl")
        stream = api.emulator.channel("@aliceplays").videos[-1]
        assert stream.chat is not None and stream.ended_at is not None
        status, page = await api.messages(stream.chat.id)
        assert status == 200
        kinds = [item["snippet"]["type"] for item in page["items"]]
        assert {
            "textMessageEvent",
            "superChatEvent",
            "newSponsorEvent",
            "messageDeletedEvent",
            "userBannedEvent",
            "pollEvent",
            "memberMilestoneChatEvent",
            "superStickerEvent",
            "membershipGiftingEvent",
            "chatEndedEvent",
        } == set(kinds)
        deleted = next(i for i in page["items"] if i["snippet"]["type"] == "messageDeletedEvent")
        spam = next(
            i for i in page["items"] if i["snippet"].get("displayMessage", "").startswith("FREE")
        )
        assert deleted["snippet"]["messageDeletedDetails"] == {"deletedMessageId": spam["id"]}
        assert page["offlineAt"] == "2023-11-14T22:14:00.000Z"


@pytest.mark.asyncio
async def test_a_chat_that_starts_later_is_found_when_it_starts(session) -> None:
    clock = FakeClock(auto_advance=False)
    steps = [
        {"channel": {"id": ALICE, "handle": "@alice"}},
        {"at": 600, "start": {"channel": "@alice", "title": "late", "video": "late0000001"}},
        {"at": 601, "fault": {"kind": "error", "status": 503, "endpoint": "videos.list"}},
    ]
    scenario = parse_youtube_scenario("\n".join(map(json.dumps, steps)))
    async with make_api(session, clock=clock) as api:
        player = asyncio.create_task(api.emulator.play(scenario))
        await api.emulator.wait_for(lambda: bool(api.emulator.channels), timeout=2)
        _, before = await api.get(
            "search", part="id", channelId=ALICE, eventType="live", type="video"
        )
        assert before["items"] == []
        clock.advance(601)
        await asyncio.wait_for(player, timeout=2)
        _, after = await api.get(
            "search", part="id", channelId=ALICE, eventType="live", type="video"
        )
        assert [r["id"]["videoId"] for r in after["items"]] == ["late0000001"]
        assert (await api.get("videos", id="late0000001", part="id"))[0] == 503


# Every body the emulator sends, against the discovery document

SAMPLE_DETAILS: dict[str, dict[str, Any]] = {
    "textMessageEvent": {"messageText": "hi"},
    "superChatEvent": {"amountMicros": "5000000", "currency": "USD", "userComment": "gg"},
    "superStickerEvent": {
        "amountMicros": "2000000",
        "currency": "EUR",
        "superStickerMetadata": {"stickerId": "s1", "altText": "cat", "altTextLanguage": "en"},
    },
    "fanFundingEvent": {"amountMicros": "1000000", "currency": "JPY", "userComment": "old"},
    "newSponsorEvent": {"memberLevelName": "Crew", "isUpgrade": False},
    "memberMilestoneChatEvent": {"memberLevelName": "Crew", "memberMonth": 6, "userComment": "6!"},
    "membershipGiftingEvent": {"giftMembershipsCount": 5, "giftMembershipsLevelName": "Crew"},
    "giftMembershipReceivedEvent": {
        "memberLevelName": "Crew",
        "gifterChannelId": ALICE,
        "associatedMembershipGiftingMessageId": "LCC.gift",
    },
    "messageDeletedEvent": {"deletedMessageId": "LCC.gone"},
    "messageRetractedEvent": {"retractedMessageId": "LCC.oops"},
    "userBannedEvent": {
        "bannedUserDetails": Author("Cy").profile(),
        "banType": "temporary",
        "banDurationSeconds": "300",
    },
    "pollEvent": {
        "status": "active",
        "metadata": {"questionText": "?", "options": [{"optionText": "A", "tally": "3"}]},
    },
    "giftEvent": {
        "giftName": "Rose",
        "giftUrl": "https://example.invalid/rose.png",
        "altText": "rose",
        "language": "en",
        "jewelsAmount": 10,
        "comboCount": 2,
        "giftDuration": "5s",
        "hasVisualEffect": True,
    },
    "tombstone": {},
    "sponsorOnlyModeStartedEvent": {},
    "sponsorOnlyModeEndedEvent": {},
}


async def every_response(api: Api) -> list[tuple[str, Any]]:
    """Drive every endpoint into every shape it has; return (schema name, body) pairs."""
    out: list[tuple[str, Any]] = []
    api.emulator.add_channel(ALICE, handle="@alice", title="Alice")
    api.emulator.add_video(ALICE, title="VOD")
    done = api.emulator.start_stream(ALICE, title="ended")
    api.emulator.end_stream(done.video_id)
    stream = api.emulator.start_stream(ALICE, title="live", scheduled_seconds=3_600)
    for kind, details in SAMPLE_DETAILS.items():
        api.emulator.post(stream.live_chat_id, kind, details, author=Author("Ann", member=True))
    token = await api.access_token()
    out.append(("LiveChatMessageListResponse", (await api.messages(stream.live_chat_id))[1]))
    out.append(("LiveChatMessageListResponse", (await api.messages(done.live_chat_id))[1]))
    out.append(("LiveChatMessage", (await api.insert(token, stream.live_chat_id, "hey"))[1]))
    videos = ",".join(video.id for video in api.emulator.channel(ALICE).videos)
    parts = "snippet,liveStreamingDetails"
    out.append(("VideoListResponse", (await api.get("videos", id=videos, part=parts))[1]))
    out.append(
        (
            "ChannelListResponse",
            (await api.get("channels", id=ALICE, part="snippet,contentDetails"))[1],
        )
    )
    playlist = "UU" + ALICE[2:]
    out.append(
        (
            "PlaylistItemListResponse",
            (
                await api.get(
                    "playlistItems",
                    playlistId=playlist,
                    part="snippet,contentDetails",
                    maxResults=2,
                )
            )[1],
        )
    )
    broadcasts = await api.get(
        "liveBroadcasts", token=token, part="snippet,status,contentDetails", broadcastStatus="all"
    )
    out.append(("LiveBroadcastListResponse", broadcasts[1]))
    out.append(
        (
            "SearchListResponse",
            (await api.get("search", part="snippet", channelId=ALICE, type="video"))[1],
        )
    )
    return out


async def every_error(api: Api, stream: Stream) -> list[Any]:
    """Provoke each error reason the emulator has; return the bodies."""
    api.clock.advance(5)
    bodies = [
        (await api.messages(stream.live_chat_id, pageToken="bad"))[1],
        (await api.messages("missing"))[1],
    ]
    assert (await api.messages(stream.live_chat_id))[0] == 200
    bodies += [
        (await api.messages(stream.live_chat_id))[1],  # too soon
        (await api.get("channels", part="id", key="nope"))[1],
        (await api.get("channels", token="expired", part="id"))[1],
        (await api.get("liveBroadcasts", part="id", mine="true"))[1],
        (await api.insert(await api.access_token(), stream.live_chat_id, "x" * 201))[1],
    ]
    api.emulator.fail_next(status=503)
    bodies.append((await api.get("channels", id=ALICE, part="id"))[1])
    api.emulator.exhaust_quota()
    bodies.append((await api.get("channels", id=ALICE, part="id"))[1])
    return bodies


@pytest.mark.asyncio
async def test_every_response_fits_the_discovery_schemas(session, corpora) -> None:
    discovery = load_discovery(corpora)
    async with make_api(session) as api:
        responses = await every_response(api)
    problems = [
        f"{name}: {error}"
        for name, body in responses
        for error in schema_errors(discovery, name, body)
    ]
    assert problems == []
    listed = responses[0][1]
    seen = {item["snippet"]["type"] for item in listed["items"]}
    enum = set(discovery["schemas"]["LiveChatMessageSnippet"]["properties"]["type"]["enum"])
    assert seen == enum - {"invalidType", "chatEndedEvent"}
    ended = responses[1][1]
    assert ended["items"][-1]["snippet"]["type"] == "chatEndedEvent"
    assert "activePollItem" in listed and "offlineAt" in ended
    assert all(body.get("items") for _, body in responses if "items" in body)


@pytest.mark.asyncio
async def test_every_error_has_googles_envelope(api: Api) -> None:
    await every_response(api)
    stream = api.emulator.live_stream(ALICE)
    assert stream is not None
    bodies = await every_error(api, stream)
    reasons = []
    for body in bodies:
        error = body["error"]
        assert set(error) == {"code", "message", "errors", "status"}
        assert isinstance(error["code"], int) and isinstance(error["message"], str)
        (detail,) = error["errors"]
        assert {"message", "domain", "reason"} <= set(detail)
        reasons.append(detail["reason"])
    assert reasons == [
        "invalidPageToken",
        "liveChatNotFound",
        "rateLimitExceeded",
        "keyInvalid",
        "authError",
        "required",
        "messageTextInvalid",
        "backendError",
        "quotaExceeded",
    ]


@pytest.mark.asyncio
async def test_serve_youtube_plays_its_scenario_from_the_first_call(session) -> None:
    ready: asyncio.Future[YouTubeApiEmulator] = asyncio.get_running_loop().create_future()
    scenario = REPO / "examples" / "scenarios" / "youtube-demo.jsonl"
    server = asyncio.create_task(
        serve_youtube(scenario, port=0, clock=FakeClock(), on_ready=ready.set_result)
    )
    try:
        emulator = await asyncio.wait_for(ready, timeout=5)
        assert emulator.channels == []
        url = emulator.url + "youtube/v3/channels?part=id&forHandle=aliceplays&key=test-key"
        async with session.get(url) as response:
            assert response.status == 200
            assert (await response.json())["items"] == []

        def ended() -> bool:
            videos = [v for c in emulator.channels for v in c.videos]
            return bool(videos) and videos[-1].ended_at is not None

        await emulator.wait_for(ended, timeout=5)
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server


@pytest.mark.asyncio
async def test_scenario_faults_take_effect(api: Api) -> None:
    stream = api.live()
    token = await api.access_token()
    steps = [
        {"fault": {"kind": "slow", "delay": 3, "endpoint": "videos.list"}},
        {"fault": {"kind": "revoke_access"}},
        {"at": 1, "fault": {"kind": "disable", "target": "@alice"}},
        {"at": 1, "fault": {"kind": "revoke", "target": "refresh-token"}},
        {"at": 1, "fault": {"kind": "quota", "target": KEY}},
    ]
    api.clock.auto_advance = True
    await api.emulator.play(parse_youtube_scenario("\n".join(map(json.dumps, steps))))
    status, body = await api.get("channels", token=token, part="id", mine="true")
    assert (status, reason(body)) == (401, "authError")
    assert (await api.token())[1]["error"] == "invalid_grant"
    status, body = await api.get("videos", id=stream.video_id, part="id")
    assert (status, reason(body)) == (403, "quotaExceeded")
    status, body = await api.messages(stream.live_chat_id, key="another-project")
    assert (status, reason(body)) == (400, "keyInvalid")
    chat = api.emulator.channel(ALICE).videos[-1].chat
    assert chat is not None and chat.disabled
    async with make_api(api.session, clock=FakeClock()) as other:
        other.live()
        await other.emulator.play(parse_youtube_scenario(json.dumps(steps[0])))
        before = other.clock.monotonic()
        assert (await other.get("videos", id="x", part="id"))[0] == 200
        assert other.clock.monotonic() - before == 3.0


@pytest.mark.asyncio
async def test_scenarios_play_on_the_system_clock_too(session) -> None:
    steps = [
        {"channel": {"id": ALICE, "handle": "@alice"}},
        {"start": {"channel": "@alice"}},
        {"at": 0.01, "say": {"channel": "@alice", "author": "Ann", "text": "real time"}},
    ]
    async with YouTubeApiEmulator() as emulator:
        await emulator.play(parse_youtube_scenario("\n".join(map(json.dumps, steps))))
        stream = emulator.live_stream(ALICE)
        assert stream is not None
        [message] = emulator.messages(stream.live_chat_id)
        assert message["snippet"]["displayMessage"] == "real time"


@pytest.mark.asyncio
async def test_a_chat_step_for_a_channel_off_air_names_the_line(api: Api) -> None:
    api.emulator.add_channel(ALICE, handle="@alice")
    scenario = parse_youtube_scenario(
        '{"say": {"channel": "@alice", "author": "A", "text": "x"}}', source="s.jsonl"
    )
    with pytest.raises(ScenarioError, match=r"^s.jsonl:1: channel '@alice' is not live"):
        await api.emulator.play(scenario)

"""Typed decoding of YouTube Data API bodies, and the fixtures' fit to the discovery document."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from streamsuites.connectors.youtube.models import (
    ApiError,
    LiveChatMessage,
    decode_broadcasts,
    decode_channels,
    decode_chat_page,
    decode_error,
    decode_message,
    decode_playlist_items,
    decode_search,
    decode_token,
    decode_videos,
)
from tests.discovery import load_discovery, schema_errors
from tests.support import REPO

FIXTURES = REPO / "tests/fixtures/youtube"
CHAT_PAGES = sorted(FIXTURES.glob("*.json"))
API_SCHEMAS = {
    "videos.list": "VideoListResponse",
    "channels.list": "ChannelListResponse",
    "playlistItems.list": "PlaylistItemListResponse",
    "liveBroadcasts.list": "LiveBroadcastListResponse",
    "search.list": "SearchListResponse",
    "liveChatMessages.insert": "LiveChatMessage",
}


def api(name: str) -> bytes:
    return (FIXTURES / "api" / f"{name}.json").read_bytes()


@pytest.fixture
def discovery(corpora) -> dict[str, Any]:
    return load_discovery(corpora)


def test_there_is_one_chat_page_per_snippet_type(discovery):
    types = discovery["schemas"]["LiveChatMessageSnippet"]["properties"]["type"]["enum"]
    assert sorted(path.stem for path in CHAT_PAGES) == sorted(types)


@pytest.mark.parametrize("path", CHAT_PAGES, ids=lambda path: path.stem)
def test_chat_page_fixture_fits_the_discovery_schema(discovery, path):
    body = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(discovery, "LiveChatMessageListResponse", body) == []
    assert {item["snippet"]["type"] for item in body["items"]} == {path.stem}


@pytest.mark.parametrize(("name", "schema"), API_SCHEMAS.items())
def test_api_fixture_fits_the_discovery_schema(discovery, name, schema):
    assert schema_errors(discovery, schema, json.loads(api(name))) == []


def test_chat_page():
    page = decode_chat_page((FIXTURES / "superChatEvent.json").read_bytes())
    assert page.next_page_token == "tok-sc"
    assert page.polling_interval_millis == 5000
    assert page.page_info is not None and page.page_info.total_results == 2
    assert page.offline_at is None and page.active_poll_item is None
    first = page.items[0]
    assert first.id == "LCC.sc-1"
    assert first.snippet is not None and first.snippet.super_chat_details is not None
    assert first.snippet.super_chat_details.amount_micros == "5000000"
    assert first.snippet.published_at == datetime(2026, 11, 24, 19, 22, tzinfo=UTC)
    assert first.author_details is not None and first.author_details.display_name == "Fay W."


def test_chat_page_offline_and_active_poll():
    ended = decode_chat_page((FIXTURES / "chatEndedEvent.json").read_bytes())
    assert ended.offline_at == datetime(2026, 11, 24, 20, 59, 58, tzinfo=UTC)
    poll = decode_chat_page((FIXTURES / "pollEvent.json").read_bytes())
    assert isinstance(poll.active_poll_item, LiveChatMessage)
    assert poll.active_poll_item.id == "LCC.poll-1"


def test_offsets_are_kept_as_aware_times():
    page = decode_chat_page((FIXTURES / "textMessageEvent.json").read_bytes())
    snippet = page.items[2].snippet
    assert snippet is not None and snippet.published_at is not None
    assert snippet.published_at.utcoffset() == timedelta(hours=2)
    expected = datetime(2026, 11, 24, 19, 0, 14, 500000, tzinfo=timezone(timedelta(hours=2)))
    assert snippet.published_at == expected


def test_unknown_fields_and_types_decode():
    body = b'{"items":[{"id":"x","future":1,"snippet":{"type":"holoEvent","sparkle":{}}}]}'
    page = decode_chat_page(body)
    assert page.items[0].snippet is not None and page.items[0].snippet.type == "holoEvent"
    assert decode_chat_page(b"{}").items == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'{"items":{}}', "$.items"),
        (b'{"items":[{"id":5}]}', "$.items[0].id"),
        (b'{"pollingIntervalMillis":"5000"}', "$.pollingIntervalMillis"),
        (b'{"items":[{"snippet":{"publishedAt":"2026-11-24T19:00:00"}}]}', "publishedAt"),
        (b'{"items":[{"snippet":{"superChatDetails":{"amountMicros":5}}}]}', "amountMicros"),
        (b'{"offlineAt":"soon"}', "$.offlineAt"),
    ],
)
def test_wrong_shape_names_the_path(body, path):
    with pytest.raises(msgspec.ValidationError, match=path.replace("[", r"\[").replace("$", r"\$")):
        decode_chat_page(body)


def test_not_json_is_a_decode_error():
    with pytest.raises(msgspec.DecodeError):
        decode_chat_page(b"<html>502</html>")


def test_videos():
    (video,) = decode_videos(api("videos.list")).items
    assert video.id == "aliceVid001"
    assert video.snippet is not None
    assert (video.snippet.title, video.snippet.channel_id) == (
        "Elden Ring blind, part 3",
        "UCa1iceP1aysXXXXXXXXXXXX",
    )
    assert video.snippet.live_broadcast_content == "live"
    details = video.live_streaming_details
    assert details is not None
    assert details.active_live_chat_id == "Cg0KC2FsaWNlc3RyZWFt"
    assert details.actual_start_time == datetime(2026, 11, 24, 19, 0, 2, tzinfo=UTC)
    assert details.scheduled_start_time == datetime(2026, 11, 24, 19, tzinfo=UTC)
    assert details.actual_end_time is None
    assert details.concurrent_viewers == "1234"


def test_channels():
    (channel,) = decode_channels(api("channels.list")).items
    assert channel.id == "UCa1iceP1aysXXXXXXXXXXXX"
    assert channel.snippet is not None and channel.snippet.title == "AlicePlays"
    assert channel.content_details is not None
    assert channel.content_details.related_playlists is not None
    assert channel.content_details.related_playlists.uploads == "UUa1iceP1aysXXXXXXXXXXXX"


def test_playlist_items():
    response = decode_playlist_items(api("playlistItems.list"))
    assert response.next_page_token == "EAAaBlBUOkNBVQ"
    first, second = response.items
    assert first.content_details is not None and first.content_details.video_id == "aliceVid001"
    assert first.snippet is not None and first.snippet.resource_id is not None
    assert first.snippet.resource_id.video_id == "aliceVid001"
    assert first.snippet.published_at == datetime(2026, 11, 24, 18, 55, tzinfo=UTC)
    assert second.content_details is not None and second.content_details.video_id == "aliceVid000"


def test_broadcasts():
    (broadcast,) = decode_broadcasts(api("liveBroadcasts.list")).items
    assert broadcast.id == "aliceVid001"
    assert broadcast.snippet is not None
    assert broadcast.snippet.live_chat_id == "Cg0KC2FsaWNlc3RyZWFt"
    assert broadcast.snippet.channel_id == "UCa1iceP1aysXXXXXXXXXXXX"
    assert broadcast.snippet.actual_start_time == datetime(2026, 11, 24, 19, 0, 2, tzinfo=UTC)
    assert broadcast.snippet.actual_end_time is None
    assert broadcast.status is not None and broadcast.status.life_cycle_status == "live"


def test_search():
    (result,) = decode_search(api("search.list")).items
    assert result.id is not None and result.id.video_id == "aliceVid001"


def test_inserted_message():
    message = decode_message(api("liveChatMessages.insert"))
    assert message.id == "LCC.sent-1"
    assert message.snippet is not None and message.snippet.text_message_details is not None
    assert message.snippet.text_message_details.message_text == "thanks for watching!"
    assert message.snippet.published_at == datetime(2026, 11, 24, 19, 40, 0, 123456, tzinfo=UTC)
    assert message.author_details is not None and message.author_details.is_chat_owner


@pytest.mark.parametrize(
    "decode",
    [decode_videos, decode_channels, decode_playlist_items, decode_broadcasts, decode_search],
)
def test_discovery_decoders_refuse_wrong_shapes(decode):
    with pytest.raises(msgspec.ValidationError, match=r"\$\.items\[0\]"):
        decode(b'{"items":[[]]}')
    with pytest.raises(msgspec.DecodeError):
        decode(b"")


def test_token():
    token = decode_token(api("token.ok"))
    assert token.access_token == "ya29.fake-access-token"
    assert token.expires_in == 3599
    assert token.token_type == "Bearer"
    assert token.scope == "https://www.googleapis.com/auth/youtube.force-ssl"
    with pytest.raises(msgspec.ValidationError, match="access_token"):
        decode_token(b'{"expires_in": 10}')
    with pytest.raises(msgspec.ValidationError, match="expires_in"):
        decode_token(b'{"access_token": "t"}')


def test_quota_error():
    error = decode_error(api("error.quotaExceeded"), 403)
    assert error.status == 403 and error.code == 403
    assert error.reasons == ("quotaExceeded",)
    assert error.reason == "quotaExceeded"
    assert error.message.startswith("The request cannot be completed")


def test_invalid_key_error_keeps_rpc_status_and_details():
    error = decode_error(api("error.apiKeyInvalid"), 400)
    assert error.reason == "badRequest"
    assert error.rpc_status == "INVALID_ARGUMENT"
    assert error.detail_reasons == ("API_KEY_INVALID",)
    assert error.message == "API key not valid. Please pass a valid API key."


def test_several_reasons_in_order():
    body = json.dumps(
        {"error": {"code": 403, "message": "m", "errors": [{"reason": "a"}, {}, {"reason": "b"}]}}
    ).encode()
    assert decode_error(body, 403).reasons == ("a", "b")


def test_oauth_error():
    error = decode_error(api("token.invalid_grant"), 400)
    assert error == ApiError(
        status=400,
        code=400,
        message="Token has been expired or revoked.",
        reasons=("invalid_grant",),
    )
    assert decode_error(b'{"error": "invalid_client"}', 401).message == "invalid_client"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"  <html><body>502 Bad Gateway</body></html>\n",
            "<html><body>502 Bad Gateway</body></html>",
        ),
        (b"", ""),
        (b'["not", "an", "envelope"]', '["not", "an", "envelope"]'),
        (b'{"error": {"code": "x"}}', '{"error": {"code": "x"}}'),
        (b"\xff\xfe bad bytes", "\ufffd\ufffd bad bytes"),
    ],
)
def test_error_bodies_that_are_not_envelopes(body, message):
    error = decode_error(body, 502)
    assert error == ApiError(status=502, code=502, message=message)
    assert error.reason == ""


def test_long_error_text_is_cut():
    error = decode_error(b"x" * 10_000, 500)
    assert error.message == "x" * 500


def test_error_without_code_uses_the_status():
    error = decode_error(b'{"error": {"message": "boom"}}', 503)
    assert (error.code, error.message, error.reasons) == (503, "boom", ())
